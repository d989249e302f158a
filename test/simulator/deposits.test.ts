import { API, CORPORATE_ACCOUNT, SECOND_ACCOUNT, TODAY, bulkBody, bulkItem, connect, newSim, transferBody, transferItem, type TestSim } from './helpers';

let sim: TestSim;
let token: string;
beforeEach(async () => {
  sim = newSim();
  token = (await connect(sim.app)).access_token;
});
afterEach(() => sim.close());

const get = (path: string, query: Record<string, string>, t = token) => sim.http.get(`${API}${path}`).set('x-access-token', t).query(query);
const post = (path: string, body: object) => sim.http.post(`${API}${path}`).set('x-access-token', token).send(body);
const DEPOSIT = { amount: 50_000, applicantName: 'ｱｵｿﾞﾗｼﾖｳｼﾞ(ｶ', paymentBankName: 'ｱｵｿﾞﾗｷﾞﾝｺｳ', paymentBranchName: 'ﾎﾝﾃﾝ', ediInfo: 'ｾｲｷﾕｳｼﾖﾊﾞﾝｺﾞｳ123' };
const inject = (body: object, accountId = CORPORATE_ACCOUNT) => sim.http.post(`/_sim/accounts/${accountId}/deposits`).send(body);
/** the other corporate account, as a beneficiary at GMO Aozora */
const TO_SECOND_ACCOUNT = { beneficiaryBankCode: '0310', beneficiaryBranchCode: '101', accountNumber: '7654321' };

async function arrivals(accountId = CORPORATE_ACCOUNT, query: Record<string, string> = {}) {
  return (await get('/accounts/deposit-transactions', { accountId, ...query }).expect(200)).body;
}

describe('an incoming transfer from another bank (/_sim/accounts/:accountId/deposits)', () => {
  test('is a 入金 row on the statement and a PaymentArrival', async () => {
    const injected = await inject(DEPOSIT).expect(201);
    expect(injected.body.deposits).toEqual([
      { accountId: CORPORATE_ACCOUNT, itemKey: expect.stringMatching(/^\d{20}$/), transactionDate: TODAY, amount: 50_000, remarks: '振込 ｾｲｷﾕｳｼﾖﾊﾞﾝｺﾞｳ123 アオゾラシヨウジ（カ' },
    ]);
    const { itemKey } = injected.body.deposits[0];
    expect(await arrivals()).toEqual({
      accountId: CORPORATE_ACCOUNT,
      dateFrom: TODAY,
      dateTo: TODAY,
      baseDate: TODAY,
      baseTime: '10:00:00+09:00',
      hasNext: false,
      count: '1',
      paymentArrivals: [
        {
          transactionDate: TODAY,
          valueDate: TODAY,
          transactionType: '1',
          remarks: '振込 ｾｲｷﾕｳｼﾖﾊﾞﾝｺﾞｳ123 アオゾラシヨウジ（カ',
          amount: '50000',
          applicantName: 'ｱｵｿﾞﾗｼﾖｳｼﾞ(ｶ',
          paymentBankName: 'ｱｵｿﾞﾗｷﾞﾝｺｳ',
          paymentBranchName: 'ﾎﾝﾃﾝ',
          ediInfo: 'ｾｲｷﾕｳｼﾖﾊﾞﾝｺﾞｳ123',
          itemKey,
        },
      ],
    });
    const statement = await get('/accounts/transactions', { accountId: CORPORATE_ACCOUNT }).expect(200);
    expect(statement.body.transactions).toEqual([
      { transactionDate: TODAY, valueDate: TODAY, transactionType: '1', amount: '50000', remarks: '振込 ｾｲｷﾕｳｼﾖﾊﾞﾝｺﾞｳ123 アオゾラシヨウジ（カ', balance: '50050000', itemKey },
    ]);
    const balances = await get('/accounts/balances', { accountId: CORPORATE_ACCOUNT });
    expect(balances.body.balances[0]).toMatchObject({ balance: '50050000', withdrawableAmount: '50050000' });
  });

  test('without ediInfo the field is left out; the same state method works in-process', async () => {
    const [made] = sim.state.receiveDeposit(SECOND_ACCOUNT, { amount: 1, applicantName: 'ﾃｽﾄ', paymentBankName: 'ﾐｽﾞﾎ', paymentBranchName: 'ﾎﾝﾃﾝ' });
    const [arrival] = (await arrivals(SECOND_ACCOUNT)).paymentArrivals;
    expect(arrival).not.toHaveProperty('ediInfo');
    expect(arrival).toMatchObject({ remarks: '振込 テスト', itemKey: made.itemKey });
  });

  test('the control API refuses an unknown account and a bad deposit', async () => {
    expect((await inject(DEPOSIT, '101019999999')).status).toBe(404);
    expect((await inject({ ...DEPOSIT, applicantName: 'アオゾラ' })).status).toBe(400);
    expect((await inject({ ...DEPOSIT, amount: 0 })).status).toBe(400);
    expect((await inject({ ...DEPOSIT, paymentBankName: undefined })).status).toBe(400);
    expect((await inject({ ...DEPOSIT, count: 10_001 })).status).toBe(400);
  });
});

describe('a transfer to another account at GMO Aozora (0310) credits it', () => {
  test('once it completes: a 入金 row and an arrival naming the remitter and GMO Aozora', async () => {
    await post('/transfer/request', transferBody({}, [transferItem({ ...TO_SECOND_ACCOUNT, transferAmount: '25000', ediInfo: 'INV-1' })])).expect(201);
    expect((await arrivals(SECOND_ACCOUNT)).paymentArrivals).toEqual([]);
    sim.clock.advance(60);
    const [arrival] = (await arrivals(SECOND_ACCOUNT)).paymentArrivals;
    expect(arrival).toEqual({
      transactionDate: TODAY,
      valueDate: TODAY,
      transactionType: '1',
      remarks: '振込 INV-1 アオゾラテストシヨウジ（カ',
      amount: '25000',
      applicantName: 'ｱｵｿﾞﾗﾃｽﾄｼﾖｳｼﾞ(ｶ',
      paymentBankName: 'ｼﾞ-ｴﾑｵ-ｱｵｿﾞﾗﾈﾂﾄ',
      paymentBranchName: 'ﾎｳｼﾞﾝ',
      ediInfo: 'INV-1',
      itemKey: expect.stringMatching(/^\d{20}$/),
    });
    const balances = await get('/accounts/balances', {});
    expect(balances.body.balances.map((b: { balance: string }) => b.balance)).toEqual(['49975000', '3025000']);
    // the payer's own deposit-transactions list nothing: its row is a 出金
    expect((await arrivals()).paymentArrivals).toEqual([]);
  });

  test('a bulk transfer passes its EDI on only with identification Y', async () => {
    const items = [
      bulkItem(1, { ...TO_SECOND_ACCOUNT, transferAmount: '100', ediInfo: 'SENT', identification: 'Y' }),
      bulkItem(2, { ...TO_SECOND_ACCOUNT, transferAmount: '200', ediInfo: 'KEPT' }),
    ];
    await post('/bulktransfer/request', bulkBody(items)).expect(201);
    sim.clock.advance(60);
    const got = (await arrivals(SECOND_ACCOUNT)).paymentArrivals as Array<{ amount: string; ediInfo?: string }>;
    expect(got.map((a) => [a.amount, a.ediInfo])).toEqual([
      ['100', 'SENT'],
      ['200', undefined],
    ]);
  });
});

describe('GET /accounts/deposit-transactions: the rules of /accounts/transactions', () => {
  test('3 pages of 500 with nextItemKey, for deposits and for the whole statement', async () => {
    await inject({ ...DEPOSIT, amount: 1, count: 600 }).expect(201);
    await post('/transfer/request', transferBody()).expect(201);
    sim.clock.advance(60); // a 出金 pair among the deposits
    await inject({ ...DEPOSIT, amount: 1, count: 601 }).expect(201);

    for (const [path, list, total] of [
      ['/accounts/deposit-transactions', 'paymentArrivals', 1_201],
      ['/accounts/transactions', 'transactions', 1_203],
    ] as const) {
      const seen: string[] = [];
      const counts: string[] = [];
      let nextItemKey: string | undefined;
      for (let i = 0; i < 5; i++) {
        const body = (await get(path, { accountId: CORPORATE_ACCOUNT, ...(nextItemKey && { nextItemKey }) }).expect(200)).body;
        counts.push(body.count);
        seen.push(...body[list].map((r: { itemKey: string }) => r.itemKey));
        if (!body.hasNext) {
          expect(body).not.toHaveProperty('nextItemKey');
          break;
        }
        nextItemKey = body.nextItemKey;
        expect(nextItemKey).toMatch(/^\d{20}$/);
      }
      expect(counts).toEqual(['500', '500', String(total - 1_000)]);
      expect(new Set(seen).size).toBe(total);
      expect([...seen].sort()).toEqual(seen);
    }
  });

  test('the period table: other days are left out; From after To is a 400', async () => {
    await inject(DEPOSIT).expect(201);
    sim.clock.advance(86_400);
    await inject({ ...DEPOSIT, amount: 2 }).expect(201);
    expect((await arrivals()).paymentArrivals.map((a: { amount: string }) => a.amount)).toEqual(['2']);
    const both = await arrivals(CORPORATE_ACCOUNT, { dateFrom: TODAY });
    expect(both).toMatchObject({ dateFrom: TODAY, dateTo: '2026-11-25', count: '2' });
    const toOnly = await arrivals(CORPORATE_ACCOUNT, { dateTo: TODAY });
    expect(toOnly).toMatchObject({ dateFrom: TODAY, dateTo: TODAY, count: '1' });
    const res = await get('/accounts/deposit-transactions', { accountId: CORPORATE_ACCOUNT, dateFrom: '2026-11-25', dateTo: TODAY });
    expect(res.status).toBe(400);
    expect(res.body.errorCode).toBe('WG_ERR_111');
  });

  test('sunabar wants both dates (405 WG_ERR_019); a personal account has none (405); accountId is required', async () => {
    const sunabar = await sim.http.get('/corporation/v1/accounts/deposit-transactions').set('x-access-token', token).query({ accountId: CORPORATE_ACCOUNT });
    expect(sunabar.status).toBe(405);
    expect(sunabar.body.errorCode).toBe('WG_ERR_019');
    await sim.http.get('/corporation/v1/accounts/deposit-transactions').set('x-access-token', token).query({ accountId: CORPORATE_ACCOUNT, dateFrom: TODAY, dateTo: TODAY }).expect(200);
    const personal = (await connect(sim.app, { userId: 'personal-user' })).access_token;
    expect((await get('/accounts/deposit-transactions', { accountId: '302010013543' }, personal)).status).toBe(405);
    expect((await get('/accounts/deposit-transactions', {})).body.errorCode).toBe('WG_ERR_110');
  });
});
