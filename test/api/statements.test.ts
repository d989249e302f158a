import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { jstDate } from '../../src/bank/jst';
import { bearer, connectCompany } from '../support/connect';
import { DATABASES } from '../support/databases';
import { startHarness, type Harness } from '../support/harness';

const ACCOUNT = '101011234567';
const OTHER_ACCOUNT = '101027654321';
const YAMADA = { bankCode: '0005', branchCode: '001', accountType: 'ordinary', accountNumber: '1234567', name: 'ヤマダ タロウ' };
const SATO = { ...YAMADA, accountNumber: '7654321', name: 'サトウ ハナコ' };

interface Row {
  itemKey: string;
  type: 'deposit' | 'withdrawal';
  amount: number;
  balance: number;
  remarks: string | null;
  transferId: string | null;
  payoutKind: string | null;
  matchedAs: 'transfer' | 'fee' | null;
}

describe.each(DATABASES)('account statements on %s', (kind) => {
  let h: Harness;
  let key: string;
  let today: string;
  const ids: Record<string, string> = {};

  const get = (path: string, apiKey = key, company = 'SHOP') => request(h.app).get(`/v1/companies/${company}${path}`).set(...bearer(apiKey));
  const statement = (query: string, account = ACCOUNT, apiKey = key) => get(`/accounts/${account}/transactions?${query}`, apiKey);
  const pay = async (idem: string, amount: number, beneficiary: typeof YAMADA) =>
    (await request(h.app).post('/v1/companies/SHOP/transfers').set(...bearer(key)).set('idempotency-key', idem).send({ amount, beneficiary }).expect(201)).body.id as string;
  /** A transfer made at the bank itself (not through us): rows on the statement that are no payout of ours. */
  const payAtTheBank = async (amount: number) => {
    const token = await h.services.vault.accessToken('SHOP');
    const transfer = { itemId: '1' as const, transferAmount: String(amount), beneficiaryBankCode: '0005', beneficiaryBranchCode: '001', accountTypeCode: '1', accountNumber: '1111111', beneficiaryName: 'ﾃｽﾄ ｼﾖｳｼﾞ' };
    await h.services.bank.transfers.request(
      token,
      { accountId: ACCOUNT, transferDesignatedDate: today, transferDateHolidayCode: '1', totalCount: '1', totalAmount: String(amount), transfers: [transfer] },
      randomUUID(),
    );
  };

  beforeAll(async () => {
    h = await startHarness(kind);
    ({ key } = await connectCompany(h, 'SHOP'));
    today = jstDate(h.clock.now());
    // the bank settles transfers in the order of their clock times: one second apart, the statement's order is ours.
    // 1 free row + 249 × (debit, fee) = 499 rows, so our transfer to ヤマダ closes page 1 and its fee opens page 2
    h.sim.state.configure({ otherBankFeeYen: 0 });
    await payAtTheBank(100);
    h.sim.state.configure({ otherBankFeeYen: 145 });
    for (let i = 0; i < 249; i++) {
      h.clock.advanceSeconds(1);
      await payAtTheBank(1_000 + i);
    }
    h.clock.advanceSeconds(1);
    ids.yamada = await pay('yamada', 12_000, YAMADA);
    // two payouts alike (amount, day, name): neither can be told from the other on the statement
    h.clock.advanceSeconds(1);
    ids.sato1 = await pay('sato-1', 1_000, SATO);
    h.clock.advanceSeconds(1);
    ids.sato2 = await pay('sato-2', 1_000, SATO);
    for (let i = 0; i < 250; i++) {
      h.clock.advanceSeconds(1);
      await payAtTheBank(2_000 + i);
    }
    // every transfer settles (60 s after acceptance), and the poller records ours as completed
    h.clock.advanceSeconds(120);
    await h.services.poller.runOnce();
    for (const id of Object.values(ids)) expect((await get(`/transfers/${id}`).expect(200)).body.status).toBe('completed');
  }, 120_000);
  afterAll(async () => {
    await h?.close();
  });

  test('1,005 rows come in 3 pages of the bank’s 500; the cursor carries the query and our payouts are matched across the page boundary', async () => {
    const pages: Row[][] = [];
    let cursor: string | null = null;
    for (let i = 0; i < 5; i++) {
      const query: string = `from=${today}&to=${today}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`;
      const res = await statement(query).expect(200);
      expect(res.body).toMatchObject({ accountId: ACCOUNT, from: today, to: today, asOf: expect.any(String) });
      pages.push(res.body.items);
      cursor = res.body.nextCursor;
      if (cursor === null) break;
    }
    expect(pages.map((p) => p.length)).toEqual([500, 500, 5]);
    const rows = pages.flat();
    expect(new Set(rows.map((r) => r.itemKey)).size).toBe(1_005);
    expect(rows.every((r) => r.type === 'withdrawal' && Number.isInteger(r.amount) && Number.isInteger(r.balance))).toBe(true);

    // ヤマダ: the debit closes page 1, its fee opens page 2
    expect(pages[0][499]).toMatchObject({ amount: 12_000, remarks: '振込 ﾔﾏﾀﾞ ﾀﾛｳ', transferId: ids.yamada, payoutKind: 'transfer', matchedAs: 'transfer' });
    expect(pages[1][0]).toMatchObject({ amount: 145, remarks: '振込手数料', transferId: ids.yamada, matchedAs: 'fee' });
    // サトウ twice alike: no match for either, nor for their fees
    const sato = rows.filter((r) => r.remarks === '振込 ｻﾄｳ ﾊﾅｺ');
    expect(sato).toHaveLength(2);
    expect(rows.slice(501, 505).map((r) => r.transferId)).toEqual([null, null, null, null]);
    // only ヤマダ's two rows are ours
    expect(rows.filter((r) => r.transferId !== null).map((r) => r.itemKey)).toEqual([pages[0][499].itemKey, pages[1][0].itemKey]);
    // the balance runs down by every row
    for (let i = 1; i < rows.length; i++) expect(rows[i].balance).toBe(rows[i - 1].balance - rows[i].amount);
  });

  test('a cursor is ours: garbage, another period, another account or the other statement is a 400 naming `cursor`', async () => {
    const first = await statement(`from=${today}&to=${today}`).expect(200);
    const cursor = encodeURIComponent(first.body.nextCursor);
    const refused = async (res: request.Response) => {
      expect(res.status).toBe(400);
      expect(res.body).toMatchObject({ type: expect.stringContaining('validation-error'), errors: [{ field: 'cursor' }] });
    };
    await refused(await statement(`from=${today}&to=${today}&cursor=not-a-cursor`));
    await refused(await statement(`from=${today}&to=${today}&cursor=${Buffer.from('{"v":1}').toString('base64url')}`));
    await refused(await statement(`from=${jstDate(new Date(h.clock.now().getTime() - 86_400_000))}&to=${today}&cursor=${cursor}`));
    await refused(await statement(`from=${today}&to=${today}&cursor=${cursor}`, OTHER_ACCOUNT));
    await refused(await get(`/accounts/${ACCOUNT}/deposit-transactions?from=${today}&to=${today}&cursor=${cursor}`));
    // the same cursor with the same query still reads page 2
    expect((await statement(`from=${today}&to=${today}&cursor=${cursor}`).expect(200)).body.items).toHaveLength(500);
  });

  test.each([
    ['from after to', 'from=2026-11-24&to=2026-11-23', 'from'],
    ['a malformed from', 'from=20261124&to=2026-11-24', 'from'],
    ['an impossible to', 'from=2026-11-24&to=2026-11-31', 'to'],
    ['a period over 31 days', 'from=2026-10-24&to=2026-11-24', 'to'],
    ['no from', 'to=2026-11-24', 'from'],
    ['an unknown parameter', 'from=2026-11-24&to=2026-11-24&limit=5', '(body)'],
  ])('%s is a 400 naming the field, and the bank is not asked', async (_name, query, field) => {
    const before = h.sim.state.stats();
    const res = await statement(query).expect(400);
    expect(res.body.type).toContain('validation-error');
    expect(res.body.errors.map((e: { field: string }) => e.field)).toContain(field);
    expect(h.sim.state.stats()).toEqual(before);
  });

  test('31 days, both counted, is the longest period', async () => {
    await statement('from=2026-10-25&to=2026-11-24').expect(200);
  });

  test('only the company’s own accounts: an unknown account is a 404, a malformed one a 400; another company’s key sees nothing', async () => {
    const unknown = await statement(`from=${today}&to=${today}`, '999999999999').expect(404);
    expect(unknown.body.type).toContain('not-found');
    await statement(`from=${today}&to=${today}`, 'abc').expect(400);
    const otherKey = await h.apiKey('OTHER');
    await statement(`from=${today}&to=${today}`, ACCOUNT, otherKey).expect(404);
    await get(`/accounts/${ACCOUNT}/deposit-transactions?from=${today}&to=${today}`, otherKey).expect(404);
  });

  test('the bank down is a 503 bank-unavailable with Retry-After, never a bare 500; an expired token is refreshed once', async () => {
    h.sim.state.injectFault({ target: 'transactions', kind: 'maintenance' });
    const maintenance = await statement(`from=${today}&to=${today}`).expect(503);
    expect(maintenance.body).toMatchObject({ type: expect.stringContaining('bank-unavailable'), bankError: 'maintenance', bankErrorCode: 'WG_ERR_300' });
    expect(maintenance.headers['retry-after']).toBe('60');
    h.sim.state.injectFault({ target: 'transactions', kind: 'error500' });
    expect((await statement(`from=${today}&to=${today}`).expect(503)).body.bankError).toBe('server');
    h.sim.state.expireTokens({ companyId: 'SHOP', kind: 'access' });
    await statement(`from=${today}&to=${today}`).expect(200);
  });

  test('振込入金明細: incoming transfers with who paid, paged like the statement; on 入出金明細 they are deposits, no payout of ours', async () => {
    // the second account, so the first one's statement stays as the tests above read it
    const deposit = async (body: Record<string, unknown>) => {
      const res = await fetch(`${h.simUrl}/_sim/accounts/${OTHER_ACCOUNT}/deposits`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
      expect(res.status).toBe(201);
    };
    await deposit({ amount: 50_000, applicantName: 'ｱｵｿﾞﾗｼﾖｳｼﾞ(ｶ', paymentBankName: 'ｱｵｿﾞﾗｷﾞﾝｺｳ', paymentBranchName: 'ﾎﾝﾃﾝ', ediInfo: 'ｾｲｷﾕｳ123' });
    await deposit({ amount: 100, applicantName: 'ﾔﾏﾀﾞ ﾀﾛｳ', paymentBankName: 'ﾐﾂﾋﾞｼﾕ-ｴﾌｼﾞｴｲ', paymentBranchName: 'ﾎﾝﾃﾝ', count: 600 });

    const first = await get(`/accounts/${OTHER_ACCOUNT}/deposit-transactions?from=${today}&to=${today}`).expect(200);
    expect(first.body.items).toHaveLength(500);
    expect(first.body.items[0]).toEqual({
      itemKey: expect.any(String),
      transactionDate: today,
      valueDate: today,
      type: 'deposit',
      amount: 50_000,
      remarks: '振込 ｾｲｷﾕｳ123 アオゾラシヨウジ（カ',
      applicantName: 'ｱｵｿﾞﾗｼﾖｳｼﾞ(ｶ',
      paymentBankName: 'ｱｵｿﾞﾗｷﾞﾝｺｳ',
      paymentBranchName: 'ﾎﾝﾃﾝ',
      ediInfo: 'ｾｲｷﾕｳ123',
    });
    const second = await get(`/accounts/${OTHER_ACCOUNT}/deposit-transactions?from=${today}&to=${today}&cursor=${encodeURIComponent(first.body.nextCursor)}`).expect(200);
    expect(second.body).toMatchObject({ nextCursor: null });
    expect(second.body.items).toHaveLength(101);
    expect(second.body.items[0]).toMatchObject({ amount: 100, applicantName: 'ﾔﾏﾀﾞ ﾀﾛｳ', ediInfo: null });
    expect(new Set([...first.body.items, ...second.body.items].map((r: Row) => r.itemKey)).size).toBe(601);
    // a cursor of 振込入金明細 is no cursor of 入出金明細
    const crossed = await get(`/accounts/${OTHER_ACCOUNT}/transactions?from=${today}&to=${today}&cursor=${encodeURIComponent(first.body.nextCursor)}`).expect(400);
    expect(crossed.body.errors).toEqual([{ field: 'cursor', reason: expect.any(String) }]);

    const statementRows = (await get(`/accounts/${OTHER_ACCOUNT}/transactions?from=${today}&to=${today}`).expect(200)).body.items as Row[];
    expect(statementRows[0]).toMatchObject({ type: 'deposit', amount: 50_000, transferId: null, matchedAs: null });

    h.sim.state.injectFault({ target: 'deposit-transactions', kind: 'reset' });
    const down = await get(`/accounts/${OTHER_ACCOUNT}/deposit-transactions?from=${today}&to=${today}`).expect(503);
    expect(down.body).toMatchObject({ type: expect.stringContaining('bank-unavailable'), bankError: 'network' });
  });

  test('a day with no rows is an empty last page', async () => {
    const res = await statement('from=2026-11-01&to=2026-11-02').expect(200);
    expect(res.body).toMatchObject({ items: [], nextCursor: null });
  });
});
