import { z } from 'zod';
import { BankError } from './errors';

/** GMO's booleans are JSON booleans, but sunabar has been seen sending `hasNext` as the string "true". */
export const bankBoolean = z.union([z.boolean(), z.enum(['true', 'false']).transform((v) => v === 'true')]);

/** The paging block of a status query by period (振込一括照会対象指定レスポンス). */
export const periodPaging = z.array(z.object({ hasNext: bankBoolean.optional(), nextItemKey: z.string().optional() })).optional();

type PageFetcher<T> = (nextItemKey: string | undefined) => Promise<{ items: T[]; paging: z.infer<typeof periodPaging> }>;

/**
 * The pages of a status query by period, following `nextItemKey`, at most `maxPages`: a reader that finds
 * what it looks for early stops asking. Past the bound it throws, so a search is never silently partial.
 */
export async function* statusPages<T>(fetchPage: PageFetcher<T>, maxPages: number, what: string): AsyncGenerator<T[]> {
  let nextItemKey: string | undefined;
  for (let page = 0; page < maxPages; page++) {
    const { items, paging } = await fetchPage(nextItemKey);
    yield items;
    const p = paging?.[0];
    if (!p?.hasNext || !p.nextItemKey) return;
    nextItemKey = p.nextItemKey;
  }
  throw new BankError('protocol', `${what}: more than ${maxPages} pages; the search is incomplete`, { certainlyNotProcessed: true });
}

/** Every page of a status query by period, at most `maxPages` (past it, it throws: never answers partially). */
export async function allStatusPages<T>(fetchPage: PageFetcher<T>, maxPages: number, what: string): Promise<T[]> {
  const all: T[] = [];
  for await (const items of statusPages(fetchPage, maxPages, what)) all.push(...items);
  return all;
}
