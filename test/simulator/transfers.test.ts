import {
  API,
  CORPORATE_ACCOUNT,
  PERSONAL_ACCOUNT,
  TODAY,
  connect,
  newSim,
  transferBody,
  transferItem,
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

/** The per-item error codes of a TransferError body, as "itemId:code". */
function itemCodes(body: { transferErrorDetails: Array<{ itemId: string; errorDetails: Array<{ errorDetailsCode: string }> }> }): string[] {
  return body.transferErrorDetails.flatMap((d) => d.errorDetails.map((e) => `${d.itemId}:${e.errorDetailsCode}`));
}

function headerCodes(body: { errorDetails: Array<{ errorDetailsCode: string }> }): string[] {
  return body.errorDetails.map((e) => e.errorDetailsCode);
}

describe('POST /transfer/transferfee', () => {
  test('quotes 0 yen to GMO Aozora (0310) and 145 yen per item to other banks', async () => {
    const items = [
      transferItem({ itemId: '1', beneficiaryBankCode: '0310', beneficiaryBranchCode: '101' }),
      transferItem({ itemId: '2' }),
      transferItem({ itemId: '3', beneficiaryBankCode: '0005', beneficiaryBranchCode: '001' }),
    ];
    const res = await post('/transfer/transferfee', transferBody({ totalCount: '3', totalAmount: '30000' }, items)).expect(200);
    expect(res.body).toEqual({
      accountId: CORPORATE_ACCOUNT,
      baseDate: TODAY,
      baseTime: '10:00:00+09:00',
      totalFee: '290',
      transferFeeDetails: [
        { itemId: '1', transferFee: '0' },
        { itemId: '2', transferFee: '145' },
        { itemId: '3', transferFee: '145' },
      ],
    });
  });

  test('the per-item fee is configurable', async () => {
    sim.state.configure({ otherBankFeeYen: 143 });
    const res = await post('/transfer/transferfee', transferBody()).expect(200);
    expect(res.body.totalFee).toBe('143');
  });

  test('validates like the request and answers TransferError', async () => {
    const res = await post('/transfer/transferfee', transferBody({}, [transferItem({ accountNumber: '123' })]));
    expect(res.status).toBe(400);
    expect(itemCodes(res.body)).toEqual(['1:220008']);
  });
});

describe('POST /transfer/request', () => {
  test('auto approval: 201, resultCode 1, a 16-digit applyNo starting with the JST date, applyEndDatetime', async () => {
    const res = await post('/transfer/request', transferBody()).expect(201);
    expect(res.body).toEqual({
      accountId: CORPORATE_ACCOUNT,
      resultCode: '1',
      applyNo: '2026112400000001',
      applyEndDatetime: '2026-11-24T10:00:00+09:00',
    });
    const second = await post('/transfer/request', transferBody()).expect(201);
    expect(second.body.applyNo).toBe('2026112400000002');
  });

  test('accepts application/json;charset=UTF-8 and refuses other media types with 415', async () => {
    await sim.http
      .post(`${API}/transfer/request`)
      .set('x-access-token', token)
      .set('content-type', 'application/json;charset=UTF-8')
      .send(JSON.stringify(transferBody()))
      .expect(201);
    const form = await sim.http.post(`${API}/transfer/request`).set('x-access-token', token).type('form').send({ accountId: CORPORATE_ACCOUNT });
    expect(form.status).toBe(415);
    expect(form.body.errorCode).toBe('WG_ERR_115');
  });

  test('malformed JSON is a 400 ErrorResponse', async () => {
    const res = await sim.http.post(`${API}/transfer/request`).set('x-access-token', token).set('content-type', 'application/json').send('{"accountId":');
    expect(res.status).toBe(400);
    expect(res.body).toEqual({ errorCode: 'WG_ERR_112', errorMessage: 'リクエストボディのJSON形式が不正です。' });
  });

  test('an empty body lists every missing required field', async () => {
    const res = await post('/transfer/request', {});
    expect(res.status).toBe(400);
    expect(res.body.errorCode).toBe('220011');
    expect(res.body.errorDetails).toEqual([
      { errorDetailsCode: '220101', errorDetailsMessage: '口座IDを入力してください。' },
      { errorDetailsCode: '220103', errorDetailsMessage: '振込指定日を入力してください。' },
      { errorDetailsCode: '220108', errorDetailsMessage: '振込情報を入力してください。' },
    ]);
    expect(res.body.transferErrorDetails).toEqual([]);
  });

  test('reports per-item errors with their itemId', async () => {
    const items = [
      transferItem({ itemId: 1, accountTypeCode: '3', beneficiaryName: 'テスト' }),
      transferItem({ itemId: 2, beneficiaryBankCode: '123', beneficiaryBranchCode: '', transferAmount: '1,000' }),
    ];
    const res = await post('/transfer/request', transferBody({ totalCount: '2', totalAmount: '11000' }, items));
    expect(res.status).toBe(400);
    expect(itemCodes(res.body)).toEqual(['1:220007', '1:220001', '2:220003', '2:220005', '2:220006']);
    const name = res.body.transferErrorDetails[0].errorDetails[1];
    expect(name.errorDetailsMessage).toContain('振込許容文字');
  });

  test.each([
    ['a full-width name', { beneficiaryName: 'テストタロウ' }, '220001'],
    ['a lower-case name', { beneficiaryName: 'test' }, '220001'],
    ['a 49-character name', { beneficiaryName: 'ｱ'.repeat(49) }, '220001'],
    ['an amount of 0', { transferAmount: '0' }, '220003'],
    ['a negative amount', { transferAmount: '-1' }, '220003'],
    ['a 6-digit account number', { accountNumber: '123456' }, '220008'],
    ['an EDI over 20 characters', { ediInfo: '1'.repeat(21) }, '220009'],
    ['an amount over the transfer limit', { transferAmount: '5000001' }, '220004'],
    ['a bank code not in the bank master', { beneficiaryBankCode: '9998' }, '0023456'],
    ['a branch not in the bank master', { beneficiaryBranchCode: '999' }, '0023456'],
  ])('%s is refused', async (_name, overrides, code) => {
    const res = await post('/transfer/request', transferBody({}, [transferItem(overrides)]));
    expect(res.status).toBe(400);
    expect(itemCodes(res.body)).toEqual([`1:${code}`]);
  });

  test.each([
    ['a past designated date', { transferDesignatedDate: '2026-11-23' }, '220103'],
    ['an impossible date', { transferDesignatedDate: '2026-11-31' }, '220103'],
    ['a holiday code 4', { transferDateHolidayCode: '4' }, '220104'],
    ['a totalCount that is not the item count', { totalCount: '2' }, '220105'],
    ['a totalAmount that is not the sum', { totalAmount: '9999' }, '220106'],
    ['a totalCount of 0', { totalCount: '0' }, '220105'],
    ['an applyComment over 20 characters', { applyComment: 'あ'.repeat(21) }, '220107'],
    ['someone else\'s account', { accountId: PERSONAL_ACCOUNT }, '220101'],
    ['a malformed remitterName', { remitterName: 'ＧＭＯ' }, '220102'],
  ])('%s is refused', async (_name, overrides, code) => {
    const res = await post('/transfer/request', transferBody(overrides));
    expect(res.status).toBe(400);
    expect(headerCodes(res.body)).toEqual([code]);
  });

  test('several items need itemIds 1..n and both totals', async () => {
    const items = [transferItem({ itemId: '1' }), transferItem({ itemId: '3' }), transferItem()];
    const res = await post('/transfer/request', transferBody({}, items));
    expect(headerCodes(res.body)).toEqual(['220105', '220106']);
    expect(itemCodes(res.body)).toEqual(['3:220002', '3:220002']);
  });

  test('empty strings count as absent: optional fields may be "", required ones are then missing', async () => {
    const ok = transferBody({ remitterName: '', totalCount: '', totalAmount: '', applyComment: '', transferDateHolidayCode: '' }, [
      transferItem({ itemId: '', ediInfo: '', beneficiaryBankName: '', beneficiaryBranchName: '' }),
    ]);
    await post('/transfer/request', ok).expect(201);
    const missing = await post('/transfer/request', transferBody({}, [transferItem({ beneficiaryName: '' })]));
    expect(missing.body.transferErrorDetails[0].errorDetails[0].errorDetailsMessage).toBe('受取人名を入力してください。');
  });

  test('accepts small kana and the spec sample body (numeric itemIds, 99 items max)', async () => {
    const items = [
      transferItem({ itemId: 1, beneficiaryName: 'ｶ)ｱｵｿﾞﾗｻﾝｷﾞｮｳ', ediInfo: 'ｾｲｷﾕｳｼﾖﾊﾞﾝｺﾞｳ1234', beneficiaryBankCode: '0398', beneficiaryBranchCode: '111' }),
      transferItem({ itemId: 2, beneficiaryName: 'ｱｵｿﾞﾗ ﾃｽﾄ', beneficiaryBankCode: '0310', beneficiaryBranchCode: '301' }),
    ];
    await post('/transfer/request', transferBody({ remitterName: 'ｼﾞ-ｴﾑｵ-ｼｮｳｼﾞ(ｶ', totalCount: '2', totalAmount: '20000' }, items)).expect(201);
    const tooMany = Array.from({ length: 100 }, (_, i) => transferItem({ itemId: String(i + 1), transferAmount: '1' }));
    const res = await post('/transfer/request', transferBody({ totalCount: '100', totalAmount: '100' }, tooMany));
    expect(headerCodes(res.body)).toContain('220108');
  });

  test('insufficient withdrawable balance is a TransferError (220120); reservations count', async () => {
    const personal = (await connect(sim.app, { userId: 'personal-user' })).access_token;
    const body = transferBody({ accountId: PERSONAL_ACCOUNT }, [transferItem({ transferAmount: '500000' })]);
    await post('/transfer/request', body, personal).expect(201);
    const res = await post('/transfer/request', body, personal);
    expect(res.status).toBe(400);
    expect(res.body.errorDetails).toEqual([{ errorDetailsCode: '220120', errorDetailsMessage: '支払可能残高が不足しています。' }]);
  });
});

describe('Idempotency-Key', () => {
  const send = (body: unknown, key: string) => sim.http.post(`${API}/transfer/request`).set('x-access-token', token).set('Idempotency-Key', key).send(body as object);

  test('the same key and body replays the first 201 and books nothing new', async () => {
    const first = await send(transferBody(), 'key-1').expect(201);
    const reordered = { transfers: [transferItem()], transferDesignatedDate: TODAY, accountId: CORPORATE_ACCOUNT };
    const again = await send(reordered, 'key-1').expect(201);
    expect(again.body).toEqual(first.body);
    expect(sim.state.transfers()).toHaveLength(1);
    expect(sim.state.transfers()[0].idempotencyKey).toBe('key-1');
    expect(sim.state.stats().transferRequests).toBe(1);
  });

  test('the same key with another body is a 400 ErrorResponse WG_ERR_160', async () => {
    await send(transferBody(), 'key-2').expect(201);
    const res = await send(transferBody({}, [transferItem({ transferAmount: '20000' })]), 'key-2');
    expect(res.status).toBe(400);
    expect(res.body.errorCode).toBe('WG_ERR_160');
    expect(sim.state.transfers()).toHaveLength(1);
  });

  test('a key is remembered for 24 hours of clock time, then forgotten', async () => {
    const body = transferBody({ transferDesignatedDate: '2026-11-26' });
    const first = await send(body, 'key-3').expect(201);
    sim.clock.advance(24 * 3600 - 1);
    expect((await send(body, 'key-3').expect(201)).body.applyNo).toBe(first.body.applyNo);
    sim.clock.advance(1);
    const later = await send(body, 'key-3').expect(201);
    expect(later.body.applyNo).toBe('2026112500000002');
  });

  test('a failed request is not remembered, so it can be corrected under the same key', async () => {
    await send(transferBody({}, [transferItem({ accountNumber: '1' })]), 'key-4').expect(400);
    await send(transferBody(), 'key-4').expect(201);
  });

  test('a key over 128 characters is refused', async () => {
    const res = await send(transferBody(), 'k'.repeat(129));
    expect(res.status).toBe(400);
    expect(res.body.errorCode).toBe('WG_ERR_161');
  });
});

describe('GET /transfer/request-result', () => {
  test('resultCode 1 with applyEndDatetime for an auto-approved transfer', async () => {
    const { body } = await post('/transfer/request', transferBody()).expect(201);
    const res = await get('/transfer/request-result', { accountId: CORPORATE_ACCOUNT, applyNo: body.applyNo }).expect(200);
    expect(res.body).toEqual(body);
  });

  test('an unknown applyNo, a missing one and a foreign account are 400 ErrorResponse', async () => {
    expect((await get('/transfer/request-result', { accountId: CORPORATE_ACCOUNT, applyNo: '2026112499999999' })).body.errorCode).toBe('220201');
    expect((await get('/transfer/request-result', { accountId: CORPORATE_ACCOUNT })).body.errorCode).toBe('WG_ERR_110');
    expect((await get('/transfer/request-result', { accountId: PERSONAL_ACCOUNT, applyNo: '2026112499999999' })).body.errorCode).toBe('220101');
  });
});

describe('POST /transfer/cancel', () => {
  const cancel = (applyNo: string, cancelTargetKeyClass = '2') => post('/transfer/cancel', { accountId: CORPORATE_ACCOUNT, cancelTargetKeyClass, applyNo });

  test('a reservation (11) can be cancelled: 201, status 8, the money is released', async () => {
    const { body } = await post('/transfer/request', transferBody({ transferDesignatedDate: '2026-11-30' })).expect(201);
    const res = await cancel(body.applyNo).expect(201);
    expect(res.body).toEqual({
      accountId: CORPORATE_ACCOUNT,
      cancelTargetKeyClass: '2',
      resultCode: '1',
      applyNo: body.applyNo,
      applyEndDatetime: '2026-11-24T10:00:00+09:00',
    });
    expect(sim.state.transfers()[0].status).toBe('8');
    const balances = await get('/accounts/balances', { accountId: CORPORATE_ACCOUNT });
    expect(balances.body.balances[0].withdrawableAmount).toBe('50000000');
  });

  test('a pending application (2) can be cancelled', async () => {
    sim.state.configure({ approvalMode: 'manual' });
    const { body } = await post('/transfer/request', transferBody()).expect(201);
    await cancel(body.applyNo).expect(201);
    expect(sim.state.transfers()[0].status).toBe('8');
  });

  test('a transfer already in progress (12) or done (20) cannot be cancelled', async () => {
    const { body } = await post('/transfer/request', transferBody()).expect(201);
    const res = await cancel(body.applyNo);
    expect(res.status).toBe(400);
    expect(res.body).toEqual({ errorCode: '220202', errorMessage: '振込ステータスが「手続中」のため取消できません。' });
    sim.clock.advance(60);
    expect((await cancel(body.applyNo)).body.errorMessage).toContain('手続済');
  });

  test('a second cancel is refused', async () => {
    const { body } = await post('/transfer/request', transferBody({ transferDesignatedDate: '2026-11-30' })).expect(201);
    await cancel(body.applyNo).expect(201);
    const again = await cancel(body.applyNo);
    expect(again.status).toBe(400);
    expect(again.body.errorCode).toBe('220203');
  });

  test('only cancelTargetKeyClass 2 is allowed without ビジネスID管理', async () => {
    const { body } = await post('/transfer/request', transferBody({ transferDesignatedDate: '2026-11-30' })).expect(201);
    for (const cls of ['1', '3', '4']) {
      const res = await cancel(body.applyNo, cls);
      expect(res.status).toBe(400);
      expect(res.body.errorCode).toBe('220204');
    }
    expect((await cancel(body.applyNo, 'x')).body.errorCode).toBe('WG_ERR_111');
  });

  test('an unknown applyNo is a 400', async () => {
    expect((await cancel('2026112499999999')).body.errorCode).toBe('220201');
  });
});
