import { GATEWAY, errorResponse } from './errors';

/** "取得上限件数 500件" on every list API. */
export const PAGE_SIZE = 500;

/** A date range; `from` undefined means "since the first record". */
export interface Period {
  from?: string;
  to: string;
}

/**
 * The spec's 対象期間 table: neither date → today; From only → From..today; To only → first record..To;
 * both → From..To, and From after To is a 400.
 */
export function period(from: string | undefined, to: string | undefined, today: string): Period {
  checkOrder(from, to, '対象期間');
  if (to) return { from, to };
  return { from: from ?? today, to: today };
}

/** Any "From ≦ To" pair of the spec: From after To is a 400. `name` is the pair's name, e.g. 対象期間. */
export function checkOrder(from: string | undefined, to: string | undefined, name: string): void {
  if (from && to && from > to) {
    throw errorResponse(400, GATEWAY.invalidParameter, `${name}Fromには${name}To以前の日付を指定してください。`);
  }
}

export function inPeriod(date: string, p: Period): boolean {
  return (p.from === undefined || date >= p.from) && date <= p.to;
}

export interface Page<T> {
  items: T[];
  hasNext: boolean;
  /** set only when hasNext, as the spec requires */
  nextItemKey?: string;
}

/** One page from `start`; `keyAt(i)` is the nextItemKey that makes the next request start at item i. */
export function page<T>(items: readonly T[], start: number, keyAt: (index: number) => string): Page<T> {
  const end = start + PAGE_SIZE;
  const hasNext = end < items.length;
  return { items: items.slice(start, end), hasNext, nextItemKey: hasNext ? keyAt(end) : undefined };
}

/**
 * One page of items in the order of their numeric keys (itemKey, ascending or, with `descending`, descending),
 * starting at the item a previous page's nextItemKey named: the next key is the key of the page's first left-out item.
 */
export function pageFromKey<T>(items: readonly T[], nextItemKey: string | undefined, keyOf: (item: T) => string, descending = false): Page<T> {
  const ordered = descending ? [...items].reverse() : items;
  const key = nextItemKey === undefined ? undefined : BigInt(nextItemKey);
  const start = key === undefined ? 0 : ordered.findIndex((item) => (descending ? BigInt(keyOf(item)) <= key : BigInt(keyOf(item)) >= key));
  return page(ordered, start < 0 ? ordered.length : start, (i) => keyOf(ordered[i]));
}
