import type { Logger } from '../log';
import type { PollOutcome, TransferReconciler } from './reconciler';
import type { Transfer } from './transfer.entity';
import type { TransferStore } from './transferStore';

const BATCH = 200;

/** One pass over the transfers that are due a look, oldest due first, one bank call at a time; rows fail alone. */
export class TransferPoller {
  constructor(
    private readonly store: TransferStore,
    private readonly reconciler: TransferReconciler,
    private readonly log: Logger,
  ) {}

  async runOnce(): Promise<Record<PollOutcome | 'checked', number>> {
    const due = await this.store.due(BATCH);
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
