import type { BulkBody } from '../src/bulkTransfers/contract';
import { buildBulkDraft, gmoBulkRequest } from '../src/bulkTransfers/draft';
import { figures, load, loopSync } from './measure';
import type { Invariant, Row } from './report';
import { startStack } from './stack';

export const BULK_ITEMS = 9_999;
const ROUNDS = 3;

/** 9,999 payouts of 100 yen to beneficiaries that exist in zengin-code, every name converted from full width. */
function bulkBody(): BulkBody {
  const names = ['ヤマダ タロウ', 'スズキ ハナコ', 'サトウ ジロウ', '株式会社リコア', 'タナカ ケンジ'];
  return {
    items: Array.from({ length: BULK_ITEMS }, (_, i) => ({
      amount: 100,
      beneficiary: { bankCode: '0005', branchCode: '001', accountType: 'ordinary' as const, accountNumber: String(1_000_000 + i), name: names[i % names.length] },
      reference: `BUY-${i + 1}`,
    })),
  };
}

/**
 * A 9,999-item 総合振込: the time to validate and convert every item (in process), the time of the whole
 * POST (validate, store the batch and its items, one bank call, the fee quote) against the bank's own
 * time for the same request (the simulator called directly: the baseline), and the memory it takes.
 * On its own stack, so its money does not drain the transfers' test account.
 */
export async function measureBulk(databaseUrl: string | undefined, capMs: number): Promise<{ rows: Row[]; lines: string[]; invariants: Invariant[] }> {
  const stack = await startStack(databaseUrl);
  try {
    const body = bulkBody();
    const payload = JSON.stringify(body);
    const accounts = stack.services.connectionStore.accounts(await stack.services.connectionStore.usable(stack.companyId));
    const now = new Date();

    loopSync(1, capMs, () => buildBulkDraft(body, accounts, now));
    const validate = loopSync(ROUNDS, capMs, () => buildBulkDraft(body, accounts, now));

    // the bank's own time for the same GMO request, called directly with the company's token
    const draft = buildBulkDraft(body, accounts, now);
    const gmoBody = JSON.stringify(gmoBulkRequest({ ...draft, transferDataName: 'BENCH' }, draft.items));
    const token = await stack.services.vault.accessToken(stack.companyId);
    const simUrl = new URL(stack.services.config.bank.apiUrl);
    let bankOk = 0;
    const direct = await load(ROUNDS, 1, capMs, async (i) => {
      const res = await fetch(`${simUrl}/bulktransfer/request`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-access-token': token, 'idempotency-key': `bench-direct-${i}` },
        body: gmoBody,
      });
      await res.arrayBuffer();
      if (res.status === 201) bankOk++;
    });

    const before = process.memoryUsage();
    let created = 0;
    const post = await load(ROUNDS, 1, capMs, async (i) => {
      const res = await fetch(`${stack.baseUrl}/v1/companies/${stack.companyId}/bulk-transfers`, {
        method: 'POST',
        headers: { authorization: `Bearer ${stack.apiKey}`, 'content-type': 'application/json', 'idempotency-key': `bench-bulk-${i}` },
        body: payload,
      });
      await res.arrayBuffer();
      if (res.status === 201) created++;
    });
    const after = process.memoryUsage();

    const postFigures = figures(post);
    const directFigures = figures(direct);
    const mib = (bytes: number) => `${(bytes / 2 ** 20).toFixed(1)} MiB`;
    return {
      rows: [
        { name: `bulk: validate ${BULK_ITEMS} items (in process)`, figures: figures(validate) },
        { name: `bulk: bank alone, POST /bulktransfer/request ${BULK_ITEMS} items`, figures: directFigures },
        { name: `bulk: POST /bulk-transfers ${BULK_ITEMS} items`, figures: postFigures },
      ],
      lines: [
        `bulk transfer of ${BULK_ITEMS} items (${(payload.length / 2 ** 20).toFixed(1)} MiB of JSON): p50 ${postFigures.p50.toFixed(0)} ms through the integrator vs ${directFigures.p50.toFixed(0)} ms at the bank alone (${(postFigures.p50 / directFigures.p50).toFixed(2)}×; one bank call per batch either way)`,
        `memory over ${ROUNDS} bulk POSTs: RSS ${mib(before.rss)} → ${mib(after.rss)}, heap used ${mib(before.heapUsed)} → ${mib(after.heapUsed)} (service, simulator and load generator share this process)`,
      ],
      invariants: [
        { name: 'every bulk POST answered 201', ok: created === post.done, detail: `${created} of ${post.done}` },
        { name: 'the bank accepted every direct bulk request', ok: bankOk === direct.done, detail: `${bankOk} of ${direct.done}` },
        {
          name: 'one bank bulk request per batch',
          ok: stack.sim.state.stats().bulkTransferRequests === post.done + direct.done,
          detail: `simulator bulkTransferRequests ${stack.sim.state.stats().bulkTransferRequests}`,
        },
      ],
    };
  } finally {
    await stack.close();
  }
}
