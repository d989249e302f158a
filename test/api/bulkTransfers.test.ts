import request from 'supertest';
import { jstDate } from '../../src/bank/jst';
import { nextBusinessDay } from '../../src/calendar/businessDays';
import { BulkTransfer } from '../../src/bulkTransfers/bulkTransfer.entity';
import { BulkTransferItem } from '../../src/bulkTransfers/bulkTransferItem.entity';
import { WebhookEvent } from '../../src/webhooks/webhookEvent.entity';
import { bearer, connectCompany } from '../support/connect';
import { DATABASES } from '../support/databases';
import { startHarness, type Harness } from '../support/harness';

const seller = (i: number, extra: Record<string, unknown> = {}) => ({
  bankCode: '0005',
  branchCode: '001',
  accountType: 'ordinary',
  accountNumber: String(1_000_000 + i),
  name: `ヤマダ タロウ`,
  ...extra,
});
const items = (n: number, amount = 1000) => Array.from({ length: n }, (_, i) => ({ amount, beneficiary: seller(i), reference: `BUY-${i + 1}` }));

describe.each(DATABASES)('bulk transfers (総合振込) on %s', (kind) => {
  let h: Harness;
  let key: string;
  beforeAll(async () => {
    h = await startHarness(kind);
    ({ key } = await connectCompany(h, 'SHOP'));
  });
  afterAll(async () => {
    await h?.close();
  });

  const post = (idem: string, payload: object) =>
    request(h.app).post('/v1/companies/SHOP/bulk-transfers').set(...bearer(key)).set('idempotency-key', idem).send(payload);
  const get = (path: string) => request(h.app).get(`/v1/companies/SHOP/bulk-transfers${path}`).set(...bearer(key));
  const bankBatches = () => h.sim.state.bulkTransfers();
  const bankRequests = () => h.sim.state.stats().bulkTransferRequests;
  const stored = async () => [await h.services.db.manager.count(BulkTransfer), await h.services.db.manager.count(BulkTransferItem)];
  /** Poll passes with the clock moving: the bank settles, then itemises the batch ~10 minutes after the request. */
  const follow = async (passes: number, seconds: number) => {
    for (let i = 0; i < passes; i++) {
      h.clock.advanceSeconds(seconds);
      await h.services.bulkPoller.runOnce();
    }
  };

  test('9,999 payouts: validated, stored and sent in one bank call, then followed to each item’s end (some fail, one returned)', async () => {
    const before = bankRequests();
    const res = await post('day-2026-11-24', { transferDataName: '11月24日買取', items: items(9_999) }).expect(201);
    expect(res.body).toMatchObject({
      status: 'submitted',
      totalCount: 9_999,
      totalAmount: 9_999_000,
      transferDataName: '11月24日買取',
      applyNo: expect.stringMatching(/^\d{16}$/),
      itemCounts: { submitted: 9_999, pending: 0 },
      fee: expect.any(Number),
      feeStatus: 'quoted',
    });
    expect(res.headers.location).toBe(`/v1/companies/SHOP/bulk-transfers/${res.body.id}`);
    expect(bankRequests() - before).toBe(1);
    const [batch] = bankBatches().filter((b) => b.applyNo === res.body.applyNo);
    expect(batch.items).toHaveLength(9_999);
    expect(batch.amount).toBe(9_999_000);
    expect(batch.idempotencyKey).toBe(res.body.id);

    // items 3 and 7 could not be executed (手続不成立) before completion; the bank itemises the batch ~10 minutes after the request
    h.sim.state.forceTransferStatus(res.body.applyNo, '40', ['3', '7']);
    await follow(8, 120);
    let now = (await get(`/${res.body.id}`).expect(200)).body;
    expect(now).toMatchObject({ status: 'completed_with_exceptions', bankStatus: '30', feeStatus: 'final', itemsReadAt: expect.any(String) });
    expect(now.itemCounts).toMatchObject({ completed: 9_997, failed: 2, submitted: 0 });

    // one paid item comes back (資金返却) after completion
    h.sim.state.forceTransferStatus(res.body.applyNo, '22', ['5000']);
    await follow(2, 6 * 3600 + 1);
    now = (await get(`/${res.body.id}`).expect(200)).body;
    expect(now.itemCounts).toMatchObject({ completed: 9_996, failed: 2, returned: 1 });

    const failed = (await get(`/${res.body.id}/items?status=failed`).expect(200)).body;
    expect(failed.items.map((i: { itemNo: number }) => i.itemNo)).toEqual([3, 7]);
    expect(failed.items[0]).toMatchObject({ status: 'failed', reference: 'BUY-3', error: { code: 'BANK_DETAIL_2' } });
    const returned = (await get(`/${res.body.id}/items?status=returned`).expect(200)).body;
    expect(returned.items).toEqual([expect.objectContaining({ itemNo: 5000, status: 'returned', returnedOn: expect.stringMatching(/^\d{4}-\d{2}-\d{2}$/) })]);

    // paging by item number
    const page1 = (await get(`/${res.body.id}/items?limit=1000`).expect(200)).body;
    expect(page1.items).toHaveLength(1000);
    const page2 = (await get(`/${res.body.id}/items?limit=1000&cursor=${page1.nextCursor}`).expect(200)).body;
    expect(page2.items[0].itemNo).toBe(1001);

    // a webhook per failing and returned item, and the batch's own
    const events = await h.services.db.manager.find(WebhookEvent, { select: { type: true, resourceId: true } });
    const mine = events.filter((e) => e.resourceId.startsWith(res.body.id));
    expect(mine.map((e) => e.type).sort()).toEqual(
      ['bulk_transfer.completed', 'bulk_transfer.item_failed', 'bulk_transfer.item_failed', 'bulk_transfer.item_returned', 'bulk_transfer.submitted'].sort(),
    );
  });

  test('a settled batch is its one debit and fee row on the statement; the day’s report lists each item against them', async () => {
    // the next business morning, 10:00 JST: before the cut-off, so the batch settles the same day
    const today = jstDate(h.clock.now());
    const morning = Date.parse(`${nextBusinessDay(today)}T10:00:00+09:00`);
    h.clock.advanceSeconds((morning - h.clock.now().getTime()) / 1000);
    const res = await post('statement-day', { items: items(3, 2500), transferDataName: 'ﾃﾞｲﾘｰ' }).expect(201);
    await follow(8, 120);
    const batch = (await get(`/${res.body.id}`).expect(200)).body;
    expect(batch).toMatchObject({ status: 'completed', itemCounts: { completed: 3 } });
    const day = batch.settlementDate;
    const statement = (await request(h.app).get(`/v1/companies/SHOP/accounts/101011234567/transactions?from=${day}&to=${day}`).set(...bearer(key)).expect(200)).body;
    const rows = statement.items;
    const debit = rows.find((r: { transferId: string | null; matchedAs: string | null }) => r.transferId === batch.id && r.matchedAs === 'transfer');
    const fee = rows.find((r: { transferId: string | null; matchedAs: string | null }) => r.transferId === batch.id && r.matchedAs === 'fee');
    expect(debit).toMatchObject({ amount: 7500, payoutKind: 'bulk_transfer', remarks: expect.stringContaining('総合振込') });
    expect(fee).toMatchObject({ amount: batch.fee, payoutKind: 'bulk_transfer' });

    const report = (await request(h.app).get(`/v1/companies/SHOP/reports/payouts?date=${jstDate(h.clock.now())}`).set(...bearer(key)).expect(200)).body;
    const lines = report.lines.filter((l: { kind: string; id: string }) => l.kind === 'bulk_transfer_item' && l.id === batch.id);
    expect(lines.map((l: { itemNo: number }) => l.itemNo)).toEqual([1, 2, 3]);
    for (const l of lines) expect(l).toMatchObject({ status: 'completed', amount: 2500, fee: null, statementMatch: { withdrawalItemKey: debit.itemKey, feeItemKey: fee.itemKey } });
  });

  test('10,000 items are refused (the bank’s limit is 9,999): nothing stored, nothing sent', async () => {
    const [rows, sent] = [await stored(), bankRequests()];
    const res = await post('too-many', { items: items(10_000) }).expect(400);
    expect(res.body.errors).toEqual([{ field: 'items', reason: expect.stringContaining('9999') }]);
    expect(await stored()).toEqual(rows);
    expect(bankRequests()).toBe(sent);
  });

  describe('bad items are named by index and field; nothing is stored or sent', () => {
    test.each([
      ['an unknown bank code', { beneficiary: seller(3, { bankCode: '9998' }) }, 'items.3.beneficiary.bankCode'],
      ['a name the bank cannot take', { beneficiary: seller(3, { name: '髙橋 太郎' }) }, 'items.3.beneficiary.name'],
      ['a name over the 30 characters a bulk transfer keeps', { beneficiary: seller(3, { name: 'ア'.repeat(31) }) }, 'items.3.beneficiary.name'],
      ['an EDI the bank cannot take', { ediInfo: '請求書' }, 'items.3.ediInfo'],
      ['over the account’s transfer limit', { amount: 5_000_001 }, 'items.3.amount'],
    ])('%s', async (what, bad, field) => {
      const [rows, sent] = [await stored(), bankRequests()];
      const list = items(5);
      list[3] = { ...list[3], ...bad };
      const res = await post(`bad-${field}-${what.length}`, { items: list }).expect(422);
      expect(res.body.type).toContain('transfer-invalid');
      expect(res.body.errors).toEqual([{ field, reason: expect.any(String) }]);
      expect(await stored()).toEqual(rows);
      expect(bankRequests()).toBe(sent);
    });

    test('every bad item at once, and the shape errors of the body', async () => {
      const list = items(6);
      list[1] = { ...list[1], beneficiary: seller(1, { branchCode: '999' }) };
      list[4] = { ...list[4], beneficiary: seller(4, { name: '😀' }) };
      const res = await post('bad-many', { items: list, remitterName: 'ア'.repeat(41) }).expect(422);
      expect(res.body.errors.map((e: { field: string }) => e.field).sort()).toEqual(['items.1.beneficiary.branchCode', 'items.4.beneficiary.name', 'remitterName']);
      const shape = await post('bad-shape', { items: [{ amount: '1,000', beneficiary: seller(0) }, { amount: 0, beneficiary: seller(1) }], transferDataName: 'あ'.repeat(11) }).expect(400);
      expect(shape.body.errors.map((e: { field: string }) => e.field).sort()).toEqual(['items.0.amount', 'items.1.amount', 'transferDataName']);
      await post('empty', { items: [] }).expect(400);
      // a caller's name that imitates our reference would make another batch's reconciliation inexact
      const imitation = await post('imitation', { items: items(1), transferDataName: 'RB0123ABCD' }).expect(400);
      expect(imitation.body.errors).toEqual([{ field: 'transferDataName', reason: expect.stringContaining('RB') }]);
      await post('no-items', {}).expect(400);
    });

    test('a designated date on a weekend without a rule is refused; with one it moves and says so', async () => {
      const res = await post('saturday', { items: items(2), designatedDate: '2026-11-28' }).expect(422);
      expect(res.body.errors).toEqual([{ field: 'designatedDate', reason: expect.stringContaining('Saturday') }]);
      const moved = await post('saturday-next', { items: items(2), designatedDate: '2026-11-28', holidayRule: 'next_business_day' }).expect(201);
      expect(moved.body).toMatchObject({ designatedDate: '2026-11-28', settlementDate: '2026-11-30', settlementNote: expect.stringContaining('next business day') });
    });
  });

  test('the same key: the same body replays the first answer without a bank call; another body is refused', async () => {
    const body = { items: items(3), reference: 'DAY-1' };
    const first = await post('replay-1', body).expect(201);
    const sent = bankRequests();
    const again = await post('replay-1', body).expect(201);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(again.body.id).toBe(first.body.id);
    expect(bankRequests()).toBe(sent);
    const other = await post('replay-1', { ...body, reference: 'DAY-2' }).expect(422);
    expect(other.body.type).toContain('idempotency-key-reused');
    const listed = (await get('?idempotencyKey=replay-1').expect(200)).body;
    expect(listed.items.map((b: { id: string }) => b.id)).toEqual([first.body.id]);
  });

  test('timeout after the bank committed: unknown, found at the bank by its reference, adopted — never a second batch', async () => {
    h.sim.state.injectFault({ target: 'bulktransfer.request', kind: 'timeout_after_commit' });
    const before = bankRequests();
    const res = await post('lost-answer', { items: items(4) }).expect(202);
    expect(res.body).toMatchObject({ status: 'unknown', applyNo: null, transferDataName: expect.stringMatching(/^RB[0-9A-F]{8}$/) });
    expect(bankRequests() - before).toBe(1);
    await follow(3, 400);
    const now = (await get(`/${res.body.id}`).expect(200)).body;
    const atBank = bankBatches().filter((b) => b.idempotencyKey === res.body.id);
    expect(atBank).toHaveLength(1);
    expect(now.applyNo).toBe(atBank[0].applyNo);
    expect(now.status).not.toMatch(/unknown|pending/);
    expect(bankRequests() - before).toBe(1);
  });

  test('the bank refuses the request as sent: 422 with the bank’s item errors, the batch failed', async () => {
    // the bank's own check of a total over the withdrawable balance (the simulator's 50,000,000 yen account)
    const res = await post('too-much', { items: items(20, 4_000_000) }).expect(422);
    expect(res.body).toMatchObject({ type: expect.stringContaining('bulk-transfer-refused'), bulkTransfer: { status: 'failed', itemCounts: { failed: 20 } } });
    expect(res.body.bulkTransfer.accountId).not.toBe('101011234567');
  });

  test('429 at submission: pending, sent later by the poller, once', async () => {
    h.sim.state.injectFault({ target: 'bulktransfer.request', kind: 'rate_limit' });
    const before = bankRequests();
    const res = await post('later', { items: items(2) }).expect(202);
    expect(res.body.status).toBe('pending');
    await follow(2, 200);
    expect((await get(`/${res.body.id}`).expect(200)).body.status).not.toBe('pending');
    expect(bankRequests() - before).toBe(1);
  });

  test('cancel before it is processed; fee quote; lists; another company sees nothing', async () => {
    const quote = await request(h.app).post('/v1/companies/SHOP/bulk-transfers/fee-quote').set(...bearer(key)).send({ items: items(3) }).expect(200);
    expect(quote.body).toMatchObject({ totalCount: 3, totalAmount: 3000, fee: expect.any(Number), totalDebit: 3000 + quote.body.fee });

    const future = await post('to-cancel', { items: items(2), designatedDate: '2026-12-01' }).expect(201);
    expect(future.body.status).toMatch(/submitted|scheduled/);
    const cancelled = await request(h.app).post(`/v1/companies/SHOP/bulk-transfers/${future.body.id}/cancel`).set(...bearer(key)).expect(200);
    expect(cancelled.body).toMatchObject({ status: 'cancelled', itemCounts: { cancelled: 2 } });
    const again = await request(h.app).post(`/v1/companies/SHOP/bulk-transfers/${future.body.id}/cancel`).set(...bearer(key)).expect(409);
    expect(again.body.type).toContain('bulk-transfer-not-cancellable');

    const list = (await get('?status=cancelled').expect(200)).body;
    expect(list.items.map((b: { id: string }) => b.id)).toContain(future.body.id);
    // the page's item counts come from one query for the whole page
    expect(list.items.find((b: { id: string }) => b.id === future.body.id).itemCounts).toMatchObject({ cancelled: 2, pending: 0 });
    const otherKey = await h.apiKey('OTHER');
    await request(h.app).get(`/v1/companies/SHOP/bulk-transfers/${future.body.id}`).set(...bearer(otherKey)).expect(404);
    await request(h.app).get(`/v1/companies/OTHER/bulk-transfers/${future.body.id}`).set(...bearer(otherKey)).expect(404);
    await get('/not-a-uuid').expect(400);
    await get('?cursor=garbage').expect(400);
  });
});
