import request from 'supertest';
import { hashApiKey } from '../../src/apiKeys/apiKeyService';
import { jstDate } from '../../src/bank/jst';
import { nextBusinessDay } from '../../src/calendar/businessDays';
import { Transfer } from '../../src/transfers/transfer.entity';
import { bearer, connectCompany } from '../support/connect';
import { DATABASES } from '../support/databases';
import { startHarness, type Harness } from '../support/harness';
import { expectMoneyInvariant } from '../support/moneyInvariant';

const SELLER = { bankCode: '0005', branchCode: '001', accountType: 'ordinary', accountNumber: '123', name: 'ヤマダ タロウ' };
const body = (amount: number, extra: Record<string, unknown> = {}) => ({ amount, beneficiary: SELLER, ...extra });

describe.each(DATABASES)('payouts on %s', (kind) => {
  let h: Harness;
  let key: string;
  beforeAll(async () => {
    // the lifecycle as the clock moves through the day: a bank without the 15:00 cut-off runs every transfer
    // the day it is asked to (business days and the cut-off: businessDays.test.ts)
    h = await startHarness(kind, { simulator: { hangMs: 8000, bankCalendar: false } });
    ({ key } = await connectCompany(h, 'SHOP'));
  });
  afterAll(async () => {
    await h?.close();
  });

  const post = (idem: string | undefined, payload: unknown, company = 'SHOP', apiKey = key) => {
    const req = request(h.app).post(`/v1/companies/${company}/transfers`).set(...bearer(apiKey));
    return (idem === undefined ? req : req.set('idempotency-key', idem)).send(payload as object);
  };
  const get = (path: string, apiKey = key) => request(h.app).get(`/v1/companies/SHOP${path}`).set(...bearer(apiKey));
  const simCreated = () => h.sim.state.stats().transferRequests;
  const rows = () => h.services.db.manager.count(Transfer);
  const poll = () => h.services.poller.runOnce();

  test('the bank under maintenance: reads answer 503 with Retry-After, and the next call works', async () => {
    h.sim.state.injectFault({ target: 'balances', kind: 'maintenance' });
    const res = await get('/accounts/101011234567/balance').expect(503);
    expect(res.body).toMatchObject({ type: expect.stringContaining('bank-unavailable'), bankError: 'maintenance', bankErrorCode: 'WG_ERR_300' });
    expect(res.headers['retry-after']).toBe('60');
    h.sim.state.injectFault({ target: 'accounts', kind: 'rate_limit' });
    const limited = await get('/accounts').expect(503);
    expect(limited.body).toMatchObject({ bankError: 'rate_limited', bankErrorCode: 'WG_ERR_154' });
    await get('/accounts/101011234567/balance').expect(200);
  });

  test('accounts and balances come from the bank, amounts as integers', async () => {
    const accounts = await get('/accounts').expect(200);
    expect(accounts.body.accounts[0]).toMatchObject({ accountId: '101011234567', primary: true, transferLimitAmount: 5_000_000 });
    const balance = await get('/accounts/101011234567/balance').expect(200);
    expect(balance.body).toMatchObject({ accountId: '101011234567', currencyCode: 'JPY', balance: expect.any(Number), withdrawableAmount: expect.any(Number) });
    expect(balance.body.asOf).toBe(new Date(Math.floor(h.clock.now().getTime() / 1000) * 1000).toISOString());
    await get('/accounts/999999999999/balance').expect(404);
    await get('/accounts/abc/balance').expect(400);
  });

  test('fee quote: same-bank transfers are free, other banks pay the bank fee', async () => {
    const same = await request(h.app).post('/v1/companies/SHOP/transfers/fee-quote').set(...bearer(key)).send({ amount: 1000, beneficiary: { ...SELLER, bankCode: '0310', branchCode: '101' } }).expect(200);
    expect(same.body).toEqual({ fee: 0, totalDebit: 1000, accountId: '101011234567', settlementDate: '2026-11-24', settlementNote: null });
    const other = await request(h.app).post('/v1/companies/SHOP/transfers/fee-quote').set(...bearer(key)).send(body(1000)).expect(200);
    expect(other.body).toEqual({ fee: 145, totalDebit: 1145, accountId: '101011234567', settlementDate: '2026-11-24', settlementNote: null });
  });

  test('a transfer is stored, sent once, and replayed for the same key and body', async () => {
    const before = simCreated();
    const first = await post('pos-0001', body(12_000, { reference: 'BUY-1' })).expect(201);
    expect(first.body).toMatchObject({
      status: 'submitted',
      amount: 12_000,
      bankResultCode: '1',
      applyNo: expect.stringMatching(/^\d{16}$/),
      reference: 'BUY-1',
      beneficiary: {
        bankCode: '0005',
        bankName: expect.stringContaining('三菱'),
        branchCode: '001',
        branchName: expect.any(String),
        accountType: 'ordinary',
        accountNumber: '0000123',
        name: 'ﾔﾏﾀﾞ ﾀﾛｳ',
      },
    });
    expect(first.body.ediInfo).toMatch(/^RC[0-9A-F]{12}$/);
    expect(first.headers['idempotent-replayed']).toBeUndefined();
    const sent = h.sim.state.transfers().find((t) => t.applyNo === first.body.applyNo)!;
    expect(sent).toMatchObject({ amount: 12_000, idempotencyKey: first.body.id, ediInfo: first.body.ediInfo });
    expect(sent.beneficiary).toMatchObject({ accountNumber: '0000123', accountTypeCode: '1', name: 'ﾔﾏﾀﾞ ﾀﾛｳ' });
    const stored = await h.services.db.manager.findOneByOrFail(Transfer, { id: first.body.id });
    const [keyRow] = await h.services.db.dataSource.query('SELECT id FROM api_keys WHERE keyHash = ?', [hashApiKey(key)]);
    expect(stored.createdByKeyId).toBe(keyRow.id);

    h.clock.advanceSeconds(3600);
    const replay = await post('pos-0001', { beneficiary: SELLER, reference: 'BUY-1', amount: 12_000 }).expect(201);
    expect(replay.headers['idempotent-replayed']).toBe('true');
    expect(replay.body.id).toBe(first.body.id);
    expect(simCreated() - before).toBe(1);

    const mismatch = await post('pos-0001', body(12_001, { reference: 'BUY-1' })).expect(422);
    expect(mismatch.body.type).toContain('idempotency-key-reused');
    expect(simCreated() - before).toBe(1);

    const found = await get('/transfers?idempotencyKey=pos-0001').expect(200);
    expect(found.body.items.map((t: { id: string }) => t.id)).toEqual([first.body.id]);
    expect((await get(`/transfers/${first.body.id}`).expect(200)).body.applyNo).toBe(first.body.applyNo);
  });

  describe('bad input gets a field error, and nothing is stored or sent', () => {
    test.each([
      ['no Idempotency-Key', undefined, body(1000), 400, 'Idempotency-Key'],
      ['an overlong Idempotency-Key', 'k'.repeat(129), body(1000), 400, 'Idempotency-Key'],
      ['amount "1,000"', 'bad-1', body('1,000' as unknown as number), 400, 'amount'],
      ['amount "1e3"', 'bad-2', body('1e3' as unknown as number), 400, 'amount'],
      ['amount 1000.5', 'bad-3', body(1000.5), 400, 'amount'],
      ['amount 0', 'bad-4', body(0), 400, 'amount'],
      ['amount -100', 'bad-5', body(-100), 400, 'amount'],
      ['a 3-digit bank code', 'bad-6', { amount: 1000, beneficiary: { ...SELLER, bankCode: '005' } }, 400, 'beneficiary.bankCode'],
      ['an 8-digit account number', 'bad-7', { amount: 1000, beneficiary: { ...SELLER, accountNumber: '12345678' } }, 400, 'beneficiary.accountNumber'],
      ['an unknown account type', 'bad-8', { amount: 1000, beneficiary: { ...SELLER, accountType: 'checking' } }, 400, 'beneficiary.accountType'],
      ['a bank code zengin does not know', 'bad-9', { amount: 1000, beneficiary: { ...SELLER, bankCode: '0002' } }, 422, 'beneficiary.bankCode'],
      ['a branch zengin does not know', 'bad-10', { amount: 1000, beneficiary: { ...SELLER, branchCode: '999' } }, 422, 'beneficiary.branchCode'],
      ['a kanji name', 'bad-11', { amount: 1000, beneficiary: { ...SELLER, name: '山田太郎' } }, 422, 'beneficiary.name'],
      ['an overlong EDI', 'bad-12', body(1000, { ediInfo: 'ABCDEFGHIJKLMNOPQRSTU' }), 422, 'ediInfo'],
      ['over the transfer limit', 'bad-13', body(5_000_001), 422, 'amount'],
      ['an account of no connection', 'bad-14', body(1000, { accountId: '302010013543' }), 422, 'accountId'],
      ['a date in the past', 'bad-15', body(1000, { designatedDate: '2020-01-01' }), 422, 'designatedDate'],
      ['a Saturday without a holidayRule', 'bad-17', body(1000, { designatedDate: '2026-11-28' }), 422, 'designatedDate'],
      ['a national holiday (成人の日) without a holidayRule', 'bad-18', body(1000, { designatedDate: '2027-01-11' }), 422, 'designatedDate'],
      ['12/31 with holidayRule reject', 'bad-19', body(1000, { designatedDate: '2026-12-31', holidayRule: 'reject' }), 422, 'designatedDate'],
      ['an unknown holidayRule', 'bad-20', body(1000, { designatedDate: '2026-11-28', holidayRule: 'nearest' }), 400, 'holidayRule'],
      ['an unknown field', 'bad-16', body(1000, { priority: 'high' }), 400, '(body)'],
    ])('%s', async (_what, idem, payload, status, field) => {
      const [beforeRows, beforeSim] = [await rows(), simCreated()];
      const res = await post(idem, payload);
      expect(res.status).toBe(status);
      expect(res.headers['content-type']).toContain('application/problem+json');
      expect(res.body.errors.map((e: { field: string }) => e.field)).toContain(field);
      expect(await rows()).toBe(beforeRows);
      expect(simCreated()).toBe(beforeSim);
    });

    test('the field error names the characters that cannot be sent', async () => {
      const res = await post('bad-emoji', { amount: 1000, beneficiary: { ...SELLER, name: 'ﾔﾏﾀﾞ👍' } }).expect(422);
      expect(res.body.errors[0].reason).toContain('👍');
    });
  });

  test('full lifecycle to completed: submitted → processing → completed, money debited at the bank', async () => {
    const before = (await get('/accounts/101011234567/balance').expect(200)).body.balance;
    const created = await post('life-ok', body(30_000)).expect(201);
    // the fee the bank quoted at submission is there at once; the poller later records what it charged
    expect(created.body).toMatchObject({ status: 'submitted', fee: 145, feeStatus: 'quoted', totalDebit: 30_145 });
    h.clock.advanceSeconds(20);
    await poll();
    expect((await get(`/transfers/${created.body.id}`)).body).toMatchObject({ status: 'processing', bankStatus: '12' });
    h.clock.advanceSeconds(120);
    await poll();
    const done = (await get(`/transfers/${created.body.id}`)).body;
    expect(done).toMatchObject({ status: 'completed', bankStatus: '20', fee: 145, feeStatus: 'final', totalDebit: 30_145 });
    expect(done.completedAt).toBe(h.clock.now().toISOString());
    expect((await get('/accounts/101011234567/balance')).body.balance).toBe(before - 30_145);
  });

  test('to failed (40 手続不成立) with the reason kept', async () => {
    const created = await post('life-40', body(40_000)).expect(201);
    h.sim.state.forceTransferStatus(created.body.applyNo, '40');
    h.clock.advanceSeconds(20);
    await poll();
    const t = (await get(`/transfers/${created.body.id}`)).body;
    expect(t).toMatchObject({ status: 'failed', bankStatus: '40', error: { code: 'BANK_STATUS_40' } });
    expect(t.error.message).toContain('手続不成立');
  });

  test.each(['22', '25'])('to returned (%s) after completion', async (code) => {
    const created = await post(`life-${code}`, body(22_000)).expect(201);
    h.clock.advanceSeconds(200);
    await poll();
    expect((await get(`/transfers/${created.body.id}`)).body.status).toBe('completed');
    h.sim.state.forceTransferStatus(created.body.applyNo, code as '22');
    h.clock.advanceSeconds(6 * 3600 + 1);
    await poll();
    expect((await get(`/transfers/${created.body.id}`)).body).toMatchObject({ status: 'returned', bankStatus: code });
  });

  test('cancel allowed while scheduled, refused once processing (409, no bank call)', async () => {
    // a later business day: 予約中 at the bank (a weekend would be a 422 without a holidayRule)
    const tomorrow = nextBusinessDay(jstDate(h.clock.now()));
    const scheduled = await post('cancel-ok', body(5_000, { designatedDate: tomorrow })).expect(201);
    h.clock.advanceSeconds(20);
    await poll();
    expect((await get(`/transfers/${scheduled.body.id}`)).body.status).toBe('scheduled');
    const cancelled = await request(h.app).post(`/v1/companies/SHOP/transfers/${scheduled.body.id}/cancel`).set(...bearer(key)).expect(200);
    expect(cancelled.body).toMatchObject({ status: 'cancelled', bankStatus: '8' });
    expect(h.sim.state.transfers().find((t) => t.applyNo === scheduled.body.applyNo)!.status).toBe('8');

    const running = await post('cancel-no', body(5_000)).expect(201);
    h.clock.advanceSeconds(20);
    await poll();
    const refused = await request(h.app).post(`/v1/companies/SHOP/transfers/${running.body.id}/cancel`).set(...bearer(key)).expect(409);
    // RFC 9457: `status` is the HTTP status; the transfer (account number masked) goes under `transfer`
    expect(refused.body).toMatchObject({ type: expect.stringContaining('transfer-not-cancellable'), status: 409, transfer: { id: running.body.id, status: 'processing' } });
    expect(refused.body.transfer.beneficiary.accountNumber).toMatch(/^\*\*\*\d{4}$/);
    await request(h.app).post(`/v1/companies/SHOP/transfers/${cancelled.body.id}/cancel`).set(...bearer(key)).expect(409);
  });

  test('awaiting approval (manual mode) is cancellable at the bank; the bank refusing a cancel is a clear 409', async () => {
    h.sim.state.configure({ approvalMode: 'manual' });
    try {
      const created = await post('manual-1', body(7_000)).expect(201);
      expect(created.body).toMatchObject({ status: 'submitted', bankResultCode: '2' });
      h.clock.advanceSeconds(20);
      await poll();
      expect((await get(`/transfers/${created.body.id}`)).body).toMatchObject({ status: 'submitted', bankStatus: '2' });
      h.sim.state.approveTransfer(created.body.applyNo);
      h.clock.advanceSeconds(31);
      await poll();
      expect((await get(`/transfers/${created.body.id}`)).body.status).toBe('processing');
    } finally {
      h.sim.state.configure({ approvalMode: 'auto' });
    }
  });

  test('timeout after the bank committed → unknown (202) → reconciled to the bank applyNo, never sent twice', async () => {
    const before = simCreated();
    h.sim.state.injectFault({ target: 'transfer.request', kind: 'timeout_after_commit' });
    const res = await post('unknown-1', body(15_000)).expect(202);
    expect(res.body).toMatchObject({ status: 'unknown', applyNo: null });
    expect(simCreated() - before).toBe(1);
    // a retry of the POS with the same key gets the same transfer, 202 as first answered, no bank call
    const replay = await post('unknown-1', body(15_000)).expect(202);
    expect(replay.body.id).toBe(res.body.id);
    h.clock.advanceSeconds(40);
    await poll();
    const t = (await get(`/transfers/${res.body.id}`)).body;
    const atBank = h.sim.state.transfers().filter((x) => x.idempotencyKey === res.body.id);
    expect(atBank).toHaveLength(1);
    expect(t.applyNo).toBe(atBank[0].applyNo);
    expect(['processing', 'submitted', 'completed']).toContain(t.status);
    expect(simCreated() - before).toBe(1);
  });

  test('connection reset after commit is unknown too, and reconciled the same way', async () => {
    const before = simCreated();
    h.sim.state.injectFault({ target: 'transfer.request', kind: 'reset_after_commit' });
    const res = await post('unknown-2', body(16_000)).expect(202);
    expect(res.body.status).toBe('unknown');
    h.clock.advanceSeconds(40);
    await poll();
    expect((await get(`/transfers/${res.body.id}`)).body.applyNo).toMatch(/^\d{16}$/);
    expect(simCreated() - before).toBe(1);
  });

  test('500 before the bank committed → unknown; not found at the bank → resent with the same key, once', async () => {
    const before = simCreated();
    h.sim.state.injectFault({ target: 'transfer.request', kind: 'error500' });
    const res = await post('unknown-3', body(17_000)).expect(202);
    expect(res.body.status).toBe('unknown');
    expect(simCreated() - before).toBe(0);
    h.clock.advanceSeconds(40);
    await poll(); // not found, but the bank has not had long enough to show it
    expect((await get(`/transfers/${res.body.id}`)).body.status).toBe('unknown');
    expect(simCreated() - before).toBe(0);
    h.clock.advanceSeconds(300);
    await poll();
    const t = (await get(`/transfers/${res.body.id}`)).body;
    expect(t.status).toBe('submitted');
    expect(simCreated() - before).toBe(1);
    expect(h.sim.state.transfers().find((x) => x.applyNo === t.applyNo)!.idempotencyKey).toBe(res.body.id);
  });

  test.each([
    ['rate_limit', '429'],
    ['maintenance', '503'],
  ] as const)('%s (%s) keeps the transfer pending, and the poller sends it later', async (fault, _status) => {
    const before = simCreated();
    h.sim.state.injectFault({ target: 'transfer.request', kind: fault });
    const res = await post(`busy-${fault}`, body(18_000)).expect(202);
    expect(res.body.status).toBe('pending');
    expect(simCreated() - before).toBe(0);
    h.clock.advanceSeconds(60);
    await poll();
    expect((await get(`/transfers/${res.body.id}`)).body.status).toBe('submitted');
    expect(simCreated() - before).toBe(1);
  });

  test('a 401 on /transfer/request (before processing) refreshes once and sends once', async () => {
    const before = simCreated();
    h.sim.state.expireTokens({ companyId: 'SHOP', kind: 'access' });
    const res = await post('after-401', body(19_000)).expect(201);
    expect(res.body.status).toBe('submitted');
    expect(simCreated() - before).toBe(1);
  });

  test('a crash between commit and bank call leaves a row the poller treats as unknown', async () => {
    const created = await post('crash-template', body(21_000)).expect(201);
    const template = await h.services.db.manager.findOneByOrFail(Transfer, { id: created.body.id });
    const now = h.clock.now();
    const orphan = Object.assign(new Transfer(), {
      ...template,
      id: '11111111-2222-4333-8444-555555555555',
      idempotencyKey: 'crashed-1',
      ediInfo: 'RC111111112222',
      status: 'pending',
      applyNo: null,
      bankStatus: null,
      bankResultCode: null,
      submissionOutcome: null,
      inFlightSince: now,
      lastAttemptAt: now,
      nextPollAt: now,
      submittedAt: null,
    });
    await h.services.db.manager.insert(Transfer, orphan);
    const before = simCreated();
    // a POS retry during the crash window is told to wait, not given a second transfer
    const during = await post('crashed-1', body(21_000)).expect(409);
    expect(during.body.type).toContain('request-in-flight');
    expect(during.headers['retry-after']).toBe('2');
    await poll();
    expect((await get(`/transfers/${orphan.id}`)).body.status).toBe('pending');
    h.clock.advanceSeconds(121);
    await poll(); // stale in-flight: looked for at the bank, not found yet
    expect(simCreated() - before).toBe(0);
    h.clock.advanceSeconds(300);
    await poll();
    expect((await get(`/transfers/${orphan.id}`)).body.status).toBe('submitted');
    expect(simCreated() - before).toBe(1);
  });

  test('200 concurrent POSTs with 20 distinct keys → exactly 20 transfers at the bank', async () => {
    const before = simCreated();
    const beforeRows = await rows();
    const responses = await Promise.all(
      Array.from({ length: 200 }, (_, i) => post(`burst-${i % 20}`, body(1_000 + (i % 20)))),
    );
    const statuses: Record<string, number> = {};
    for (const r of responses) statuses[r.status] = (statuses[r.status] ?? 0) + 1;
    // 202 only if the simulator was slower than BANK_TIMEOUT_MS on a loaded machine (then `unknown`)
    const unexpected = responses.filter((r) => ![201, 202, 409].includes(r.status)).map((r) => r.body);
    expect(unexpected).toEqual([]);
    expect((await rows()) - beforeRows).toBe(20);
    // a loaded machine may have turned some into `unknown`: reconciliation must still end at exactly 20
    for (const wait of [40, 301]) {
      h.clock.advanceSeconds(wait);
      await poll();
    }
    expect(simCreated() - before).toBe(20);
    const burst = await h.services.db.manager.find(Transfer, { where: { companyId: 'SHOP' } });
    const mine = burst.filter((t) => t.idempotencyKey.startsWith('burst-'));
    expect(mine).toHaveLength(20);
    expect(mine.every((t) => /^\d{16}$/.test(t.applyNo ?? ''))).toBe(true);
    expect(new Set(mine.map((t) => t.applyNo)).size).toBe(20);
    const ids = new Map<string, string>();
    responses.forEach((r, i) => {
      if (r.status === 409) return;
      const k = `burst-${i % 20}`;
      expect(ids.get(k) ?? r.body.id).toBe(r.body.id);
      ids.set(k, r.body.id);
    });
    expect(ids.size).toBe(20);
  });

  test('list: newest first, cursor pagination, status filter', async () => {
    for (let i = 0; i < 6; i++) {
      h.clock.advanceSeconds(1);
      await post(`list-${i}`, body(2_000 + i)).expect(201);
    }
    const page1 = await get('/transfers?limit=5').expect(200);
    expect(page1.body.items.map((t: { idempotencyKey: string }) => t.idempotencyKey)).toEqual(['list-5', 'list-4', 'list-3', 'list-2', 'list-1']);
    expect(page1.body.items).toHaveLength(5);
    const page2 = await get(`/transfers?limit=5&cursor=${page1.body.nextCursor}`).expect(200);
    const all = [...page1.body.items, ...page2.body.items];
    expect(page2.body.items[0].idempotencyKey).toBe('list-0');
    expect(new Set(all.map((t: { id: string }) => t.id)).size).toBe(all.length);
    const times = all.map((t: { createdAt: string }) => t.createdAt);
    expect([...times].sort().reverse()).toEqual(times);
    const failed = await get('/transfers?status=failed').expect(200);
    expect(failed.body.items.every((t: { status: string }) => t.status === 'failed')).toBe(true);
    const newest = all[0].createdAt as string;
    const window = await get(`/transfers?from=${encodeURIComponent(newest)}&to=${encodeURIComponent(new Date(Date.parse(newest) + 1).toISOString())}`).expect(200);
    expect(window.body.items.length).toBeGreaterThan(0);
    expect(window.body.items.every((t: { createdAt: string }) => t.createdAt === newest)).toBe(true);
    expect((await get(`/transfers?to=${encodeURIComponent('2000-01-01T00:00:00Z')}`).expect(200)).body.items).toEqual([]);
    await get('/transfers?from=yesterday').expect(400);
    await get('/transfers?from=2026-13-01').expect(400);
    // a plain date is that whole day in JST
    const todayJst = jstDate(new Date(Date.parse(newest)));
    const dayBefore = jstDate(new Date(Date.parse(newest) - 86_400_000));
    expect((await get(`/transfers?from=${todayJst}&to=${todayJst}`).expect(200)).body.items.map((t: { id: string }) => t.id)).toContain(window.body.items[0].id);
    expect((await get(`/transfers?to=${dayBefore}&from=${dayBefore}`).expect(200)).body.items.filter((t: { createdAt: string }) => t.createdAt === newest)).toEqual([]);
    await get('/transfers?status=lost').expect(400);
    await get('/transfers?cursor=garbage').expect(400);
    await get('/transfers?limit=1000').expect(400);
  });

  test("cross-company: A's key cannot read, create or cancel B's transfers, nor pay from B's account", async () => {
    // OTHER logs in at the bank as another customer (the 個人 test user), with its own account
    const { key: otherKey } = await connectCompany(h, 'OTHER', { bankUser: 'personal-user' });
    const theirAccount = (await request(h.app).get('/v1/companies/OTHER/accounts').set(...bearer(otherKey)).expect(200)).body.accounts[0].accountId;
    expect(theirAccount).toBe('302010013543');
    const globalKey = await h.apiKey(null);
    const beforeRows = await rows();
    const borrowed = await post('xc-0', body(1_000, { accountId: theirAccount }), 'SHOP', globalKey).expect(422);
    expect(borrowed.body.errors.map((e: { field: string }) => e.field)).toEqual(['accountId']);
    expect(await rows()).toBe(beforeRows);
    await request(h.app).get(`/v1/companies/SHOP/accounts/${theirAccount}/balance`).set(...bearer(globalKey)).expect(404);
    const mine = await post('xc-1', body(1_000)).expect(201);
    await request(h.app).get(`/v1/companies/SHOP/transfers/${mine.body.id}`).set(...bearer(otherKey)).expect(404);
    await request(h.app).get(`/v1/companies/OTHER/transfers/${mine.body.id}`).set(...bearer(otherKey)).expect(404);
    await request(h.app).post(`/v1/companies/OTHER/transfers/${mine.body.id}/cancel`).set(...bearer(otherKey)).expect(404);
    await post('xc-2', body(1_000), 'SHOP', otherKey).expect(404);
    const list = await request(h.app).get('/v1/companies/OTHER/transfers').set(...bearer(otherKey)).expect(200);
    expect(list.body.items.map((t: { id: string }) => t.id)).not.toContain(mine.body.id);
    // the same Idempotency-Key in another company is another transfer
    const theirs = await post('xc-1', body(1_000), 'OTHER', otherKey).expect(201);
    expect(theirs.body.accountId).toBe(theirAccount);
    expect(theirs.body.id).not.toBe(mine.body.id);
  });

  test('after everything above, once the poller has settled it: no payout twice, none lost, no applyNo shared', async () => {
    for (const wait of [130, 301, 3600]) {
      h.clock.advanceSeconds(wait);
      await poll();
    }
    const figures = await expectMoneyInvariant(h);
    expect(figures.reportedSent).toBeGreaterThan(20);
  });
});

describe('a transfer the bank refuses', () => {
  test('insufficient funds: failed with the bank code kept, 422 carrying the transfer, replayed as such', async () => {
    const h = await startHarness('sqlite');
    try {
      const { key } = await connectCompany(h, 'POOR');
      const send = (i: number) =>
        request(h.app).post('/v1/companies/POOR/transfers').set(...bearer(key)).set('idempotency-key', `big-${i}`).send(body(5_000_000));
      for (let i = 0; i < 9; i++) expect((await send(i)).status).toBe(201);
      const refused = await send(9);
      expect(refused.status).toBe(422);
      expect(refused.body).toMatchObject({ type: expect.stringContaining('transfer-refused'), transfer: { status: 'failed', error: { code: expect.any(String) } } });
      expect(refused.body.transfer.error.message.length).toBeGreaterThan(0);
      expect(refused.body.transfer.beneficiary.accountNumber).toBe('***0123');
      expect(JSON.stringify(refused.body)).not.toContain('0000123');
      const replay = await send(9);
      expect(replay.status).toBe(422);
      expect(replay.headers['idempotent-replayed']).toBe('true');
      expect(h.sim.state.stats().transferRequests).toBe(9);
    } finally {
      await h.close();
    }
  });
});

describe('the bank disagrees with our checks (its clock is two days ahead)', () => {
  test('fee quote: the bank validation error comes back as field errors; a transfer is failed with the bank code kept', async () => {
    let h: Harness | undefined;
    const skewed = { now: () => new Date(h!.clock.now().getTime() + 2 * 86_400_000) };
    h = await startHarness('sqlite', { simulator: { clock: skewed } });
    try {
      const { key } = await connectCompany(h, 'SKEW');
      const quote = await request(h.app).post('/v1/companies/SKEW/transfers/fee-quote').set(...bearer(key)).send(body(1000)).expect(422);
      expect(quote.body.type).toContain('bank-validation-error');
      expect(quote.body.errors).toEqual([{ field: 'transfer', reason: expect.stringMatching(/^220103: .*過去/) }]);
      const refused = await request(h.app).post('/v1/companies/SKEW/transfers').set(...bearer(key)).set('idempotency-key', 'skew-1').send(body(1000)).expect(422);
      expect(refused.body.transfer).toMatchObject({ status: 'failed', error: { code: '220011', details: [{ code: '220103', message: expect.stringContaining('過去') }] } });
      expect(h.sim.state.stats().transferRequests).toBe(0);
    } finally {
      await h.close();
    }
  });
});

describe('metrics', () => {
  test('/metrics counts requests by route (never by URL) and transfers by status', async () => {
    const h = await startHarness('sqlite');
    try {
      const { key } = await connectCompany(h, 'M1');
      await request(h.app).post('/v1/companies/M1/transfers').set(...bearer(key)).set('idempotency-key', 'm-1').send(body(1000)).expect(201);
      const res = await request(h.app).get('/metrics').expect(200);
      expect(res.headers['content-type']).toContain('text/plain');
      expect(res.text).toContain('gbi_transfers{status="submitted"} 1');
      expect(res.text).toContain('gbi_bank_connections{status="connected"} 1');
      expect(res.text).toContain('gbi_http_requests_total{method="GET",route="/refresh_token/:companyId",status="2xx"} 1');
      expect(res.text).not.toContain('code=');
    } finally {
      await h.close();
    }
  });
});
