import type { AuditLog } from '../audit/auditLog';
import type { Database } from '../db/database';
import type { Logger } from '../log';
import type { TokenVault } from '../tokens/vault';
import type { ConnectionStore } from './connectionStore';
import { connectionView } from './connectionView';

/** What ReCORE may know of a connection: the `Connection` schema of the connections contract (./contract.ts). */
export type ConnectionView = import('./contract').ConnectionView;

/** What ReCORE may know of a connection (never a token), and disconnecting it. */
export class ConnectionService {
  constructor(
    private readonly store: ConnectionStore,
    private readonly db: Database,
    private readonly vault: TokenVault,
    private readonly log: Logger,
    private readonly audit: AuditLog,
  ) {}

  async view(companyId: string): Promise<ConnectionView | undefined> {
    const conn = await this.store.find(companyId);
    if (!conn) return undefined;
    return connectionView(conn, this.store.accounts(conn), await this.vault.expiries(companyId));
  }

  /** Tokens are physically deleted; the row stays as a record that the company disconnected. */
  disconnect(companyId: string): Promise<boolean> {
    return this.audit.track('connection.disconnect', companyId, () => this.disconnectOnce(companyId), (done) =>
      done ? { outcome: 'succeeded' } : { outcome: 'failed', reason: 'not_found' },
    );
  }

  private async disconnectOnce(companyId: string): Promise<boolean> {
    const done = await this.db.transaction(async (em) => {
      if (!(await this.store.find(companyId))) return false;
      await this.vault.deleteTokens(em, companyId);
      return this.store.disconnected(em, companyId);
    });
    if (done) this.log.info('bank connection disconnected', { companyId });
    return done;
  }
}
