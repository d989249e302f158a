import {
  API,
  CORPORATE_ACCOUNT,
  TODAY,
  bulkBody,
  bulkItem,
  bulkItems,
  connect,
  newSim,
  transferBody,
  type TestSim,
} from './helpers';

let sim: TestSim;
let token: string;
beforeEach(async () => {
  sim = newSim();
  token = (await connect(sim.app)).access_token;
});
afterEach(() => sim.close());

const post = (path: string, body: unknown, t = token) => sim.http.post(`${API}${path}`).set('x-access-token', t).send(body as object);
const get = (path: string, query: Record<string, string>) => sim.http.get(`${API}${path}`).set('x-access-token', token).query(query);

interface TransferErrorBody {
  errorCode: string;
  errorDetails: Array<{ errorDetailsCode: string }>;
  transferErrorDetails: Array<{ itemId: string; errorDetails: Array<{ errorDetailsCode: string }> }>;
}

/** A TransferError as "header codes" and "itemId:code" per item. */
function codes(body: TransferErrorBody): { header: string[]; items: string[] } {
  return {
    header: body.errorDetails.map((e) => e.errorDetailsCode),
    items: body.transferErrorDetails.flatMap((d) => d.errorDetails.map((e) => `${d.itemId}:${e.errorDetailsCode}`)),
  };
}

async function refused(body: unknown): Promise<{ header: string[]; items: string[] }> {
  const res = await post('/bulktransfer/request', body);
  expect(res.status).toBe(400);
  expect(res.body.errorCode).toBe('220011');
  expect(sim.state.bulkTransfers()).toHaveLength(0);
  return codes(res.body);
}

async function detail(applyNo: string) {
  const res = await get('/bulktransfer/status', { accountId: CORPORATE_ACCOUNT, queryKeyClass: '1', applyNo }).expect(200);
  return res.body.bulkTransferDetails[0];
}

describe('POST /bulktransfer/transferfee', () => {
  test('200 TransferFeeResponse: 0 yen to GMO Aozora, 145 per item to other banks', async () => {
    const items = [bulkItem(1), bulkItem(2, { beneficiaryBankCode: '0310', beneficiaryBranchCode: '101', accountNumber: '7777777' }), bulkItem(3)];
    const res = await post('/bulktransfer/transferfee', bulkBody(items)).expect(200);
    expect(res.body).toEqual({
      accountId: CORPORATE_ACCOUNT,
      baseDate: TODAY,
      baseTime: '10:00:00+09:00',
      totalFee: '290',
      transferFeeDetails: [
        { itemId: '1', transferFee: '145' },
        { itemId: '2', transferFee: '0' },
        { itemId: '3', transferFee: '145' },
      ],
    });
    expect(sim.state.bulkTransfers()).toHaveLength(0);
  });

  test('validates like the request: a 400 TransferError', async () => {
    const res = await post('/bulktransfer/transferfee', bulkBody(bulkItems(2), { totalCount: '3' }));
    expect(res.status).toBe(400);
    expect(codes(res.body).header).toEqual(['220105']);
  });
});

describe('POST /bulktransfer/request', () => {
  test('201 {accountId, resultCode, applyNo, applyEndDatetime}; the batch is 手続中 with transferTypeName 総合振込', async () => {
    const res = await post('/bulktransfer/request', bulkBody(bulkItems(3), { transferDataName: '11月分' })).expect(201);
    expect(res.body).toEqual({ accountId: CORPORATE_ACCOUNT, resultCode: '1', applyNo: '2026112400000001', applyEndDatetime: '2026-11-24T10:00:00+09:00' });
    expect(await detail(res.body.applyNo)).toEqual({
      transferStatus: '12',
      transferStatusName: '手続中',
      transferTypeName: '総合振込',
      isFeeFreeUse: false,
      isFeePointUse: false,
      totalFee: '435',
      totalDebitAmount: '3435',
      transferApplies: [{ applyNo: res.body.applyNo, transferApplyDetails: [{ applyDatetime: '2026-11-24T10:00:00+09:00', applyStatus: '7' }] }],
      transferAccepts: [{ acceptNo: '2026112400000001', acceptDatetime: '2026-11-24T10:00:00+09:00' }],
      bulktransferResponses: [
        {
          accountId: CORPORATE_ACCOUNT,
          remitterName: 'ｱｵｿﾞﾗﾃｽﾄｼﾖｳｼﾞ(ｶ',
          transferDesignatedDate: TODAY,
          transferDataName: '11月分',
          totalCount: '3',
          totalAmount: '3000',
        },
      ],
    });
    expect(sim.state.stats()).toMatchObject({ transferRequests: 0, bulkTransferRequests: 1 });
    // the two kinds share the applyNo sequence but not each other's endpoints
    const single = await post('/transfer/request', transferBody()).expect(201);
    expect(single.body.applyNo).toBe('2026112400000002');
    expect((await get('/bulktransfer/request-result', { accountId: CORPORATE_ACCOUNT, applyNo: single.body.applyNo })).body.errorCode).toBe('220201');
    expect((await get('/transfer/request-result', { accountId: CORPORATE_ACCOUNT, applyNo: res.body.applyNo })).body.errorCode).toBe('220201');
  });

  test('withdrawable is held at acceptance for every item and its fee', async () => {
    await post('/bulktransfer/request', bulkBody(bulkItems(3))).expect(201);
    const res = await get('/accounts/balances', { accountId: CORPORATE_ACCOUNT });
    expect(res.body.balances[0]).toMatchObject({ balance: '50000000', withdrawableAmount: '49996565' });
  });

  test('the spec sample body is accepted; names past 30 (beneficiary) and 40 (remitter) characters are cut silently', async () => {
    const longName = 'ｱｲｳｴｵｶｷｸｹｺｻｼｽｾｿﾀﾁﾂﾃﾄﾅﾆﾇﾈﾉﾊﾋﾌﾍﾎﾏﾐﾑﾒﾓ'; // 35
    const remitter = 'ｶ)ｱｵｿﾞﾗﾃｽﾄｼｮｳｼﾞ ﾀﾞｲﾆｼﾞｷﾞﾖｳﾌﾞ ｴｲｷﾞﾖｳﾀﾞｲｲﾁｶ)ABC'; // 45, small kana made large
    const items = [
      bulkItem(1, {
        beneficiaryBankCode: '0398',
        beneficiaryBankName: 'ｱｵｿﾞﾗ',
        beneficiaryBranchCode: '111',
        beneficiaryBranchName: 'ﾎﾝﾃﾝ',
        clearingHouseName: '0000',
        beneficiaryName: 'ｶ)ｱｵｿﾞﾗｻﾝｷﾞｮｳ',
        newCode: '1',
        ediInfo: 'ｾｲｷﾕｳｼﾖﾊﾞﾝｺﾞｳ1234',
        transferDesignatedType: '7',
        identification: 'Y',
      }),
      bulkItem(2, { beneficiaryName: longName, clearingHouseName: '', transferDesignatedType: '', identification: '' }),
    ];
    const res = await post('/bulktransfer/request', bulkBody(items, { remitterName: remitter, applyComment: '緊急で承認をお願いします' })).expect(201);
    sim.clock.advance(600);
    const status = await get('/bulktransfer/status', { accountId: CORPORATE_ACCOUNT, queryKeyClass: '1', applyNo: res.body.applyNo, detailInfoNecessity: 'true' });
    const response = status.body.bulkTransferDetails[0].bulktransferResponses[0];
    expect(response.remitterName).toBe('ｶ)ｱｵｿﾞﾗﾃｽﾄｼﾖｳｼﾞ ﾀﾞｲﾆｼﾞｷﾞﾖｳﾌﾞ ｴｲｷﾞﾖｳﾀﾞｲｲﾁ');
    expect(response.remitterName).toHaveLength(40);
    const [first, second] = response.bulkTransferInfos;
    expect(first).toMatchObject({ itemId: '1', beneficiaryName: 'ｶ)ｱｵｿﾞﾗｻﾝｷﾞﾖｳ', clearingHouseName: '0000', newCode: '1', transferDesignatedType: '7', identification: 'Y' });
    expect(second.beneficiaryName).toBe(longName.slice(0, 30));
    expect(second).not.toHaveProperty('clearingHouseName');
  });

  test('9,999 items are accepted', async () => {
    const res = await post('/bulktransfer/request', bulkBody(bulkItems(9_999, '1'))).expect(201);
    expect(res.body.resultCode).toBe('1');
    expect(sim.state.bulkTransfers()[0]).toMatchObject({ amount: 9_999, fee: 9_999 * 145 });
  });

  test('manual approval: resultCode 2 and status 2 until approved through /_sim', async () => {
    sim.state.configure({ approvalMode: 'manual' });
    const res = await post('/bulktransfer/request', bulkBody(bulkItems(2))).expect(201);
    expect(res.body).toEqual({ accountId: CORPORATE_ACCOUNT, resultCode: '2', applyNo: res.body.applyNo });
    expect((await detail(res.body.applyNo)).transferStatus).toBe('2');
    await sim.http.post(`/_sim/transfers/${res.body.applyNo}/approve`).expect(200);
    expect((await detail(res.body.applyNo)).transferStatus).toBe('12');
    expect((await get('/bulktransfer/request-result', { accountId: CORPORATE_ACCOUNT, applyNo: res.body.applyNo })).body).toMatchObject({
      resultCode: '1',
      applyEndDatetime: '2026-11-24T10:00:00+09:00',
    });
  });

  test('the sunabar alias answers the same; a token without private:bulk-transfer is a 403', async () => {
    await sim.http.post('/corporation/v1/bulktransfer/request').set('x-access-token', token).send(bulkBody(bulkItems(1))).expect(201);
    const narrow = (await connect(sim.app, { scope: 'openid offline_access private:account private:transfer' })).access_token;
    const res = await post('/bulktransfer/request', bulkBody(bulkItems(1)), narrow);
    expect(res.status).toBe(403);
    expect(res.body.errorCode).toBe('WG_ERR_103');
  });
});

describe('bulk request validation: one 400 TransferError listing every problem, items by itemId', () => {
  test('a bad item is refused under its itemId, with the 6-digit code of each bad field', async () => {
    const items = bulkItems(5);
    items[2] = bulkItem(3, { beneficiaryName: '山田太郎', accountNumber: '12345' });
    items[4] = bulkItem(5, { beneficiaryBankCode: '0002' });
    expect(await refused(bulkBody(items))).toEqual({ header: [], items: ['3:220008', '3:220001'] });
    // shape first; the bank master once the shape is right
    const unknownBank = bulkItems(5);
    unknownBank[4] = bulkItem(5, { beneficiaryBankCode: '0002' });
    expect(await refused(bulkBody(unknownBank))).toEqual({ header: [], items: ['5:0023456'] });
  });

  test('10,000 items are refused', async () => {
    expect((await refused(bulkBody(bulkItems(10_000, '1')))).header).toEqual(['220108']);
  });

  test.each([
    ['totalCount off by one', { totalCount: '4' }, ['220105']],
    ['totalAmount off by one', { totalAmount: '2999' }, ['220106']],
    ['both totals missing (required for a bulk transfer, even for one item)', { totalCount: undefined, totalAmount: undefined }, ['220105', '220106']],
    ['totalCount 0', { totalCount: '0' }, ['220105']],
    ['no items', { bulkTransfers: [], totalCount: '1', totalAmount: '1' }, ['220108']],
    ['a transferDataName over 10 characters', { transferDataName: '12345678901' }, ['220109']],
    ['an unknown account', { accountId: '101019999999' }, ['220101']],
    ['a date in the past', { transferDesignatedDate: '2026-11-23' }, ['220103']],
  ])('%s', async (_name, overrides, header) => {
    expect((await refused(bulkBody(bulkItems(3), overrides))).header).toEqual(header);
  });

  test.each([
    ['a duplicate itemId', [bulkItem(1), bulkItem(2), bulkItem(2)], ['2:220002']],
    ['itemId 0', [bulkItem(0), bulkItem(1)], ['0:220002']],
    ['itemId 10000', [bulkItem(1), bulkItem(10_000)], ['10000:220002']],
    ['no itemId', [bulkItem(1), { ...bulkItem(2), itemId: undefined }], ['2:220002']],
    ['an amount of 0', [bulkItem(1, { transferAmount: '0' })], ['1:220003']],
    ['an amount over 9,999,999,999', [bulkItem(1, { transferAmount: '10000000000' })], ['1:220003']],
    ['an amount with a comma', [bulkItem(1, { transferAmount: '1,000' })], ['1:220003']],
    ['a lower-case name', [bulkItem(1, { beneficiaryName: 'yamada' })], ['1:220001']],
    ['a full-width name', [bulkItem(1, { beneficiaryName: 'ヤマダ' })], ['1:220001']],
    ['a beneficiaryName over 48 characters', [bulkItem(1, { beneficiaryName: 'ｱ'.repeat(49) })], ['1:220001']],
    ['clearingHouseName neither all 0 nor all spaces', [bulkItem(1, { clearingHouseName: '1234' })], ['1:220013']],
    ['identification other than Y or a space', [bulkItem(1, { identification: 'N' })], ['1:220016']],
  ])('%s', async (_name, items, itemCodes) => {
    const body = bulkBody(items, { totalAmount: '1000' });
    body.totalAmount = String(items.reduce((s, i) => s + (Number(i.transferAmount) || 0), 0) || 1);
    expect((await refused(body)).items).toEqual(itemCodes);
  });

  test('the items may come in any order; the status lists them by itemId', async () => {
    const res = await post('/bulktransfer/request', bulkBody([bulkItem(3), bulkItem(1), bulkItem(2)])).expect(201);
    sim.clock.advance(600);
    const status = await get('/bulktransfer/status', { accountId: CORPORATE_ACCOUNT, queryKeyClass: '1', applyNo: res.body.applyNo, detailInfoNecessity: 'true' });
    expect(status.body.bulkTransferDetails[0].bulktransferResponses[0].bulkTransferInfos.map((i: { itemId: string }) => i.itemId)).toEqual(['1', '2', '3']);
  });

  test('over the withdrawable balance is 220120', async () => {
    const personal = (await connect(sim.app, { userId: 'personal-user' })).access_token;
    const res = await post('/bulktransfer/request', bulkBody(bulkItems(2, '600000'), { accountId: '302010013543' }), personal);
    expect(res.status).toBe(400);
    expect(codes(res.body).header).toEqual(['220120']);
  });
});

describe('Idempotency-Key on /bulktransfer/request', () => {
  const send = (body: unknown, key: string) => post('/bulktransfer/request', body).set('Idempotency-Key', key);

  test('the same key and body replays the first 201 and books nothing new; another body is WG_ERR_160', async () => {
    const first = await send(bulkBody(bulkItems(2)), 'bulk-1').expect(201);
    const again = await send(bulkBody(bulkItems(2)), 'bulk-1').expect(201);
    expect(again.body).toEqual(first.body);
    expect(sim.state.bulkTransfers()).toHaveLength(1);
    expect(sim.state.bulkTransfers()[0].idempotencyKey).toBe('bulk-1');
    const other = await send(bulkBody(bulkItems(3)), 'bulk-1');
    expect(other.status).toBe(400);
    expect(other.body.errorCode).toBe('WG_ERR_160');
    expect(sim.state.stats().bulkTransferRequests).toBe(1);
  });

  test('a key used for /transfer/request is another key here', async () => {
    await post('/transfer/request', transferBody()).set('Idempotency-Key', 'shared').expect(201);
    await send(bulkBody(bulkItems(1)), 'shared').expect(201);
    expect(sim.state.stats()).toMatchObject({ transferRequests: 1, bulkTransferRequests: 1 });
  });
});

describe('POST /bulktransfer/cancel', () => {
  const cancel = (applyNo: string, cancelTargetKeyClass = '4') => post('/bulktransfer/cancel', { accountId: CORPORATE_ACCOUNT, cancelTargetKeyClass, applyNo });

  test('a reservation (11) is cancelled with class 4: 201, status 8, the money is released', async () => {
    const { body } = await post('/bulktransfer/request', bulkBody(bulkItems(2), { transferDesignatedDate: '2026-11-30' })).expect(201);
    expect((await detail(body.applyNo)).transferStatus).toBe('11');
    const res = await cancel(body.applyNo).expect(201);
    expect(res.body).toEqual({
      accountId: CORPORATE_ACCOUNT,
      cancelTargetKeyClass: '4',
      resultCode: '1',
      applyNo: body.applyNo,
      applyEndDatetime: '2026-11-24T10:00:00+09:00',
    });
    expect(await detail(body.applyNo)).toMatchObject({ transferStatus: '8', transferStatusName: '承認取消/予約取消' });
    const balances = await get('/accounts/balances', { accountId: CORPORATE_ACCOUNT });
    expect(balances.body.balances[0].withdrawableAmount).toBe('50000000');
    const again = await cancel(body.applyNo);
    expect(again.body).toEqual({ errorCode: '220203', errorMessage: 'この総合振込はすでに取消済みです。' });
  });

  test('only class 4 without ビジネスID管理; in progress it cannot be cancelled; an unknown applyNo is a 400', async () => {
    const { body } = await post('/bulktransfer/request', bulkBody(bulkItems(1), { transferDesignatedDate: '2026-11-30' })).expect(201);
    expect((await cancel(body.applyNo, '3')).body).toEqual({ errorCode: '220204', errorMessage: 'ビジネスID管理をご利用でないため、取消対象キー区分には4を指定してください。' });
    expect((await cancel(body.applyNo, '2')).body).toEqual({ errorCode: '220204', errorMessage: '取消対象キー区分1、2は振込の取消でのみ指定できます。' });
    expect((await cancel('2026112499999999')).body.errorCode).toBe('220201');
    const running = await post('/bulktransfer/request', bulkBody(bulkItems(1))).expect(201);
    expect((await cancel(running.body.applyNo)).body.errorCode).toBe('220202');
  });
});
