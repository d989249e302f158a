import type { Logger } from '../log';
import type { PollOutcome } from './reconciler';

/** What a pass needs to know of the payouts it follows (transfers, bulk transfers). */
interface PollSubject {
  noun: string;
  /** the log field carrying the row's id */
  idField: string;
  /** rows per pass */
  perPass: number;
}

/**
 * One pass over the payouts that are due a look, oldest due first, one at a time; rows fail alone. The same
 * pass serves transfers and bulk transfers, each with its own store and reconciler.
 */
export class Poller<T extends { id: string; companyId: string }> {
  constructor(
    private readonly subject: PollSubject,
    private readonly due: (limit: number) => Promise<T[]>,
    private readonly reconciler: { poll(row: T): Promise<PollOutcome>; pushBack(row: T): Promise<void> },
    private readonly log: Logger,
  ) {}

  async runOnce(): Promise<Record<PollOutcome | 'checked', number>> {
    const counts: Record<PollOutcome | 'checked', number> = { checked: 0, updated: 0, unchanged: 0, resent: 0, adopted: 0, deferred: 0, flagged: 0, failed: 0 };
    for (const row of await this.due(this.subject.perPass)) {
      counts[await this.pollIsolated(row)] += 1;
      counts.checked += 1;
    }
    if (counts.checked > 0) this.log.info(`${this.subject.noun} poll finished`, counts);
    return counts;
  }

  /** One row's failure is logged, counted and pushed back; it never stops the pass for the others. */
  private async pollIsolated(row: T): Promise<PollOutcome> {
    const { noun, idField } = this.subject;
    try {
      return await this.reconciler.poll(row);
    } catch (err) {
      this.log.error(`${noun} poll failed; pushed back`, { [idField]: row.id, companyId: row.companyId, err });
      try {
        await this.reconciler.pushBack(row);
      } catch (pushErr) {
        this.log.error(`could not push the ${noun} back`, { [idField]: row.id, err: pushErr });
      }
      return 'failed';
    }
  }
}
