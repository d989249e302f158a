import type { AuditLog } from '../audit/auditLog';
import type { Clock } from '../clock';
import type { ConnectionStore } from '../connections/connectionStore';
import type { ConsentFlow } from '../connections/consentFlow';
import type { Database } from '../db/database';
import type { Logger } from '../log';
import type { TokenVault } from '../tokens/vault';

interface PurgeResult {
  tokens: number;
  connectSessions: number;
  connectionsNeedingConsent: number;
}

/**
 * The expiry purge: every token past its expiry and every expired connect session is physically deleted
 * (the bank's checklist asks for deletion, not a flag) by the owner of its table; connections left
 * without tokens then need the store owner; on SQLite the freed pages and the WAL are wiped.
 */
export class Purger {
  constructor(
    private readonly db: Database,
    private readonly vault: TokenVault,
    private readonly connect: ConsentFlow,
    private readonly connections: ConnectionStore,
    private readonly clock: Clock,
    private readonly log: Logger,
    private readonly audit: AuditLog,
  ) {}

  /**
   * Each step runs whatever happened to the one before; a failed step is logged and the run then fails
   * as a whole (so the CLI and the scheduler say so) after the other steps had their go.
   */
  async run(): Promise<PurgeResult> {
    const now = this.clock.now();
    const failures: string[] = [];
    const step = async (name: string, work: () => Promise<number>): Promise<number> => {
      try {
        return await work();
      } catch (err) {
        failures.push(name);
        this.log.error('purge step failed', { step: name, err });
        return 0;
      }
    };
    const tokens = await step('tokens', () => this.vault.deleteExpired(now));
    const connectSessions = await step('connect sessions', () => this.connect.deleteExpiredSessions(now));
    const connectionsNeedingConsent = await step('connections without tokens', () => this.connections.flagWithoutTokens());
    if (tokens + connectSessions > 0) await step('checkpoint', () => this.db.eraseFreedPages().then(() => 0));
    this.log.info('purge finished', { deletedTokens: tokens, deletedConnectSessions: connectSessions, connectionsNeedingConsent, failedSteps: failures });
    await this.audit.record({
      action: 'purge.run',
      outcome: failures.length > 0 ? 'failed' : 'succeeded',
      reason: failures.length > 0 ? `failed steps: ${failures.join(', ')}` : null,
      details: { deletedTokens: tokens, deletedConnectSessions: connectSessions, connectionsNeedingConsent },
    });
    if (failures.length > 0) throw new Error(`purge incomplete: ${failures.join(', ')} failed`);
    return { tokens, connectSessions, connectionsNeedingConsent };
  }
}
