import { In, LessThanOrEqual } from 'typeorm';
import type { Clock } from '../clock';
import type { ConnectionStore } from '../connections/connectionStore';
import { ConnectSession } from '../connections/connectSession.entity';
import type { Database } from '../db/database';
import type { Logger } from '../log';
import { BankToken } from '../tokens/bankToken.entity';

export interface PurgeResult {
  tokens: number;
  connectSessions: number;
  connectionsNeedingConsent: number;
}

const BATCH = 500;
const MAX_BATCHES = 1000;

/**
 * Physically deletes every token past its expiry and every expired connect session (the bank's
 * checklist asks for deletion, not a flag), in batches so one run never holds a long lock.
 */
export class Purger {
  constructor(
    private readonly db: Database,
    private readonly connections: ConnectionStore,
    private readonly clock: Clock,
    private readonly log: Logger,
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
    const tokens = await step('tokens', () => this.deleteInBatches(BankToken, now));
    const connectSessions = await step('connect sessions', () => this.deleteInBatches(ConnectSession, now));
    const connectionsNeedingConsent = await step('connections without tokens', () => this.connections.flagWithoutTokens());
    if (tokens + connectSessions > 0) await step('checkpoint', () => this.db.eraseFreedPages().then(() => 0));
    this.log.info('purge finished', { deletedTokens: tokens, deletedConnectSessions: connectSessions, connectionsNeedingConsent, failedSteps: failures });
    if (failures.length > 0) throw new Error(`purge incomplete: ${failures.join(', ')} failed`);
    return { tokens, connectSessions, connectionsNeedingConsent };
  }

  private async deleteInBatches(entity: typeof BankToken | typeof ConnectSession, now: Date): Promise<number> {
    let total = 0;
    for (let batch = 0; batch < MAX_BATCHES; batch++) {
      const deleted = await this.db.transaction(async (em) => {
        const rows = await em.find(entity, { select: { id: true }, where: { expiresAt: LessThanOrEqual(now) }, take: BATCH });
        if (rows.length === 0) return 0;
        await em.delete(entity, { id: In(rows.map((r) => r.id)) });
        return rows.length;
      });
      total += deleted;
      if (deleted < BATCH) break;
    }
    return total;
  }
}
