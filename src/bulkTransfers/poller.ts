import type { Logger } from '../log';
import type { PollOutcome } from '../transfers/reconciler';
import type { BulkTransfer } from './bulkTransfer.entity';
import type { BulkTransferStore } from './bulkTransferStore';
import type { BulkReconciler } from './reconciler';

// a batch's look may page 20 item pages: fewer batches per pass than transfers
const BATCH = 50;

/** One pass over the bulk transfers due a look, oldest due first; one batch's failure never stops the others. */
export class BulkPoller {
  constructor(
    private readonly store: BulkTransferStore,
    private readonly reconciler: BulkReconciler,
    private readonly log: Logger,
  ) {}

  async runOnce(): Promise<Record<PollOutcome | 'checked', number>> {
    const counts: Record<PollOutcome | 'checked', number> = { checked: 0, updated: 0, unchanged: 0, resent: 0, adopted: 0, deferred: 0, flagged: 0, failed: 0 };
    for (const b of await this.store.due(BATCH)) {
      counts[await this.pollIsolated(b)] += 1;
      counts.checked += 1;
    }
    if (counts.checked > 0) this.log.info('bulk transfer poll finished', counts);
    return counts;
  }

  private async pollIsolated(b: BulkTransfer): Promise<PollOutcome> {
    try {
      return await this.reconciler.poll(b);
    } catch (err) {
      this.log.error('bulk transfer poll failed; pushed back', { bulkTransferId: b.id, companyId: b.companyId, err });
      try {
        await this.reconciler.pushBack(b);
      } catch (pushErr) {
        this.log.error('could not push the bulk transfer back', { bulkTransferId: b.id, err: pushErr });
      }
      return 'failed';
    }
  }
}
