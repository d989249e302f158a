import type { AccountView } from '../accounts/accountView';
import { toAccountView } from '../accounts/accountView';
import type { BankAccount } from '../bank/accountsApi';
import type { Clock } from '../clock';
import type { Database } from '../db/database';
import type { Logger } from '../log';
import { NotConnectedError, ReauthorizationRequiredError } from '../tokens/errors';
import type { TokenVault } from '../tokens/vault';
import { BankConnection, type ConnectionStatus } from './bankConnection.entity';

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

/** What ReCORE may know of a connection: never a token. */
export class ConnectionService {
  constructor(
    private readonly db: Database,
    private readonly vault: TokenVault,
    private readonly clock: Clock,
    private readonly log: Logger,
    private readonly environment: string,
  ) {}

  find(companyId: string): Promise<BankConnection | null> {
    return this.db.manager.findOneBy(BankConnection, { environment: this.environment, companyId });
  }

  /** The one rule of a usable connection: connected, not disconnected, not waiting for consent. */
  async usable(companyId: string): Promise<BankConnection> {
    const conn = await this.find(companyId);
    if (!conn || conn.status === 'disconnected') throw new NotConnectedError(companyId);
    if (conn.status === 'reauthorization_required') throw new ReauthorizationRequiredError(companyId, conn.statusReason ?? 'reauthorization_required');
    return conn;
  }

  accounts(connection: BankConnection): BankAccount[] {
    return JSON.parse(connection.accounts) as BankAccount[];
  }

  async view(companyId: string): Promise<ConnectionView | undefined> {
    const conn = await this.find(companyId);
    if (!conn) return undefined;
    const expiries = await this.vault.expiries(companyId);
    return {
      companyId,
      status: conn.status,
      statusReason: conn.statusReason,
      environment: conn.environment,
      scopes: conn.scopes ? conn.scopes.split(' ') : [],
      accounts: conn.status === 'disconnected' ? [] : this.accounts(conn).map(toAccountView),
      accessTokenExpiresAt: iso(expiries.accessTokenExpiresAt),
      refreshTokenExpiresAt: iso(expiries.refreshTokenExpiresAt),
      connectedAt: iso(conn.connectedAt),
      disconnectedAt: iso(conn.disconnectedAt),
      updatedAt: conn.updatedAt.toISOString(),
    };
  }

  /** Tokens are physically deleted; the row stays as a record that the company disconnected. */
  async disconnect(companyId: string): Promise<boolean> {
    const now = this.clock.now();
    const done = await this.db.transaction(async (em) => {
      const conn = await em.findOneBy(BankConnection, { environment: this.environment, companyId });
      if (!conn) return false;
      await this.vault.deleteTokens(em, companyId);
      await em.update(BankConnection, { id: conn.id }, { status: 'disconnected', statusReason: 'disconnected_by_api', disconnectedAt: now, updatedAt: now, accounts: '[]' });
      return true;
    });
    if (done) this.log.info('bank connection disconnected', { companyId });
    return done;
  }
}
