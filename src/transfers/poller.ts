import { eachConcurrently } from '../jobs/eachConcurrently';
import type { Logger } from '../log';
import type { Instruments, PollKind } from '../metrics/instruments';
import type { PollOutcome } from './reconciler';

/** What a pass needs to know of the payouts it follows (transfers, bulk transfers). */
interface PollSubject {
  noun: string;
  /** the log field carrying the row's id */
  idField: string;
  /** rows read from the store at a time */
  batch: number;
  /** rows looked at together (each row's bank calls and writes are its own) */
  concurrency: number;
  /** a pass takes no new batch after this long; what is left is due at the next tick */
  budgetMs: number;
  /** where each pass is timed and counted, under its kind's label */
  metrics?: { kind: PollKind; instruments: Instruments };
}

interface PollReconciler<T, S> {
  /** one look at the bank for many rows at once (list queries), handed to each row's poll */
  snapshot?(rows: T[]): Promise<S>;
  poll(row: T, snapshot?: S): Promise<PollOutcome>;
  pushBack(row: T): Promise<void>;
}

type PassCounts = Record<PollOutcome | 'checked', number>;

/**
 * Passes over the payouts that are due a look, oldest due first, batch after batch until none is due or the
 * time budget is spent (no fixed cap per pass: a backlog is worked off as fast as the bank lets it). Rows
 * fail alone. The same pass serves transfers and bulk transfers, each with its own store and reconciler.
 */
export class Poller<T extends { id: string; companyId: string }, S = never> {
  constructor(
    private readonly subject: PollSubject,
    private readonly due: (limit: number) => Promise<T[]>,
    private readonly reconciler: PollReconciler<T, S>,
    private readonly log: Logger,
    /** milliseconds from an arbitrary origin, for the budget: real time, whatever clock the service is given */
    private readonly elapsedMs: () => number = () => performance.now(),
  ) {}

  /** One pass, timed and counted; a pass that cannot run (the due rows cannot be read) is counted as failed, and thrown. */
  async runOnce(stopping?: AbortSignal): Promise<PassCounts> {
    const started = this.elapsedMs();
    const report = (rows: PassCounts | 'failed') => this.subject.metrics?.instruments.pollPass(this.subject.metrics.kind, (this.elapsedMs() - started) / 1000, rows);
    try {
      const counts = await this.pass(stopping);
      report(counts);
      return counts;
    } catch (err) {
      report('failed');
      throw err;
    }
  }

  private async pass(stopping: AbortSignal | undefined): Promise<PassCounts> {
    const counts: PassCounts = { checked: 0, updated: 0, unchanged: 0, resent: 0, adopted: 0, deferred: 0, flagged: 0, failed: 0 };
    const started = this.elapsedMs();
    // a row whose push-back failed is still due: never looked at twice in one pass
    const seen = new Set<string>();
    while (this.elapsedMs() - started < this.subject.budgetMs && !stopping?.aborted) {
      const rows = (await this.due(this.subject.batch)).filter((r) => !seen.has(r.id));
      if (rows.length === 0) break;
      for (const r of rows) seen.add(r.id);
      const snapshot = await this.snapshotIsolated(rows);
      await eachConcurrently(rows, this.subject.concurrency, async (row) => {
        counts[await this.pollIsolated(row, snapshot)] += 1;
        counts.checked += 1;
      });
    }
    if (counts.checked > 0) this.log.info(`${this.subject.noun} poll finished`, { ...counts, ms: Math.round(this.elapsedMs() - started) });
    return counts;
  }

  /** A snapshot that cannot be taken costs the pass nothing but speed: each row then asks on its own. */
  private async snapshotIsolated(rows: T[]): Promise<S | undefined> {
    try {
      return await this.reconciler.snapshot?.(rows);
    } catch (err) {
      this.log.error(`${this.subject.noun} status snapshot failed; asking row by row`, { err });
      return undefined;
    }
  }

  /** One row's failure is logged, counted and pushed back; it never stops the pass for the others. */
  private async pollIsolated(row: T, snapshot: S | undefined): Promise<PollOutcome> {
    const { noun, idField } = this.subject;
    try {
      return await this.reconciler.poll(row, snapshot);
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
