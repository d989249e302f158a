import { z } from 'zod';
import { BankError } from './errors';

/** GMO's booleans are JSON booleans, but sunabar has been seen sending `hasNext` as the string "true". */
export const bankBoolean = z.union([z.boolean(), z.enum(['true', 'false']).transform((v) => v === 'true')]);

/** The paging block of a status query by period (振込一括照会対象指定レスポンス). */
export const periodPaging = z.array(z.object({ hasNext: bankBoolean.optional(), nextItemKey: z.string().optional() })).optional();

/**
 * Follows `nextItemKey` through every page of a status query by period, at most `maxPages`. A search cut
 * short would say "not at the bank" for something that is: past the bound it throws, never answers partially.
 */
export async function allStatusPages<T>(
  fetchPage: (nextItemKey: string | undefined) => Promise<{ items: T[]; paging: z.infer<typeof periodPaging> }>,
  maxPages: number,
  what: string,
): Promise<T[]> {
  const all: T[] = [];
  let nextItemKey: string | undefined;
  for (let page = 0; page < maxPages; page++) {
    const { items, paging } = await fetchPage(nextItemKey);
    all.push(...items);
    const p = paging?.[0];
    if (!p?.hasNext || !p.nextItemKey) return all;
    nextItemKey = p.nextItemKey;
  }
  throw new BankError('protocol', `${what}: more than ${maxPages} pages; the search is incomplete`, { certainlyNotProcessed: true });
}
