import { validateTransferRequest } from '../../src/simulator/corporate/transferRequest';
import { API, CORPORATE_ACCOUNT, TODAY, connect, newSim, transferBody, transferItem, type TestSim } from './helpers';

let sim: TestSim;
let token: string;
beforeEach(async () => {
  sim = newSim();
  token = (await connect(sim.app)).access_token;
});
afterEach(() => sim.close());

const get = (path: string, query: Record<string, string | string[]>) => sim.http.get(`${API}${path}`).set('x-access-token', token).query(query);

async function book(body = transferBody()): Promise<string> {
  const res = await sim.http.post(`${API}/transfer/request`).set('x-access-token', token).send(body).expect(201);
  return res.body.applyNo;
}

async function detail(applyNo: string) {
  const res = await get('/transfer/status', { accountId: CORPORATE_ACCOUNT, queryKeyClass: '1', applyNo }).expect(200);
  return res.body.transferDetails[0];
}

async function money(): Promise<{ balance: string; withdrawableAmount: string }> {
  const res = await get('/accounts/balances', { accountId: CORPORATE_ACCOUNT }).expect(200);
  return res.body.balances[0];
}

async function rows(dateFrom = TODAY, dateTo?: string) {
  const res = await get('/accounts/transactions', { accountId: CORPORATE_ACCOUNT, dateFrom, ...(dateTo && { dateTo }) }).expect(200);
  return res.body.transactions as Array<Record<string, string>>;
}

describe('settlement by the clock (auto approval)', () => {
  test('12 for settleAfterSeconds, then 20: withdrawable held at acceptance, balance debited at completion with rows', async () => {
    const applyNo = await book(transferBody({}, [transferItem({ beneficiaryName: 'ｶ)ﾃｽﾄｼｮｳｼﾞ' })]));
    expect((await detail(applyNo)).transferStatus).toBe('12');
    expect(await money()).toMatchObject({ balance: '50000000', withdrawableAmount: '49989855' });

    sim.clock.advance(59);
    expect((await detail(applyNo)).transferStatus).toBe('12');
    sim.clock.advance(1);
    const done = await detail(applyNo);
    expect(done).toMatchObject({ transferStatus: '20', transferStatusName: '手続済' });
    expect(await money()).toMatchObject({ balance: '49989855', withdrawableAmount: '49989855' });
    expect(await rows()).toEqual([
      expect.objectContaining({ transactionType: '2', amount: '10000', remarks: '振込 ｶ)ﾃｽﾄｼﾖｳｼﾞ', balance: '49990000', transactionDate: TODAY }),
      expect.objectContaining({ transactionType: '2', amount: '145', remarks: '振込手数料', balance: '49989855' }),
    ]);
  });

  test('no fee row for a transfer to GMO Aozora', async () => {
    // 7777777: an account the simulator does not hold, so nothing is credited here
    await book(transferBody({}, [transferItem({ beneficiaryBankCode: '0310', beneficiaryBranchCode: '101', accountNumber: '7777777' })]));
    sim.clock.advance(60);
    expect((await rows()).map((r) => r.remarks)).toEqual(['振込 ﾃｽﾄ ﾀﾛｳ']);
  });

  test('a future date waits in 11, moves to 12 on that date and settles after settleAfterSeconds, even across a clock jump', async () => {
    const applyNo = await book(transferBody({ transferDesignatedDate: '2026-11-26' }));
    expect(await detail(applyNo)).toMatchObject({ transferStatus: '11', transferStatusName: '予約中' });
    expect((await detail(applyNo)).transferAccepts).toHaveLength(1);

    sim.clock.set('2026-11-25T15:00:00.000Z'); // 2026-11-26 00:00 JST
    expect((await detail(applyNo)).transferStatus).toBe('12');
    sim.clock.set('2026-11-30T00:00:00.000Z');
    expect((await detail(applyNo)).transferStatus).toBe('20');
    const [debit] = await rows('2026-11-24', '2026-11-30');
    expect(debit.transactionDate).toBe('2026-11-26');
  });

  test('transitions skipped by a clock jump are replayed in time order, whatever the booking order', async () => {
    await book(transferBody({ transferDesignatedDate: '2026-11-26' }, [transferItem({ beneficiaryName: 'ﾖﾔｸ' })]));
    await book(transferBody({}, [transferItem({ beneficiaryName: 'ｿｸｼﾞ', transferAmount: '20000' })]));
    sim.clock.set('2026-11-30T00:00:00.000Z');
    const listed = await rows('2026-11-24', '2026-11-30');
    expect(listed.map((r) => [r.transactionDate, r.remarks, r.balance])).toEqual([
      ['2026-11-24', '振込 ｿｸｼﾞ', '49980000'],
      ['2026-11-24', '振込手数料', '49979855'],
      ['2026-11-26', '振込 ﾖﾔｸ', '49969855'],
      ['2026-11-26', '振込手数料', '49969710'],
    ]);
  });

  test('settleAfterSeconds can change at run time', async () => {
    sim.state.configure({ settleAfterSeconds: 5 });
    const applyNo = await book();
    sim.clock.advance(5);
    expect((await detail(applyNo)).transferStatus).toBe('20');
  });
});

describe('manual approval', () => {
  beforeEach(() => sim.state.configure({ approvalMode: 'manual' }));

  test('resultCode 2 and status 2 until approved through /_sim, then 12 and 20', async () => {
    const res = await sim.http.post(`${API}/transfer/request`).set('x-access-token', token).send(transferBody()).expect(201);
    expect(res.body).toEqual({ accountId: CORPORATE_ACCOUNT, resultCode: '2', applyNo: res.body.applyNo });
    const applyNo = res.body.applyNo;
    expect(await detail(applyNo)).toMatchObject({ transferStatus: '2', transferStatusName: '申請中', transferAccepts: [] });
    expect((await detail(applyNo)).transferApplies[0].transferApplyDetails[0].applyStatus).toBe('1');
    sim.clock.advance(3600);
    expect((await detail(applyNo)).transferStatus).toBe('2');

    const approved = await sim.http.post(`/_sim/transfers/${applyNo}/approve`).expect(200);
    expect(approved.body.status).toBe('12');
    const result = await get('/transfer/request-result', { accountId: CORPORATE_ACCOUNT, applyNo });
    expect(result.body).toMatchObject({ resultCode: '1', applyEndDatetime: '2026-11-24T11:00:00+09:00' });
    expect((await detail(applyNo)).transferApplies[0].transferApplyDetails[0].applyStatus).toBe('5');
    sim.clock.advance(60);
    expect((await detail(applyNo)).transferStatus).toBe('20');
  });

  test('an application not approved by its designated date expires: status 5, resultCode 8, money released', async () => {
    const applyNo = await book();
    sim.clock.set('2026-11-24T15:00:00.000Z'); // the next JST day
    expect((await detail(applyNo)).transferStatus).toBe('5');
    expect((await get('/transfer/request-result', { accountId: CORPORATE_ACCOUNT, applyNo })).body.resultCode).toBe('8');
    expect((await money()).withdrawableAmount).toBe('50000000');
    expect((await sim.http.post(`/_sim/transfers/${applyNo}/approve`)).status).toBe(409);
  });
});

describe('forced statuses', () => {
  const force = (applyNo: string, status: string) => sim.http.post(`/_sim/transfers/${applyNo}/status`).send({ status });

  test('40 before completion releases the hold and reports 手続不成立', async () => {
    const applyNo = await book();
    await force(applyNo, '40').expect(200);
    expect(await money()).toMatchObject({ balance: '50000000', withdrawableAmount: '50000000' });
    const info = (await detail(applyNo)).transferResponses[0].transferInfos[0];
    expect(info.unableDetailInfos).toEqual([{ transferDetailStatus: '2' }]);
    expect(info.transferDetailResponses).toEqual([]);
  });

  test('40 after completion refunds amount and fee', async () => {
    const applyNo = await book();
    sim.clock.advance(60);
    await force(applyNo, '40').expect(200);
    expect(await money()).toMatchObject({ balance: '50000000', withdrawableAmount: '50000000' });
    expect((await rows()).slice(2).map((r) => [r.transactionType, r.amount])).toEqual([
      ['1', '10000'],
      ['1', '145'],
    ]);
  });

  test.each([
    ['22', { transferDetailStatus: '2', isRepayment: true }, '資金返却'],
    ['25', { transferDetailStatus: '1', refundStatus: '2' }, '組戻'],
  ])('%s after completion refunds the amount (the fee stays) and fills unableDetailInfos', async (status, unable, remark) => {
    const applyNo = await book();
    sim.clock.advance(60);
    await force(applyNo, status).expect(200);
    expect((await money()).balance).toBe('49999855');
    expect((await rows())[2]).toMatchObject({ transactionType: '1', amount: '10000', remarks: `${remark} ﾃｽﾄ ﾀﾛｳ` });
    expect((await detail(applyNo)).transferResponses[0].transferInfos[0].unableDetailInfos).toEqual([unable]);
  });

  test.each([
    ['24', { transferDetailStatus: '1', refundStatus: '1' }],
    ['26', { transferDetailStatus: '1', refundStatus: '3' }],
  ])('%s moves no money and fills unableDetailInfos', async (status, unable) => {
    const applyNo = await book();
    sim.clock.advance(60);
    await force(applyNo, status).expect(200);
    expect((await money()).balance).toBe('49989855');
    expect((await detail(applyNo)).transferResponses[0].transferInfos[0].unableDetailInfos).toEqual([unable]);
  });

  test('20 can be forced at once, and unknown statuses or transfers are refused', async () => {
    const applyNo = await book();
    expect((await force(applyNo, '20').expect(200)).body.status).toBe('20');
    expect((await money()).balance).toBe('49989855');
    expect((await force(applyNo, '30')).status).toBe(400);
    expect((await force('2026112499999999', '20')).status).toBe(404);
  });
});

describe('GET /transfer/status', () => {
  test('class 1: a full TransferDetail with small kana made large', async () => {
    const applyNo = await book(
      transferBody({ remitterName: 'ｼﾞ-ｴﾑｵ-ｼｮｳｼﾞ(ｶ' }, [
        transferItem({ beneficiaryBankCode: '0398', beneficiaryBranchCode: '111', beneficiaryName: 'ｶ)ｱｵｿﾞﾗｻﾝｷﾞｮｳ', ediInfo: 'ｾｲｷｭｳ1234' }),
      ]),
    );
    sim.clock.advance(60);
    const res = await get('/transfer/status', { accountId: CORPORATE_ACCOUNT, queryKeyClass: '1', applyNo }).expect(200);
    expect(res.body).toMatchObject({ acceptanceKeyClass: '1', baseDate: TODAY, baseTime: '10:01:00+09:00', count: '1' });
    expect(res.body.transferQueryBulkResponses).toBeUndefined();
    expect(res.body.transferDetails[0]).toEqual({
      transferStatus: '20',
      transferStatusName: '手続済',
      transferTypeName: '振込振替',
      isFeeFreeUse: false,
      isFeePointUse: false,
      transferDetailFee: '145',
      totalDebitAmount: '10145',
      transferApplies: [{ applyNo, transferApplyDetails: [{ applyDatetime: '2026-11-24T10:00:00+09:00', applyStatus: '7' }] }],
      transferAccepts: [{ acceptNo: '2026112400000001', acceptDatetime: '2026-11-24T10:00:00+09:00' }],
      transferResponses: [
        {
          accountId: CORPORATE_ACCOUNT,
          remitterName: 'ｼﾞ-ｴﾑｵ-ｼﾖｳｼﾞ(ｶ',
          transferDesignatedDate: TODAY,
          transferInfos: [
            {
              transferAmount: '10000',
              ediInfo: 'ｾｲｷﾕｳ1234',
              beneficiaryBankCode: '0398',
              beneficiaryBankName: 'ｱｵｿﾞﾗ',
              beneficiaryBranchCode: '111',
              beneficiaryBranchName: 'ﾎﾝﾃﾝ',
              accountTypeCode: '1',
              accountNumber: '1234567',
              beneficiaryName: 'ｶ)ｱｵｿﾞﾗｻﾝｷﾞﾖｳ',
              transferDetailResponses: [{ beneficiaryBankNameKanji: 'あおぞら', beneficiaryBranchNameKanji: '本店', isFeeFreeUsed: false, transferFee: '145' }],
            },
          ],
        },
      ],
    });
  });

  test('class 1 with an unknown applyNo is 200 with count 0 and an empty list', async () => {
    const res = await get('/transfer/status', { accountId: CORPORATE_ACCOUNT, queryKeyClass: '1', applyNo: '2026112499999999' }).expect(200);
    expect(res.body).toMatchObject({ count: '0', transferDetails: [] });
  });

  test('class 2: by apply date or designated date, filtered by status given repeated or comma-separated', async () => {
    const settled = await book();
    const reserved = await book(transferBody({ transferDesignatedDate: '2026-11-27' }));
    sim.clock.advance(60);
    const all = await get('/transfer/status', { accountId: CORPORATE_ACCOUNT, queryKeyClass: '2' }).expect(200);
    expect(all.body.count).toBe('2');
    expect(all.body.transferQueryBulkResponses).toEqual([{ hasNext: false }]);

    const repeated = await get('/transfer/status', { accountId: CORPORATE_ACCOUNT, queryKeyClass: '2', requestTransferStatus: ['11', '2'] });
    expect(repeated.body.transferDetails.map((d: { transferApplies: Array<{ applyNo: string }> }) => d.transferApplies[0].applyNo)).toEqual([reserved]);
    expect(repeated.body.transferQueryBulkResponses[0].requestTransferStatuses).toEqual([{ requestTransferStatus: '11' }, { requestTransferStatus: '2' }]);
    const comma = await get('/transfer/status', { accountId: CORPORATE_ACCOUNT, queryKeyClass: '2', requestTransferStatus: '20,40' });
    expect(comma.body.count).toBe('1');
    expect(comma.body.transferDetails[0].transferApplies[0].applyNo).toBe(settled);

    const byDesignated = await get('/transfer/status', {
      accountId: CORPORATE_ACCOUNT,
      queryKeyClass: '2',
      requestTransferTerm: '2',
      dateFrom: '2026-11-25',
      dateTo: '2026-11-30',
    });
    expect(byDesignated.body.count).toBe('1');
    expect(byDesignated.body.transferQueryBulkResponses[0]).toEqual({ dateFrom: '2026-11-25', dateTo: '2026-11-30', requestTransferTerm: '2', hasNext: false });
  });

  test('class 2 pages of 500, the paging nested in transferQueryBulkResponses', async () => {
    // Booked in-process: 501 HTTP round trips would only make the test slow.
    const order = validateTransferRequest(transferBody({}, [transferItem({ transferAmount: '1' })]), {
      ownedAccount: (id) => sim.state.bank.ledger.ownedAccount('corporate-user', id),
      today: TODAY,
      config: sim.state.config,
    });
    for (let i = 0; i < 501; i++) sim.state.bank.book(order, { userId: 'corporate-user' });
    const first = await get('/transfer/status', { accountId: CORPORATE_ACCOUNT, queryKeyClass: '2' }).expect(200);
    expect(first.body.count).toBe('500');
    expect(first.body.hasNext).toBeUndefined();
    const paging = first.body.transferQueryBulkResponses[0];
    expect(paging).toMatchObject({ hasNext: true, nextItemKey: '500' });
    const second = await get('/transfer/status', { accountId: CORPORATE_ACCOUNT, queryKeyClass: '2', nextItemKey: paging.nextItemKey }).expect(200);
    expect(second.body.count).toBe('1');
    expect(second.body.transferQueryBulkResponses[0]).toEqual({ requestNextItemKey: '500', hasNext: false });
    expect(second.body.transferDetails[0].transferApplies[0].applyNo).toBe('2026112400000501');
  });

  test.each([
    ['class 1 without applyNo', { queryKeyClass: '1' }, 'WG_ERR_110'],
    ['class 1 with a period', { queryKeyClass: '1', applyNo: '2026112400000001', dateFrom: TODAY }, 'WG_ERR_111'],
    ['class 1 with statuses', { queryKeyClass: '1', applyNo: '2026112400000001', requestTransferStatus: '20' }, 'WG_ERR_111'],
    ['class 2 with applyNo', { queryKeyClass: '2', applyNo: '2026112400000001' }, 'WG_ERR_111'],
    ['class 3', { queryKeyClass: '3' }, 'WG_ERR_111'],
    ['requestTransferClass (no ビジネスID管理)', { queryKeyClass: '2', requestTransferClass: '1' }, 'WG_ERR_111'],
    ['status 30 (bulk only)', { queryKeyClass: '2', requestTransferStatus: '30' }, 'WG_ERR_111'],
    ['requestTransferTerm 3', { queryKeyClass: '2', requestTransferTerm: '3' }, 'WG_ERR_111'],
  ])('%s is a 400 ErrorResponse', async (_name, query, errorCode) => {
    const res = await get('/transfer/status', { accountId: CORPORATE_ACCOUNT, ...query });
    expect(res.status).toBe(400);
    expect(res.body.errorCode).toBe(errorCode);
    expect(typeof res.body.errorMessage).toBe('string');
  });
});
