import { LessThanOrEqual } from 'typeorm';
import type { Clock } from '../clock';
import type { Database } from '../db/database';
import type { Logger } from '../log';
import type { PollOutcome, TransferReconciler } from './reconciler';
import { Transfer } from './transfer.entity';

const BATCH = 200;

/** One pass over the transfers that are due a look, oldest due first, one bank call at a time; rows fail alone. */
export class TransferPoller {
  constructor(
    private readonly db: Database,
    private readonly reconciler: TransferReconciler,
    private readonly clock: Clock,
    private readonly log: Logger,
    private readonly environment: string,
  ) {}

  async runOnce(): Promise<Record<PollOutcome | 'checked', number>> {
    const due = await this.db.manager.find(Transfer, {
      where: { environment: this.environment, nextPollAt: LessThanOrEqual(this.clock.now()) },
      order: { nextPollAt: 'ASC' },
      take: BATCH,
    });
    const counts: Record<PollOutcome | 'checked', number> = { checked: 0, updated: 0, unchanged: 0, resent: 0, adopted: 0, deferred: 0, flagged: 0, failed: 0 };
    for (const t of due) {
      counts[await this.pollIsolated(t)] += 1;
      counts.checked += 1;
    }
    if (counts.checked > 0) this.log.info('transfer poll finished', counts);
    return counts;
  }

  /** One row's failure is logged, counted and pushed back; it never stops the pass for the others. */
  private async pollIsolated(t: Transfer): Promise<PollOutcome> {
    try {
      return await this.reconciler.poll(t);
    } catch (err) {
      this.log.error('transfer poll failed; pushed back', { transferId: t.id, companyId: t.companyId, err });
      try {
        await this.reconciler.pushBack(t);
      } catch (pushErr) {
        this.log.error('could not push the transfer back', { transferId: t.id, err: pushErr });
      }
      return 'failed';
    }
  }
}
