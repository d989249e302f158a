import type { Bank } from '../bank';
import { bankDateTime } from '../bank/jst';
import type { ConnectionStore } from '../connections/connectionStore';
import { AccountNotFoundError } from './errors';
import type { TokenVault } from '../tokens/vault';
import { withAccessToken } from '../tokens/withAccessToken';
import { toAccountView, type AccountView } from './accountView';

const yenOrNull = (v: string | undefined) => (v !== undefined && /^-?\d+$/.test(v) ? Number(v) : null);

/** Live account data from the bank, through the vault; the connection keeps the latest account list. */
export class AccountService {
  constructor(
    private readonly bank: Bank,
    private readonly vault: TokenVault,
    private readonly connections: ConnectionStore,
  ) {}

  async list(companyId: string): Promise<AccountView[]> {
    await this.connections.usable(companyId);
    const accounts = await withAccessToken(this.vault, companyId, (token) => this.bank.accounts.list(token));
    await this.connections.accountsRefreshed(companyId, accounts);
    return accounts.map(toAccountView);
  }

  async balance(companyId: string, accountId: string) {
    const conn = await this.connections.usable(companyId);
    // only the company's own accounts: a key for A can never read an account of B's
    if (!this.connections.accounts(conn).some((a) => a.accountId === accountId)) {
      throw new AccountNotFoundError();
    }
    const balances = await withAccessToken(this.vault, companyId, (token) => this.bank.accounts.balances(token, accountId));
    const b = balances.find((x) => x.accountId === accountId);
    if (!b) throw new AccountNotFoundError('The bank returned no balance for this account.');
    return {
      accountId,
      currencyCode: b.currencyCode,
      balance: yenOrNull(b.balance),
      withdrawableAmount: yenOrNull(b.withdrawableAmount),
      previousDayBalance: yenOrNull(b.previousDayBalance),
      previousMonthBalance: yenOrNull(b.previousMonthBalance),
      asOf: bankDateTime(b.baseDate, b.baseTime),
    };
  }
}
