import { addDays, jstDayStart } from '../jst';
import type { Transfer, TransferStatus } from './transfers';

interface Entry {
  key: number;
  transfer: Transfer;
}

/** A binary min-heap on `key`. */
class MinHeap {
  private readonly items: Entry[] = [];

  get top(): Entry | undefined {
    return this.items[0];
  }

  push(entry: Entry): void {
    const items = this.items;
    items.push(entry);
    for (let i = items.length - 1; i > 0; ) {
      const parent = (i - 1) >> 1;
      if (items[parent].key <= items[i].key) break;
      [items[parent], items[i]] = [items[i], items[parent]];
      i = parent;
    }
  }

  pop(): Entry | undefined {
    const items = this.items;
    const top = items[0];
    const last = items.pop();
    if (items.length === 0 || !last) return top;
    items[0] = last;
    for (let i = 0; ; ) {
      const left = 2 * i + 1;
      const right = left + 1;
      let smallest = i;
      if (left < items.length && items[left].key < items[smallest].key) smallest = left;
      if (right < items.length && items[right].key < items[smallest].key) smallest = right;
      if (smallest === i) break;
      [items[smallest], items[i]] = [items[i], items[smallest]];
      i = smallest;
    }
    return top;
  }
}

type Waiting = '2' | '11' | '12';

/**
 * The transitions the clock alone causes: 2 expires (5) once its designated date has passed unapproved,
 * 11 starts processing (12) on its date, 12 completes (20) settleAfterSeconds after processing started.
 * Keys never change while a transfer stays in a status, so settleAfterSeconds may change at run time.
 */
const RULES: Record<Waiting, { key(t: Transfer): number; delayMs(settleAfterSeconds: number): number; to: TransferStatus }> = {
  '2': { key: (t) => jstDayStart(addDays(t.designatedDate, 1)).getTime(), delayMs: () => 0, to: '5' },
  '11': { key: (t) => jstDayStart(t.designatedDate).getTime(), delayMs: () => 0, to: '12' },
  '12': { key: (t) => (t.processingSince ?? t.createdAt).getTime(), delayMs: (s) => s * 1000, to: '20' },
};

function isWaiting(status: TransferStatus): status is Waiting {
  return Object.hasOwn(RULES, status);
}

export interface DueTransition {
  transfer: Transfer;
  at: Date;
  to: TransferStatus;
}

/** Transfers waiting for the clock, one heap per status, so a read costs O(log n) rather than a scan. */
export class ClockSchedule {
  private readonly heaps: Record<Waiting, MinHeap> = { '2': new MinHeap(), '11': new MinHeap(), '12': new MinHeap() };

  constructor(private readonly settleAfterSeconds: () => number) {}

  /** Call after every status change. Entries a transfer leaves behind are skipped when they surface. */
  track(transfer: Transfer): void {
    if (isWaiting(transfer.status)) this.heaps[transfer.status].push({ key: RULES[transfer.status].key(transfer), transfer });
  }

  /** Removes and returns the earliest transition due at `now` or before, across all statuses. */
  takeDue(now: number): DueTransition | undefined {
    let earliest: { status: Waiting; at: number } | undefined;
    for (const status of Object.keys(RULES) as Waiting[]) {
      const top = this.freshTop(status);
      if (!top) continue;
      const at = top.key + RULES[status].delayMs(this.settleAfterSeconds());
      if (!earliest || at < earliest.at) earliest = { status, at };
    }
    if (!earliest || earliest.at > now) return undefined;
    const { transfer } = this.heaps[earliest.status].pop() as Entry;
    return { transfer, at: new Date(earliest.at), to: RULES[earliest.status].to };
  }

  /** The top entry, after dropping those whose transfer has moved on since it was tracked. */
  private freshTop(status: Waiting): Entry | undefined {
    const heap = this.heaps[status];
    for (let top = heap.top; top; top = heap.top) {
      if (top.transfer.status === status && RULES[status].key(top.transfer) === top.key) return top;
      heap.pop();
    }
    return undefined;
  }
}
