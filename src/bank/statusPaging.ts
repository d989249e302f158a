import { z } from 'zod';
import { BankError } from './errors';
import type { BankHttpClient } from './httpClient';

/** GMO's booleans are JSON booleans, but sunabar has been seen sending `hasNext` as the string "true". */
export const bankBoolean = z.union([z.boolean(), z.enum(['true', 'false']).transform((v) => v === 'true')]);

/** The paging block of a status query by period (振込一括照会対象指定レスポンス). */
export const periodPaging = z.array(z.object({ hasNext: bankBoolean.optional(), nextItemKey: z.string().optional() })).optional();

type Page<T> = { items: T[]; paging: z.infer<typeof periodPaging> };
type PageFetcher<T> = (nextItemKey: string | undefined) => Promise<Page<T>>;

/** A status query by period at `path` (振込 or 総合振込): queryKeyClass 2 over apply dates, a page per call, read by `read`. */
export function periodPageFetcher<T>(
  http: BankHttpClient,
  path: string,
  read: (body: unknown) => Page<T>,
  q: { accessToken: string; accountId: string; dateFrom: string; dateTo: string },
): PageFetcher<T> {
  return async (nextItemKey) => {
    const res = await http.send({
      method: 'GET',
      path,
      accessToken: q.accessToken,
      query: { accountId: q.accountId, queryKeyClass: '2', dateFrom: q.dateFrom, dateTo: q.dateTo, requestTransferTerm: '1', nextItemKey },
    });
    return read(res.body);
  };
}

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
