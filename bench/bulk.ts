import { buildBulkDraft } from '../src/bulkTransfers/draft';
import type { Bank } from './bank';
import { BULK_ITEMS, bulkBody, gmoBulk } from './bodies';
import { memoryOf, type NodeChild } from './children';
import type { LoadGenerator, LoadResult } from './load';
import { median } from './stats';

const ROUNDS = 3;

export interface BulkFigures {
  items: number;
  payloadMiB: number;
  /** buildBulkDraft alone, in the bench's own process (pure CPU: zengin, kana, limits, dates) */
  validateMs: number;
  integrator: LoadResult;
  bank: LoadResult;
  rssMiB?: { before: number; after: number };
}

/**
 * A 9,999-item 総合振込, ROUNDS times one after another: the whole POST through the integrator (validate,
 * store the batch and its items, one bank call, the fee quote) against the bank's own time for the same GMO
 * request called directly, and the integrator's memory before and after.
 */
export async function measureBulk(load: LoadGenerator, bank: Bank, integrator: { process: NodeChild; baseUrl: string; companyId: string; apiKey: string }, tag: string): Promise<BulkFigures> {
  const body = bulkBody();
  const payload = JSON.stringify(body);
  const now = new Date();
  buildBulkDraft(body, bank.accounts, now);
  const validateMs = median(
    Array.from({ length: ROUNDS }, () => {
      const started = performance.now();
      buildBulkDraft(body, bank.accounts, now);
      return performance.now() - started;
    }),
  );

  const direct = await load.run({
    url: `${bank.apiUrl}/bulktransfer/request`,
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-access-token': bank.accessToken },
    body: JSON.stringify(gmoBulk(body, bank.accounts, now)),
    unique: { header: 'idempotency-key', prefix: `${tag}-bulk-bank` },
    connections: 1,
    amount: ROUNDS,
  });
  const before = memoryOf(integrator.process.pid);
  const through = await load.run({
    url: `${integrator.baseUrl}/v1/companies/${integrator.companyId}/bulk-transfers`,
    method: 'POST',
    headers: { authorization: `Bearer ${integrator.apiKey}`, 'content-type': 'application/json' },
    body: payload,
    unique: { header: 'idempotency-key', prefix: `${tag}-bulk` },
    connections: 1,
    amount: ROUNDS,
  });
  const after = memoryOf(integrator.process.pid);
  return {
    items: BULK_ITEMS,
    payloadMiB: payload.length / 2 ** 20,
    validateMs,
    integrator: through,
    bank: direct,
    ...(before && after ? { rssMiB: { before: before.rssMiB, after: after.rssMiB } } : {}),
  };
}
