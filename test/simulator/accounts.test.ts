import { API, AUTH, CORPORATE_ACCOUNT, PERSONAL_ACCOUNT, SECOND_ACCOUNT, TODAY, connect, newSim, transferBody, type TestSim } from './helpers';

let sim: TestSim;
let token: string;
beforeEach(async () => {
  sim = newSim();
  token = (await connect(sim.app)).access_token;
});
afterEach(() => sim.close());

const get = (path: string, query: Record<string, string> = {}) => sim.http.get(`${API}${path}`).set('x-access-token', token).query(query);

function allStrings(o: Record<string, unknown>): boolean {
  return Object.values(o).every((v) => typeof v === 'string');
}

describe('GET /accounts', () => {
  test('lists the 法人 user accounts with exactly the spec field names, every value a string', async () => {
    const res = await get('/accounts').expect(200);
    expect(Object.keys(res.body)).toEqual(['baseDate', 'baseTime', 'accounts']);
    expect(res.body.accounts).toHaveLength(2);
    const [primary, additional] = res.body.accounts;
    expect(primary).toEqual({
      accountId: CORPORATE_ACCOUNT,
      branchCode: '101',
      branchName: '法人営業部',
      accountTypeCode: '01',
      accountTypeName: '普通預金（有利息）',
      accountNumber: '1234567',
      primaryAccountCode: '1',
      primaryAccountCodeName: '代表口座',
      accountName: 'あおぞらテスト商事株式会社',
      accountNameKana: 'ｱｵｿﾞﾗﾃｽﾄｼﾖｳｼﾞ(ｶ',
      currencyCode: 'JPY',
      currencyName: '日本円',
      transferLimitAmount: '5000000',
    });
    expect(additional).toMatchObject({ accountId: SECOND_ACCOUNT, accountTypeCode: '02', primaryAccountCode: '2', primaryAccountCodeName: '追加口座' });
    expect(res.body.accounts.every(allStrings)).toBe(true);
  });

  test('baseDate and baseTime are JST from the injected clock', async () => {
    sim.clock.set('2026-11-24T15:30:05.000Z');
    const res = await get('/accounts').expect(200);
    expect(res.body.baseDate).toBe('2026-11-25');
    expect(res.body.baseTime).toBe('00:30:05+09:00');
  });

  test('a token sees only the accounts of the user who consented', async () => {
    const personal = (await connect(sim.app, { userId: 'personal-user' })).access_token;
    const res = await sim.http.get(`${API}/accounts`).set('x-access-token', personal).expect(200);
    expect(res.body.accounts.map((a: { accountId: string }) => a.accountId)).toEqual([PERSONAL_ACCOUNT]);
    expect(res.body.accounts[0].transferLimitAmount).toBe('500000');
  });

  test('the sunabar-style /corporation/v1 alias answers the same', async () => {
    const res = await sim.http.get('/corporation/v1/accounts').set('x-access-token', token).expect(200);
    expect(res.body.accounts).toHaveLength(2);
  });
});

describe('GET /accounts/balances', () => {
  test('all accounts, spec field names, string amounts, JST base date and time', async () => {
    const res = await get('/accounts/balances').expect(200);
    expect(res.body.balances).toHaveLength(2);
    const [first] = res.body.balances;
    expect(Object.keys(first)).toEqual([
      'accountId',
      'accountTypeCode',
      'accountTypeName',
      'balance',
      'baseDate',
      'baseTime',
      'withdrawableAmount',
      'previousDayBalance',
      'previousMonthBalance',
      'currencyCode',
      'currencyName',
    ]);
    expect(first).toMatchObject({ accountId: CORPORATE_ACCOUNT, balance: '50000000', withdrawableAmount: '50000000', baseDate: TODAY, baseTime: '10:00:00+09:00' });
    expect(allStrings(first)).toBe(true);
  });

  test('one account by accountId; an unknown or foreign accountId is a 400 ErrorResponse', async () => {
    const one = await get('/accounts/balances', { accountId: SECOND_ACCOUNT }).expect(200);
    expect(one.body.balances.map((b: { accountId: string }) => b.accountId)).toEqual([SECOND_ACCOUNT]);
    for (const accountId of ['101019999999', PERSONAL_ACCOUNT]) {
      const res = await get('/accounts/balances', { accountId });
      expect(res.status).toBe(400);
      expect(res.body).toEqual({ errorCode: '220101', errorMessage: '指定された口座IDは存在しません。' });
    }
    expect((await get('/accounts/balances', { accountId: 'short' })).body.errorCode).toBe('WG_ERR_111');
  });

  test('an empty accountId counts as absent', async () => {
    const res = await get('/accounts/balances', { accountId: '' }).expect(200);
    expect(res.body.balances).toHaveLength(2);
  });

  test('previousDayBalance is yesterday\'s closing balance', async () => {
    await sim.http.post(`${API}/transfer/request`).set('x-access-token', token).send(transferBody()).expect(201);
    sim.clock.advance(60);
    const sameDay = await get('/accounts/balances', { accountId: CORPORATE_ACCOUNT });
    expect(sameDay.body.balances[0]).toMatchObject({ balance: '49989855', previousDayBalance: '50000000' });
    sim.clock.advance(24 * 3600);
    const nextDay = await get('/accounts/balances', { accountId: CORPORATE_ACCOUNT });
    expect(nextDay.body.balances[0]).toMatchObject({ balance: '49989855', previousDayBalance: '49989855', previousMonthBalance: '50000000' });
  });
});

describe('GET /accounts/transactions', () => {
  test('accountId is required', async () => {
    const res = await get('/accounts/transactions');
    expect(res.status).toBe(400);
    expect(res.body).toEqual({ errorCode: 'WG_ERR_110', errorMessage: '口座IDを入力してください。' });
  });

  test('dateFrom after dateTo and malformed dates are 400', async () => {
    const reversed = await get('/accounts/transactions', { accountId: CORPORATE_ACCOUNT, dateFrom: '2026-11-24', dateTo: '2026-11-01' });
    expect(reversed.status).toBe(400);
    const bad = await get('/accounts/transactions', { accountId: CORPORATE_ACCOUNT, dateFrom: '2026-02-30' });
    expect(bad.body.errorCode).toBe('WG_ERR_111');
  });

  test('without dates: today only, echoed as dateFrom = dateTo = today, hasNext false and no nextItemKey', async () => {
    const res = await get('/accounts/transactions', { accountId: CORPORATE_ACCOUNT }).expect(200);
    expect(res.body).toEqual({
      accountId: CORPORATE_ACCOUNT,
      currencyCode: 'JPY',
      currencyName: '日本円',
      dateFrom: TODAY,
      dateTo: TODAY,
      baseDate: TODAY,
      baseTime: '10:00:00+09:00',
      hasNext: false,
      count: '0',
      transactions: [],
    });
  });

  test('the sunabar alias wants both dates (405 WG_ERR_019 otherwise), like sunabar', async () => {
    const without = await sim.http.get('/corporation/v1/accounts/transactions').set('x-access-token', token).query({ accountId: CORPORATE_ACCOUNT });
    expect(without.status).toBe(405);
    expect(without.body.errorCode).toBe('WG_ERR_019');
    await sim.http
      .get('/corporation/v1/accounts/transactions')
      .set('x-access-token', token)
      .query({ accountId: CORPORATE_ACCOUNT, dateFrom: TODAY, dateTo: TODAY })
      .expect(200);
  });

  test('pages of 500 with nextItemKey; the next page starts at that key', async () => {
    const at = sim.clock.now();
    for (let i = 0; i < 501; i++) sim.state.bank.ledger.post(CORPORATE_ACCOUNT, at, '1', 1, `入金 ${i}`);
    const first = await get('/accounts/transactions', { accountId: CORPORATE_ACCOUNT }).expect(200);
    expect(first.body).toMatchObject({ hasNext: true, count: '500' });
    expect(first.body.nextItemKey).toMatch(/^\d{20}$/);
    const second = await get('/accounts/transactions', { accountId: CORPORATE_ACCOUNT, nextItemKey: first.body.nextItemKey }).expect(200);
    expect(second.body).toMatchObject({ hasNext: false, count: '1' });
    expect(second.body.nextItemKey).toBeUndefined();
    expect(second.body.transactions[0]).toMatchObject({ remarks: '入金 500', balance: '50000501', itemKey: first.body.nextItemKey });
  });
});

describe('unknown routes and methods', () => {
  test.each([
    ['GET', `${API}/virtual-accounts`],
    ['POST', `${API}/accounts`],
    ['DELETE', `${API}/transfer/request`],
    ['GET', `${AUTH}/revoke`],
    ['GET', '/ganb/api/personal/v1/accounts'],
  ])('%s %s → 405 WG_ERR_019', async (method, path) => {
    const res = await sim.http[method.toLowerCase() as 'get' | 'post' | 'delete'](path).set('x-access-token', token);
    expect(res.status).toBe(405);
    expect(res.body).toEqual({ errorCode: 'WG_ERR_019', errorMessage: 'Operation is not found during transformation' });
  });
});
