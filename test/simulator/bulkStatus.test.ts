import { validateBulkTransferRequest } from '../../src/simulator/corporate/bulkTransferRequest';
import { API, CORPORATE_ACCOUNT, TODAY, bulkBody, bulkItem, bulkItems, connect, newSim, type TestSim } from './helpers';

let sim: TestSim;
let token: string;
beforeEach(async () => {
  sim = newSim();
  token = (await connect(sim.app)).access_token;
});
afterEach(() => sim.close());

const get = (path: string, query: Record<string, string | string[]>) => sim.http.get(`${API}${path}`).set('x-access-token', token).query(query);
const status = (query: Record<string, string | string[]>) => get('/bulktransfer/status', { accountId: CORPORATE_ACCOUNT, ...query });
const force = (applyNo: string, body: object) => sim.http.post(`/_sim/transfers/${applyNo}/status`).send(body);

async function book(body = bulkBody(bulkItems(3))): Promise<string> {
  const res = await sim.http.post(`${API}/bulktransfer/request`).set('x-access-token', token).send(body).expect(201);
  return res.body.applyNo;
}

async function items(applyNo: string, bulktransferItemKey?: string) {
  const res = await status({ queryKeyClass: '1', applyNo, detailInfoNecessity: 'true', ...(bulktransferItemKey && { bulktransferItemKey }) }).expect(200);
  return res.body.bulkTransferDetails[0].bulktransferResponses[0].bulkTransferInfos as Array<Record<string, unknown>>;
}

async function rows() {
  const res = await get('/accounts/transactions', { accountId: CORPORATE_ACCOUNT, dateFrom: TODAY, dateTo: TODAY }).expect(200);
  return (res.body.transactions as Array<Record<string, string>>).map((r) => [r.transactionType, r.amount, r.remarks, r.balance]);
}

async function money() {
  const res = await get('/accounts/balances', { accountId: CORPORATE_ACCOUNT }).expect(200);
  return res.body.balances[0] as { balance: string; withdrawableAmount: string };
}

describe('class 1 and the items (detailInfoNecessity)', () => {
  test('detailInfoResult is false for the first 10 minutes of clock time, then true with the items', async () => {
    const applyNo = await book();
    const early = await status({ queryKeyClass: '1', applyNo, detailInfoNecessity: 'true' }).expect(200);
    expect(early.body).toMatchObject({ acceptanceKeyClass: '1', detailInfoNecessity: true, count: '1', detailInfoResult: false });
    expect(early.body.bulkTransferDetails[0].bulktransferResponses[0]).not.toHaveProperty('bulkTransferInfos');
    sim.clock.advance(599);
    expect((await status({ queryKeyClass: '1', applyNo, detailInfoNecessity: 'true' })).body.detailInfoResult).toBe(false);
    sim.clock.advance(1);
    const ready = await status({ queryKeyClass: '1', applyNo, detailInfoNecessity: 'true' }).expect(200);
    expect(ready.body.detailInfoResult).toBe(true);
    expect(ready.body.bulkTransferDetails[0].bulktransferResponses[0].bulkTransferInfos[0]).toEqual({
      itemId: '1',
      transferAmount: '1000',
      beneficiaryBankCode: '0001',
      beneficiaryBankName: 'ﾐｽﾞﾎ',
      beneficiaryBranchCode: '001',
      beneficiaryBranchName: 'ﾄｳｷﾖｳ',
      accountTypeCode: '1',
      accountNumber: '1234567',
      beneficiaryName: 'ﾃｽﾄ ﾀﾛｳ',
      transferDetailResponses: [{ beneficiaryBankNameKanji: 'みずほ', beneficiaryBranchNameKanji: '東京営業部', isFeeFreeUsed: false, transferFee: '145' }],
    });
    // without detailInfoNecessity neither the flag nor the items
    const plain = await status({ queryKeyClass: '1', applyNo }).expect(200);
    expect(plain.body).not.toHaveProperty('detailInfoResult');
    expect(plain.body).not.toHaveProperty('detailInfoNecessity');
    expect(plain.body.bulkTransferDetails[0].bulktransferResponses[0]).not.toHaveProperty('bulkTransferInfos');
  });

  test('the delay is configurable', async () => {
    sim.state.configure({ bulkDetailDelaySeconds: 0 });
    const applyNo = await book();
    expect(await items(applyNo)).toHaveLength(3);
  });

  test('9,999 items come 500 at a time from bulktransferItemKey 1, 501, …, 9501', async () => {
    const applyNo = await book(bulkBody(bulkItems(9_999, '1')));
    sim.clock.advance(600);
    const seen: string[] = [];
    for (let key = 1; key <= 9_999; key += 500) {
      const res = await status({ queryKeyClass: '1', applyNo, detailInfoNecessity: 'true', bulktransferItemKey: String(key) }).expect(200);
      expect(res.body).toMatchObject({ bulktransferItemKey: String(key), detailInfoResult: true, count: '1' });
      const page = res.body.bulkTransferDetails[0].bulktransferResponses[0].bulkTransferInfos as Array<{ itemId: string }>;
      expect(page).toHaveLength(key === 9_501 ? 499 : 500);
      expect(page[0].itemId).toBe(String(key));
      seen.push(...page.map((i) => i.itemId));
    }
    expect(seen).toEqual(Array.from({ length: 9_999 }, (_, i) => String(i + 1)));
    expect(await items(applyNo, '10000')).toEqual([]);
  });

  test('an unknown applyNo is 200 with count 0', async () => {
    const res = await status({ queryKeyClass: '1', applyNo: '2026112499999999' }).expect(200);
    expect(res.body).toMatchObject({ count: '0', bulkTransferDetails: [] });
  });

  test.each([
    ['detailInfoNecessity with class 2', { queryKeyClass: '2', detailInfoNecessity: 'true' }, 'WG_ERR_111'],
    ['bulktransferItemKey without detailInfoNecessity', { queryKeyClass: '1', applyNo: '2026112400000001', bulktransferItemKey: '1' }, 'WG_ERR_111'],
    ['bulktransferItemKey with detailInfoNecessity false', { queryKeyClass: '1', applyNo: '2026112400000001', detailInfoNecessity: 'false', bulktransferItemKey: '1' }, 'WG_ERR_111'],
    ['bulktransferItemKey 0', { queryKeyClass: '1', applyNo: '2026112400000001', detailInfoNecessity: 'true', bulktransferItemKey: '0' }, 'WG_ERR_111'],
    ['detailInfoNecessity not a boolean', { queryKeyClass: '1', applyNo: '2026112400000001', detailInfoNecessity: 'yes' }, 'WG_ERR_111'],
    ['class 1 without applyNo', { queryKeyClass: '1' }, 'WG_ERR_110'],
    ['class 1 with a period', { queryKeyClass: '1', applyNo: '2026112400000001', dateFrom: TODAY }, 'WG_ERR_111'],
    ['status 22 (transfer only)', { queryKeyClass: '2', requestTransferStatus: '22' }, 'WG_ERR_111'],
    ['requestTransferClass (no ビジネスID管理)', { queryKeyClass: '2', requestTransferClass: '1' }, 'WG_ERR_111'],
  ])('%s is a 400 ErrorResponse', async (_name, query, errorCode) => {
    const res = await status(query);
    expect(res.status).toBe(400);
    expect(res.body.errorCode).toBe(errorCode);
  });
});

describe('class 2', () => {
  test('by period, filtered by status (30 allowed), paged 500 at a time with nextItemKey', async () => {
    // Booked in-process: 501 HTTP round trips would only make the test slow.
    const order = validateBulkTransferRequest(bulkBody(bulkItems(1, '1')), {
      ownedAccount: (id) => sim.state.bank.ledger.ownedAccount('corporate-user', id),
      today: TODAY,
      config: sim.state.config,
    });
    for (let i = 0; i < 501; i++) sim.state.bank.book(order, { userId: 'corporate-user' });
    const first = await status({ queryKeyClass: '2' }).expect(200);
    expect(first.body).toMatchObject({ acceptanceKeyClass: '2', count: '500' });
    expect(first.body.transferQueryBulkResponses).toEqual([{ hasNext: true, nextItemKey: '500' }]);
    expect(first.body.bulkTransferDetails[0].bulktransferResponses[0]).not.toHaveProperty('bulkTransferInfos');
    const second = await status({ queryKeyClass: '2', nextItemKey: '500' }).expect(200);
    expect(second.body.count).toBe('1');
    expect(second.body.bulkTransferDetails[0].transferApplies[0].applyNo).toBe('2026112400000501');

    await force('2026112400000001', { status: '40', itemIds: ['1'] }).expect(200);
    sim.clock.advance(60);
    const failed = await status({ queryKeyClass: '2', requestTransferStatus: ['30', '40'] }).expect(200);
    expect(failed.body.bulkTransferDetails.map((d: { transferStatus: string }) => d.transferStatus)).toEqual(['40']);
    expect(failed.body.transferQueryBulkResponses[0].requestTransferStatuses).toEqual([{ requestTransferStatus: '30' }, { requestTransferStatus: '40' }]);
  });
});

describe('items that fail and come back (the control API)', () => {
  test('items failing before completion leave the batch at 30: one 出金 row for the paid items, one fee row', async () => {
    const applyNo = await book(bulkBody([bulkItem(1, { transferAmount: '1000' }), bulkItem(2, { transferAmount: '2000' }), bulkItem(3, { transferAmount: '4000' })], { transferDataName: '11月分' }));
    const forced = await force(applyNo, { status: '40', itemIds: ['2', '3'] }).expect(200);
    expect(forced.body.items.map((i: { outcome?: string }) => i.outcome)).toEqual([undefined, '40', '40']);
    sim.clock.advance(60);
    expect(await money()).toEqual(expect.objectContaining({ balance: '49998855', withdrawableAmount: '49998855' }));
    expect(await rows()).toEqual([
      ['2', '1000', '総合振込 11月分', '49999000'],
      ['2', '145', '振込手数料', '49998855'],
    ]);
    sim.clock.advance(540);
    const res = await status({ queryKeyClass: '1', applyNo, detailInfoNecessity: 'true' }).expect(200);
    const d = res.body.bulkTransferDetails[0];
    expect(d).toMatchObject({ transferStatus: '30', transferStatusName: '不能・組戻あり', totalFee: '145', totalDebitAmount: '1145' });
    const [paid, failed] = d.bulktransferResponses[0].bulkTransferInfos;
    expect(paid.transferDetailResponses).toHaveLength(1);
    expect(paid).not.toHaveProperty('unableDetailInfos');
    expect(failed).toMatchObject({ itemId: '2', transferDetailResponses: [], unableDetailInfos: [{ transferDetailStatus: '2' }] });

    // and the one paid item comes back: still 30, its amount credited, the fee kept
    await force(applyNo, { status: '22', itemIds: ['1'] }).expect(200);
    expect((await rows()).at(-1)).toEqual(['1', '1000', '資金返却 ﾃｽﾄ ﾀﾛｳ', '49999855']);
    const after = (await status({ queryKeyClass: '1', applyNo, detailInfoNecessity: 'true' })).body.bulkTransferDetails[0];
    expect(after.transferStatus).toBe('30');
    expect(after.bulktransferResponses[0].bulkTransferInfos.map((i: { unableDetailInfos?: unknown[] }) => i.unableDetailInfos)).toEqual([
      [{ transferDetailStatus: '2', isRepayment: true, repaymentDate: TODAY }],
      [{ transferDetailStatus: '2' }],
      [{ transferDetailStatus: '2' }],
    ]);
  });

  test('an item returned after completion (資金返却) is credited back and the batch moves from 20 to 30', async () => {
    const applyNo = await book();
    sim.clock.advance(60);
    expect((await status({ queryKeyClass: '1', applyNo })).body.bulkTransferDetails[0].transferStatus).toBe('20');
    sim.clock.advance(86_400); // the next day
    await force(applyNo, { status: '22', itemIds: ['2'] }).expect(200);
    expect((await money()).balance).toBe('49997565');
    const [debit, fee, credit] = await rows();
    expect([debit, fee]).toEqual([
      ['2', '3000', '総合振込', '49997000'],
      ['2', '435', '振込手数料', '49996565'],
    ]);
    expect(credit).toBeUndefined();
    const nextDay = await get('/accounts/transactions', { accountId: CORPORATE_ACCOUNT }).expect(200);
    expect(nextDay.body.transactions).toEqual([expect.objectContaining({ transactionType: '1', amount: '1000', remarks: '資金返却 ﾃｽﾄ ﾀﾛｳ', balance: '49997565' })]);
    const infos = await items(applyNo);
    expect(infos[1].unableDetailInfos).toEqual([{ transferDetailStatus: '2', isRepayment: true, repaymentDate: '2026-11-25' }]);
    expect((await status({ queryKeyClass: '1', applyNo })).body.bulkTransferDetails[0]).toMatchObject({ transferStatus: '30', totalFee: '435' });
  });

  test('every item failing makes the batch 40 with nothing debited', async () => {
    const applyNo = await book(bulkBody(bulkItems(2)));
    await force(applyNo, { status: '40', itemIds: ['1', '2'] }).expect(200);
    sim.clock.advance(60);
    expect((await status({ queryKeyClass: '1', applyNo })).body.bulkTransferDetails[0].transferStatus).toBe('40');
    expect(await money()).toEqual(expect.objectContaining({ balance: '50000000', withdrawableAmount: '50000000' }));
    expect(await rows()).toEqual([]);
  });

  test('組戻 of an item: 24 moves nothing, 25 refunds the amount (refundStatus 1 and 2)', async () => {
    const applyNo = await book(bulkBody(bulkItems(2)));
    sim.clock.advance(60);
    await force(applyNo, { status: '24', itemIds: ['1'] }).expect(200);
    expect((await money()).balance).toBe('49997710');
    await force(applyNo, { status: '25', itemIds: ['1'] }).expect(200);
    expect((await money()).balance).toBe('49998710');
    sim.clock.advance(600);
    expect((await items(applyNo))[0].unableDetailInfos).toEqual([{ transferDetailStatus: '1', refundStatus: '2' }]);
  });

  test('the control API refuses what cannot happen', async () => {
    const applyNo = await book();
    expect((await force(applyNo, { status: '22', itemIds: ['1'] })).status).toBe(409);
    expect((await force(applyNo, { status: '40', itemIds: ['9'] })).status).toBe(400);
    expect((await force(applyNo, { status: '20', itemIds: ['1'] })).status).toBe(400);
    expect((await force(applyNo, { status: '30' })).status).toBe(400);
    expect((await force(applyNo, { status: '22' })).status).toBe(400);
    const single = await sim.http
      .post(`${API}/transfer/request`)
      .set('x-access-token', token)
      .send({ accountId: CORPORATE_ACCOUNT, transferDesignatedDate: TODAY, transfers: [bulkItem(1)] })
      .expect(201);
    expect((await force(single.body.applyNo, { status: '40', itemIds: ['1'] })).status).toBe(400);
    // a whole batch can be forced like a transfer
    expect((await force(applyNo, { status: '20' }).expect(200)).body.status).toBe('20');
    expect((await sim.http.get('/_sim/bulktransfers').expect(200)).body.bulkTransfers.map((t: { applyNo: string }) => t.applyNo)).toEqual([applyNo]);
  });
});
