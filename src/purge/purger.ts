import type { AuditLog } from '../audit/auditLog';
import type { Clock } from '../clock';
import type { ConnectionStore } from '../connections/connectionStore';
import type { ConsentFlow } from '../connections/consentFlow';
import type { Database } from '../db/database';
import type { DeletePace, Deleted } from '../db/expiry';
import type { Logger } from '../log';
import type { Instruments } from '../metrics/instruments';
import type { TokenVault } from '../tokens/vault';

interface PurgeResult {
  tokens: number;
  connectSessions: number;
  connectionsNeedingConsent: number;
  /** false: the time budget ran out with expired rows left; the next run goes on */
  complete: boolean;
}

/**
 * How a purge shares the database: rows per DELETE, the pause between two (at least `pauseMs`, and at least as
 * long as the batch before it took: the purge holds the database at most half the time), and the run's budget.
 */
export interface PurgePace {
  batch: number;
  pauseMs: number;
  budgetMs: number;
  /** milliseconds from an arbitrary origin: real time, whatever clock the service is given */
  elapsedMs: () => number;
  sleep: (ms: number) => Promise<void>;
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
    private readonly metrics: Instruments,
    private readonly pace: PurgePace,
  ) {}

  /**
   * Each step runs whatever happened to the one before; a failed step is logged and the run then fails
   * as a whole (so the CLI and the scheduler say so) after the other steps had their go.
   */
  async run(stopping?: AbortSignal): Promise<PurgeResult> {
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
    const started = this.pace.elapsedMs();
    const deletePace: DeletePace = {
      batch: this.pace.batch,
      elapsedMs: this.pace.elapsedMs,
      // a slow batch means the database is busy (with requests, or a large table): the purge gives way as long
      pause: (batchMs) => this.pace.sleep(Math.max(this.pace.pauseMs, Math.ceil(batchMs))),
      timeLeft: () => this.pace.elapsedMs() - started < this.pace.budgetMs && !stopping?.aborted,
    };
    let complete = true;
    const deleting = (work: () => Promise<Deleted>) => async () => {
      const { rows, complete: done } = await work();
      complete &&= done;
      return rows;
    };
    const tokens = await step('tokens', deleting(() => this.vault.deleteExpired(now, deletePace)));
    const connectSessions = await step('connect sessions', deleting(() => this.connect.deleteExpiredSessions(now, deletePace)));
    const connectionsNeedingConsent = await step('connections without tokens', () => this.connections.flagWithoutTokens());
    if (tokens + connectSessions > 0) await step('checkpoint', () => this.db.eraseFreedPages().then(() => 0));
    this.log.info(complete ? 'purge finished' : 'purge stopped at its time budget; the next run goes on', {
      deletedTokens: tokens,
      deletedConnectSessions: connectSessions,
      connectionsNeedingConsent,
      failedSteps: failures,
    });
    this.metrics.purgeRun({ tokens, connectSessions, connectionsNeedingConsent }, failures.length === 0);
    await this.audit.record({
      action: 'purge.run',
      outcome: failures.length > 0 ? 'failed' : 'succeeded',
      reason: failures.length > 0 ? `failed steps: ${failures.join(', ')}` : null,
      details: { deletedTokens: tokens, deletedConnectSessions: connectSessions, connectionsNeedingConsent, complete },
    });
    if (failures.length > 0) throw new Error(`purge incomplete: ${failures.join(', ')} failed`);
    return { tokens, connectSessions, connectionsNeedingConsent, complete };
  }
}
