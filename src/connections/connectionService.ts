import type { AccountView } from '../accounts/accountView';
import { toAccountView } from '../accounts/accountView';
import type { Database } from '../db/database';
import type { Logger } from '../log';
import type { TokenVault } from '../tokens/vault';
import type { ConnectionStatus } from './bankConnection.entity';
import type { ConnectionStore } from './connectionStore';

export interface ConnectionView {
  companyId: string;
  status: ConnectionStatus;
  statusReason: string | null;
  environment: string;
  scopes: string[];
  accounts: AccountView[];
  accessTokenExpiresAt: string | null;
  refreshTokenExpiresAt: string | null;
  connectedAt: string | null;
  disconnectedAt: string | null;
  updatedAt: string;
}

const iso = (d: Date | null) => (d ? d.toISOString() : null);

/** What ReCORE may know of a connection (never a token), and disconnecting it. */
export class ConnectionService {
  constructor(
    private readonly store: ConnectionStore,
    private readonly db: Database,
    private readonly vault: TokenVault,
    private readonly log: Logger,
  ) {}

  async view(companyId: string): Promise<ConnectionView | undefined> {
    const conn = await this.store.find(companyId);
    if (!conn) return undefined;
    const expiries = await this.vault.expiries(companyId);
    return {
      companyId,
      status: conn.status,
      statusReason: conn.statusReason,
      environment: conn.environment,
      scopes: conn.scopes ? conn.scopes.split(' ') : [],
      accounts: conn.status === 'disconnected' ? [] : this.store.accounts(conn).map(toAccountView),
      accessTokenExpiresAt: iso(expiries.accessTokenExpiresAt),
      refreshTokenExpiresAt: iso(expiries.refreshTokenExpiresAt),
      connectedAt: iso(conn.connectedAt),
      disconnectedAt: iso(conn.disconnectedAt),
      updatedAt: conn.updatedAt.toISOString(),
    };
  }

  /** Tokens are physically deleted; the row stays as a record that the company disconnected. */
  async disconnect(companyId: string): Promise<boolean> {
    const done = await this.db.transaction(async (em) => {
      if (!(await this.store.disconnected(em, companyId))) return false;
      await this.vault.deleteTokens(em, companyId);
      return true;
    });
    if (done) this.log.info('bank connection disconnected', { companyId });
    return done;
  }
}
