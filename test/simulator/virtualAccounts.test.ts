import { API, CORPORATE_ACCOUNT, SECOND_ACCOUNT, TODAY, connect, newSim, transferBody, transferItem, type TestSim } from './helpers';

let sim: TestSim;
let token: string;
beforeEach(async () => {
  sim = newSim();
  token = (await connect(sim.app)).access_token;
});
afterEach(() => sim.close());

const post = (path: string, body: object, t = token) => sim.http.post(`${API}${path}`).set('x-access-token', t).send(body);
const get = (path: string, query: Record<string, string>) => sim.http.get(`${API}${path}`).set('x-access-token', token).query(query);
const DEPOSIT = { amount: 10_000, applicantName: 'ﾃｽﾄ ﾀﾛｳ', paymentBankName: 'ｱｵｿﾞﾗｷﾞﾝｺｳ', paymentBranchName: 'ﾎﾝﾃﾝ' };
const pay = (vaId: string, body: object = DEPOSIT) => sim.http.post(`/_sim/va/${vaId}/deposits`).send(body);

async function issue(body: object = {}): Promise<Array<{ vaId: string; vaAccountNumber: string }>> {
  const res = await post('/va/issue', { vaTypeCode: '2', issueRequestCount: '1', raId: CORPORATE_ACCOUNT, ...body }).expect(201);
  return res.body.vaList;
}

async function list(body: object = {}) {
  return (await post('/va/list', body).expect(200)).body;
}

async function errorOf(res: { status: number; body: { errorCode: string } }): Promise<string> {
  expect(res.status).toBe(400);
  return res.body.errorCode;
}

describe('POST /va/issue', () => {
  test('201: 10-digit vaIds at branch 502, the holder name with the addition; 期限型 carries expireDateTime', async () => {
    const res = await post('/va/issue', { vaTypeCode: '1', issueRequestCount: '2', raId: CORPORATE_ACCOUNT, vaHolderNameKana: 'ﾃｽﾄﾆｭｳｷﾝｸﾞﾁ' }).expect(201);
    expect(res.body).toEqual({
      vaTypeCode: '1',
      vaTypeName: '期限型',
      expireDateTime: '2026-12-24T23:59:59+09:00',
      vaHolderNameKana: 'ｱｵｿﾞﾗﾃｽﾄｼﾖｳｼﾞ(ｶ)ﾃｽﾄﾆﾕｳｷﾝｸﾞﾁ',
      vaList: [
        { vaId: '5021000001', vaBranchCode: '502', vaBranchNameKana: 'ｱｼﾞｻｲ', vaAccountNumber: '1000001' },
        { vaId: '5021000002', vaBranchCode: '502', vaBranchNameKana: 'ｱｼﾞｻｲ', vaAccountNumber: '1000002' },
      ],
    });
    const continuing = await post('/va/issue', { vaTypeCode: '2', issueRequestCount: '1', raId: CORPORATE_ACCOUNT, vaHolderNameKana: 'ﾃｽﾄ ', vaHolderNamePos: '2' }).expect(201);
    expect(continuing.body).not.toHaveProperty('expireDateTime');
    expect(continuing.body).toMatchObject({ vaTypeName: '継続型', vaHolderNameKana: 'ﾃｽﾄ ｱｵｿﾞﾗﾃｽﾄｼﾖｳｼﾞ(ｶ' });
  });

  test('the name is cut to 40 characters from the end of the addition; 1000 VAs at once', async () => {
    const res = await post('/va/issue', { vaTypeCode: '2', issueRequestCount: '1000', raId: CORPORATE_ACCOUNT, vaHolderNameKana: 'ｱ'.repeat(40) }).expect(201);
    expect(res.body.vaHolderNameKana).toBe(`ｱｵｿﾞﾗﾃｽﾄｼﾖｳｼﾞ(ｶ)${'ｱ'.repeat(24)}`);
    expect(res.body.vaList).toHaveLength(1000);
    expect(new Set(res.body.vaList.map((v: { vaId: string }) => v.vaId)).size).toBe(1000);
  });

  test.each([
    ['1001 VAs', { issueRequestCount: '1001' }, 'WG_ERR_111'],
    ['0 VAs', { issueRequestCount: '0' }, 'WG_ERR_111'],
    ['no vaTypeCode', { vaTypeCode: undefined }, 'WG_ERR_110'],
    ['vaTypeCode 3', { vaTypeCode: '3' }, 'WG_ERR_111'],
    ['no raId (a bank contract needs it)', { raId: undefined }, 'WG_ERR_110'],
    ['a raId of no account of the user', { raId: '302010013543' }, '220101'],
    ['a partner key from a bank contract', { vaContractAuthKey: '5CSDFG1515A54DF' }, 'WG_ERR_111'],
    ['a name with a disallowed symbol', { vaHolderNameKana: 'ﾃｽﾄ!' }, 'WG_ERR_111'],
    ['a leading space before the account name', { vaHolderNameKana: ' ﾃｽﾄ', vaHolderNamePos: '2' }, 'WG_ERR_111'],
    ['a double space before the account name', { vaHolderNameKana: 'ﾃｽ  ﾄ', vaHolderNamePos: '2' }, 'WG_ERR_111'],
  ])('%s is a 400 ErrorResponse', async (_name, body, code) => {
    expect(await errorOf(await post('/va/issue', { vaTypeCode: '2', issueRequestCount: '1', raId: CORPORATE_ACCOUNT, ...body }))).toBe(code);
  });

  test('a token without private:virtual-account is a 403', async () => {
    const narrow = (await connect(sim.app, { scope: 'openid private:account' })).access_token;
    expect((await post('/va/issue', { vaTypeCode: '2', issueRequestCount: '1', raId: CORPORATE_ACCOUNT }, narrow)).status).toBe(403);
  });
});

describe('POST /va/list', () => {
  test('every VAccount field, values as strings; optional fields left out until they have a value', async () => {
    const [va] = await issue({ vaTypeCode: '1' });
    const listed = await list();
    expect(listed).toEqual({ baseDate: TODAY, baseTime: '10:00:00+09:00', hasNext: false, count: '1', vAccounts: [expect.any(Object)] });
    expect(listed.vAccounts[0]).toEqual({
      vaId: va.vaId,
      vaBranchCode: '502',
      vaBranchName: 'あじさい支店',
      vaBranchNameKana: 'ｱｼﾞｻｲ',
      vaAccountNumber: va.vaAccountNumber,
      vaHolderNameKana: 'ｱｵｿﾞﾗﾃｽﾄｼﾖｳｼﾞ(ｶ',
      vaTypeCode: '1',
      vaTypeName: '期限型',
      vaStatusCode: '1',
      vaStatusName: '利用可能',
      vaStatusChangePossibleCode: '1',
      vaIssueDateTime: '2026-11-24T10:00:00+09:00',
      expireDateTime: '2026-12-24T23:59:59+09:00',
      raId: CORPORATE_ACCOUNT,
      raBranchCode: '101',
      raBranchName: '法人営業部',
      raAccountNumber: '1234567',
      raHolderName: 'あおぞらテスト商事株式会社',
    });
    sim.clock.advance(60);
    await pay(va.vaId).expect(201);
    await pay(va.vaId, { ...DEPOSIT, amount: 3_000 }).expect(201);
    expect((await list()).vAccounts[0]).toMatchObject({ latestDepositDate: TODAY, latestDepositAmount: '3000', latestDepositCount: '2' });
  });

  test('filters: type, deposits, status, issue date, raId, vaIdList; sorted by the latest deposit amount', async () => {
    const [a, b] = await issue({ issueRequestCount: '2' });
    const [c] = await issue({ vaTypeCode: '1', raId: SECOND_ACCOUNT });
    await pay(a.vaId, { ...DEPOSIT, amount: 500 }).expect(201);
    await pay(c.vaId, { ...DEPOSIT, amount: 900 }).expect(201);
    await post('/va/status-change', { vaStatusChangeCode: '1', vaIdList: [{ vaId: b.vaId }] }).expect(200);
    const ids = async (body: object) => (await list(body)).vAccounts.map((v: { vaId: string }) => v.vaId);
    expect(await ids({ vaTypeCode: '1' })).toEqual([c.vaId]);
    expect(await ids({ depositAmountExistCode: '2' })).toEqual([b.vaId]);
    expect(await ids({ vaStatusCodeList: [{ vaStatusCode: '2' }] })).toEqual([b.vaId]);
    expect(await ids({ raId: SECOND_ACCOUNT })).toEqual([c.vaId]);
    expect(await ids({ vaIdList: [{ vaId: c.vaId }, { vaId: a.vaId }] })).toEqual([a.vaId, c.vaId]);
    expect(await ids({ vaIssueDateFrom: '2026-11-25' })).toEqual([]);
    expect(await ids({ vaHolderNameKana: 'ﾃｽﾄｼｮｳｼﾞ' })).toEqual([a.vaId, b.vaId, c.vaId]);
    expect(await ids({ sortItemCode: '4', sortOrderCode: '2' })).toEqual([c.vaId, a.vaId, b.vaId]);
    expect(await errorOf(await post('/va/list', { raId: SECOND_ACCOUNT, vaIdList: [{ vaId: a.vaId }] }))).toBe('260103');
    expect(await errorOf(await post('/va/list', { depositAmountExistCode: '2', latestDepositDateFrom: TODAY }))).toBe('WG_ERR_111');
    expect(await errorOf(await post('/va/list', { vaTypeCode: '2', expireDateTo: TODAY }))).toBe('WG_ERR_111');
    expect(await errorOf(await post('/va/list', { vaIssueDateFrom: '2026-11-25', vaIssueDateTo: TODAY }))).toBe('WG_ERR_111');
    expect(await errorOf(await post('/va/list', { vaStatusCodeList: [{ vaStatusCode: '1' }, { vaStatusCode: '2' }, { vaStatusCode: '3' }, { vaStatusCode: '1' }] }))).toBe('WG_ERR_111');
  });

  test('500 per page with nextItemKey, in issue order', async () => {
    await issue({ issueRequestCount: '1000' });
    await issue({ issueRequestCount: '1' });
    const first = await list();
    expect(first).toMatchObject({ hasNext: true, count: '500' });
    const second = await list({ nextItemKey: first.nextItemKey });
    const third = await list({ nextItemKey: second.nextItemKey });
    expect([second.count, third.count, third.hasNext]).toEqual(['500', '1', false]);
    expect(third).not.toHaveProperty('nextItemKey');
    expect(third.vAccounts[0].vaId).toBe('5021001001');
  });
});

describe('POST /va/status-change', () => {
  test('停止, 再開 and 削除 with vaStatusChangePossibleCode; a change the status does not allow refuses the whole request', async () => {
    const [a, b] = await issue({ issueRequestCount: '2' });
    sim.clock.advance(60);
    const stopped = await post('/va/status-change', { vaStatusChangeCode: '1', vaIdList: [{ vaId: a.vaId }] }).expect(200);
    expect(stopped.body.vAccounts).toEqual([
      expect.objectContaining({ vaId: a.vaId, vaStatusCode: '2', vaStatusName: '停止中', vaStatusChangePossibleCode: '2', vaChangeStatusDateTime: '2026-11-24T10:01:00+09:00' }),
    ]);
    const both = await post('/va/status-change', { vaStatusChangeCode: '2', vaIdList: [{ vaId: a.vaId }, { vaId: b.vaId }] });
    expect(await errorOf(both)).toBe('260102');
    expect((await list({ vaIdList: [{ vaId: b.vaId }] })).vAccounts[0].vaStatusCode).toBe('1');
    await post('/va/status-change', { vaStatusChangeCode: '2', vaIdList: [{ vaId: a.vaId }] }).expect(200);
    const deleted = await post('/va/status-change', { vaStatusChangeCode: '3', vaIdList: [{ vaId: a.vaId }, { vaId: b.vaId }] }).expect(200);
    expect(deleted.body.vAccounts.map((v: Record<string, string>) => [v.vaStatusCode, v.vaStatusChangePossibleCode, v.vaCloseDateTime])).toEqual([
      ['3', '3', '2026-11-24T10:01:00+09:00'],
      ['3', '3', '2026-11-24T10:01:00+09:00'],
    ]);
    expect(await errorOf(await post('/va/status-change', { vaStatusChangeCode: '2', vaIdList: [{ vaId: a.vaId }] }))).toBe('260102');
  });

  test('an unknown vaId, more than 100 VAs, or none are 400', async () => {
    expect(await errorOf(await post('/va/status-change', { vaStatusChangeCode: '1', vaIdList: [{ vaId: '5029999999' }] }))).toBe('260101');
    const many = Array.from({ length: 101 }, (_, i) => ({ vaId: String(5021000001 + i) }));
    expect(await errorOf(await post('/va/status-change', { vaStatusChangeCode: '1', vaIdList: many }))).toBe('WG_ERR_111');
    expect(await errorOf(await post('/va/status-change', { vaStatusChangeCode: '1' }))).toBe('WG_ERR_110');
  });
});

describe('deposits into a VA', () => {
  test('credit the 入金口座 and show in /va/deposit-transactions and /accounts/deposit-transactions', async () => {
    const [va] = await issue({ vaHolderNameKana: 'ﾃｽﾄﾆﾕｳｷﾝｸﾞﾁ' });
    const made = await pay(va.vaId, { ...DEPOSIT, ediInfo: 'ID123' }).expect(201);
    expect(made.body.deposits).toEqual([
      { accountId: CORPORATE_ACCOUNT, vaId: va.vaId, itemKey: expect.any(String), transactionDate: TODAY, amount: 10_000, remarks: `振込 ID123 テスト　タロウ あじさい支店 ${va.vaAccountNumber}` },
    ]);
    const res = await get('/va/deposit-transactions', { vaId: va.vaId }).expect(200);
    expect(res.body).toEqual({
      raId: CORPORATE_ACCOUNT,
      raBranchCode: '101',
      raBranchNameKana: 'ﾎｳｼﾞﾝ',
      raAccountNumber: '1234567',
      raHolderName: 'あおぞらテスト商事株式会社',
      dateFrom: TODAY,
      dateTo: TODAY,
      baseDate: TODAY,
      baseTime: '10:00:00+09:00',
      hasNext: false,
      count: '1',
      vaTransactions: [
        {
          vaId: va.vaId,
          transactionDate: TODAY,
          valueDate: TODAY,
          vaBranchCode: '502',
          vaBranchNameKana: 'ｱｼﾞｻｲ',
          vaAccountNumber: va.vaAccountNumber,
          vaAccountNameKana: 'ｱｵｿﾞﾗﾃｽﾄｼﾖｳｼﾞ(ｶ)ﾃｽﾄﾆﾕｳｷﾝｸﾞﾁ',
          depositAmount: '10000',
          remitterNameKana: 'ﾃｽﾄ ﾀﾛｳ',
          paymentBankName: 'ｱｵｿﾞﾗｷﾞﾝｺｳ',
          paymentBranchName: 'ﾎﾝﾃﾝ',
          partnerName: 'GMOあおぞらネット銀行',
          remarks: `振込 ID123 テスト　タロウ あじさい支店 ${va.vaAccountNumber}`,
          itemKey: made.body.deposits[0].itemKey,
        },
      ],
    });
    const balances = await get('/accounts/balances', { accountId: CORPORATE_ACCOUNT });
    expect(balances.body.balances[0].balance).toBe('50010000');
    const arrivals = await get('/accounts/deposit-transactions', { accountId: CORPORATE_ACCOUNT });
    expect(arrivals.body.paymentArrivals).toEqual([expect.objectContaining({ amount: '10000', applicantName: 'ﾃｽﾄ ﾀﾛｳ', ediInfo: 'ID123' })]);
    // [O] sunabar leaves the paying bank's names empty
    const sunabar = await sim.http.get('/corporation/v1/va/deposit-transactions').set('x-access-token', token).query({ vaId: va.vaId });
    expect(sunabar.body.vaTransactions[0]).toMatchObject({ paymentBankName: '', paymentBranchName: '' });
  });

  test('a transfer to the VA (0310, its branch and number) reaches it once it completes', async () => {
    const [va] = await issue();
    await post('/transfer/request', transferBody({}, [transferItem({ beneficiaryBankCode: '0310', beneficiaryBranchCode: '502', accountNumber: va.vaAccountNumber, transferAmount: '7000' })])).expect(201);
    sim.clock.advance(60);
    const res = await get('/va/deposit-transactions', { raId: CORPORATE_ACCOUNT }).expect(200);
    expect(res.body.vaTransactions).toEqual([expect.objectContaining({ vaId: va.vaId, depositAmount: '7000', remitterNameKana: 'ｱｵｿﾞﾗﾃｽﾄｼﾖｳｼﾞ(ｶ', paymentBankName: 'ｼﾞ-ｴﾑｵ-ｱｵｿﾞﾗﾈﾂﾄ' })]);
    expect((await list()).vAccounts[0]).toMatchObject({ latestDepositAmount: '7000', latestDepositCount: '1' });
  });

  test('a stopped, deleted or expired VA takes none; an unknown one is a 404', async () => {
    const [stopped] = await issue();
    const [expiring] = await issue({ vaTypeCode: '1' });
    await post('/va/status-change', { vaStatusChangeCode: '1', vaIdList: [{ vaId: stopped.vaId }] }).expect(200);
    expect((await pay(stopped.vaId)).status).toBe(409);
    sim.clock.set('2026-12-24T14:59:59.000Z'); // 23:59:59 JST on the expiry day
    await pay(expiring.vaId).expect(201);
    sim.clock.advance(1);
    expect((await pay(expiring.vaId)).status).toBe(409);
    expect((await pay('5029999999')).status).toBe(404);
  });

  test('pages of 500, ascending or descending; raId or vaId required; 6 months back at most; a vaId of another raId is a 400', async () => {
    const [va] = await issue();
    await pay(va.vaId, { ...DEPOSIT, count: 501 }).expect(201);
    const asc = await get('/va/deposit-transactions', { vaId: va.vaId }).expect(200);
    expect(asc.body).toMatchObject({ hasNext: true, count: '500' });
    const rest = await get('/va/deposit-transactions', { vaId: va.vaId, nextItemKey: asc.body.nextItemKey }).expect(200);
    expect(rest.body).toMatchObject({ hasNext: false, count: '1' });
    const desc = await get('/va/deposit-transactions', { vaId: va.vaId, sortOrderCode: '2' }).expect(200);
    expect(desc.body.vaTransactions[0].itemKey).toBe(rest.body.vaTransactions[0].itemKey);
    const descRest = await get('/va/deposit-transactions', { vaId: va.vaId, sortOrderCode: '2', nextItemKey: desc.body.nextItemKey }).expect(200);
    expect(descRest.body.vaTransactions[0].itemKey).toBe(asc.body.vaTransactions[0].itemKey);

    expect(await errorOf(await get('/va/deposit-transactions', {}))).toBe('WG_ERR_110');
    await get('/va/deposit-transactions', { vaId: va.vaId, dateFrom: '2026-05-24' }).expect(200);
    expect(await errorOf(await get('/va/deposit-transactions', { vaId: va.vaId, dateFrom: '2026-05-23' }))).toBe('WG_ERR_111');
    expect(await errorOf(await get('/va/deposit-transactions', { vaId: va.vaId, raId: SECOND_ACCOUNT }))).toBe('260103');
    expect(await errorOf(await get('/va/deposit-transactions', { vaId: '5029999999' }))).toBe('260101');
  });
});

describe('POST /va/close-request', () => {
  test('accepted once; at the end of the month every VA is deleted and none can be issued', async () => {
    const [va] = await issue();
    expect((await post('/va/close-request', {}).expect(200)).body).toEqual({ acceptDate: TODAY });
    expect(await errorOf(await post('/va/close-request', {}))).toBe('260104');
    await issue(); // still this month
    sim.clock.set('2026-11-30T14:59:59.000Z'); // 11-30 23:59:59 JST
    expect((await list({ vaIdList: [{ vaId: va.vaId }] })).vAccounts[0].vaStatusCode).toBe('1');
    sim.clock.advance(1);
    const after = await list();
    expect(after.vAccounts.map((v: { vaStatusCode: string; vaCloseDateTime: string }) => [v.vaStatusCode, v.vaCloseDateTime])).toEqual([
      ['3', '2026-12-01T00:00:00+09:00'],
      ['3', '2026-12-01T00:00:00+09:00'],
    ]);
    expect(await errorOf(await post('/va/issue', { vaTypeCode: '2', issueRequestCount: '1', raId: CORPORATE_ACCOUNT }))).toBe('260105');
  });
});
