import { toAccountView } from '../accounts/accountView';
import type { BankAccount } from '../bank/accountsApi';
import { maskAccountId, maskAccountNumber } from '../log';
import type { TokenExpiries } from '../tokens/vault';
import type { BankConnection } from './bankConnection.entity';
import type { ConnectionView } from './contract';

const iso = (d: Date | null) => (d ? d.toISOString() : null);

/** The connection as the API shows it: never a token. */
export function connectionView(conn: BankConnection, accounts: BankAccount[], expiries: TokenExpiries): ConnectionView {
  return {
    companyId: conn.companyId,
    status: conn.status,
    statusReason: conn.statusReason,
    environment: conn.environment,
    scopes: conn.scopes ? conn.scopes.split(' ') : [],
    accounts: conn.status === 'disconnected' ? [] : accounts.map(toAccountView),
    accessTokenExpiresAt: iso(expiries.accessTokenExpiresAt),
    refreshTokenExpiresAt: iso(expiries.refreshTokenExpiresAt),
    connectedAt: iso(conn.connectedAt),
    disconnectedAt: iso(conn.disconnectedAt),
    updatedAt: conn.updatedAt.toISOString(),
  };
}

/** The same in a webhook: the company's own account numbers (and the account ids that contain them) masked to their last four digits. */
export function maskedConnectionView(view: ConnectionView): ConnectionView {
  return {
    ...view,
    accounts: view.accounts.map((a) => ({ ...a, accountId: maskAccountId(a.accountId), accountNumber: a.accountNumber === null ? null : maskAccountNumber(a.accountNumber) })),
  };
}
