import request from 'supertest';
import { jstDate } from '../../src/bank/jst';
import { nextBusinessDay } from '../../src/calendar/businessDays';
import { FAULT_KINDS, type FaultKind, type FaultTarget } from '../../src/simulator/faults';
import type { TransferStatus } from '../../src/transfers/lifecycle';
import type { PollOutcome, TransferReconciler } from '../../src/transfers/reconciler';
import { Transfer } from '../../src/transfers/transfer.entity';
import { bearer, connectCompany } from '../support/connect';
import { DATABASES } from '../support/databases';
import { startHarness, type Harness } from '../support/harness';
import { expectMoneyInvariant, moneyInvariant } from '../support/moneyInvariant';

/**
 * Every fault the simulator can inject × every bank call the service makes, on each database, with
 * the answers README.md documents. Ends with the money invariant over everything the matrix did:
 * no transfer booked twice, none lost, none unresolved.
 *
 * Clock and time budget: the bank timeout is short (a `timeout` fault costs BANK_TIMEOUT_MS of real
 * time, the held socket is released after HANG_MS); access tokens live ACCESS_TOKEN_TTL seconds of
 * the manual clock, so a token cell forces a refresh by moving the clock past that expiry.
 */
const BANK_TIMEOUT_MS = 400;
const HANG_MS = 2000;
const ACCESS_TOKEN_TTL = 3600;
const REFRESH_MARGIN = 60;
/** the settling loop: at most this many poller passes, each after this many seconds of clock */
const SETTLE_PASSES = 20;
const SETTLE_STEP = 600;

const AFTER_COMMIT: readonly FaultKind[] = ['timeout_after_commit', 'reset_after_commit'];
/** on the token endpoint: every kind but the *_after_commit ones */
const TOKEN_KINDS = FAULT_KINDS.filter((k) => !AFTER_COMMIT.includes(k));
/** on reads: no invalid_grant (token only) and no *_after_commit (a read commits nothing) */
const READ_KINDS = FAULT_KINDS.filter((k) => k !== 'invalid_grant' && !AFTER_COMMIT.includes(k));
/** on updates (transfer request, cancel): every kind but invalid_grant */
const UPDATE_KINDS = FAULT_KINDS.filter((k) => k !== 'invalid_grant');
const CERTAINLY_NOT_PROCESSED: readonly FaultKind[] = ['rate_limit', 'maintenance'];

const UNRESOLVED: ReadonlySet<TransferStatus> = new Set(['pending', 'unknown']);
const SELLER = { bankCode: '0005', branchCode: '001', accountType: 'ordinary', accountNumber: '7654321', name: 'ヤマダ ハナコ' };

const TOKEN_CALLS = ['accounts', 'balances', 'fee', 'request', 'status', 'cancel'] as const;
type TokenCall = (typeof TOKEN_CALLS)[number];
const READ_CALLS = [
  ['accounts', 'accounts'],
  ['balances', 'balances'],
  ['fee', 'transfer.fee'],
] as const;

const TOKEN_CELLS = TOKEN_CALLS.flatMap((call) => TOKEN_KINDS.map((kind) => [kind, call] as const));
const READ_CELLS = READ_CALLS.flatMap(([call, target]) => READ_KINDS.map((kind) => [kind, call, target] as const));
const REQUEST_CELLS = UPDATE_KINDS.map((kind) => [kind, CERTAINLY_NOT_PROCESSED.includes(kind) ? 'pending' : 'unknown'] as const);
const CANCEL_CELLS = UPDATE_KINDS.map((kind) => [kind, CERTAINLY_NOT_PROCESSED.includes(kind) ? '503 bank-unavailable' : '202'] as const);
const CELLS_PER_DATABASE = TOKEN_CELLS.length + READ_CELLS.length + REQUEST_CELLS.length + 2 * READ_KINDS.length + CANCEL_CELLS.length;

interface Seen {
  cell: string;
  what: string;
  status: number;
  type?: string;
  retryAfter?: string;
}

/** The problem type's slug (`…/problems/bank-unavailable` → `bank-unavailable`). */
function slug(res: request.Response): string | undefined {
  const type = (res.body as { type?: unknown } | undefined)?.type;
  return typeof type === 'string' ? type.split('/').pop() : undefined;
}

/** "503 bank-unavailable", "202", "500 internal-error": what came back, in one comparable string. */
function answer(res: request.Response): string {
  const s = slug(res);
  return s && res.status >= 400 ? `${res.status} ${s}` : String(res.status);
}

function expectBankUnavailable(res: request.Response, retryAfter?: string): void {
  expect(answer(res)).toBe('503 bank-unavailable');
  expect(res.headers['retry-after']).toMatch(/^[1-9]\d*$/);
  if (retryAfter !== undefined) expect(res.headers['retry-after']).toBe(retryAfter);
}

describe.each(DATABASES)('fault matrix on %s', (db) => {
  let h: Harness;
  let key: string;
  let reconciler: TransferReconciler;
  const seen: Seen[] = [];
  let amount = 1_000;
  let companies = 0;
  let keys = 0;

  beforeAll(async () => {
    h = await startHarness(db, {
      env: { BANK_TIMEOUT_MS: String(BANK_TIMEOUT_MS), TOKEN_REFRESH_MARGIN_SECONDS: String(REFRESH_MARGIN) },
      // faults, not calendars: the clock passes 15:00 JST, and a bank with the cut-off would hold same-day transfers a day
      simulator: { hangMs: HANG_MS, accessTokenTtlSeconds: ACCESS_TOKEN_TTL, bankCalendar: false },
    });
    key = await h.apiKey(null);
    await connect('SHOP');
    // the poller's per-transfer step, for polls aimed at one transfer whatever else is due
    reconciler = h.services.reconciler;
  });
  afterEach(() => {
    h?.sim.state.clearFaults();
  });
  afterAll(async () => {
    await h?.close();
  });

  async function connect(companyId: string): Promise<string> {
    const { page } = await connectCompany(h, companyId, { key });
    expect(page.body).toContain('銀行口座の連携が完了しました');
    return companyId;
  }

  /** Every API call goes through here, so the closing test can check that no undocumented 5xx came back. */
  async function api(method: 'get' | 'post', path: string, options: { body?: object; idem?: string } = {}): Promise<request.Response> {
    let req = request(h.app)[method](path).set(...bearer(key));
    if (options.idem !== undefined) req = req.set('idempotency-key', options.idem);
    const res = method === 'post' ? await req.send(options.body ?? {}) : await req;
    seen.push({ cell: expect.getState().currentTestName ?? '?', what: `${method.toUpperCase()} ${path}`, status: res.status, type: slug(res), retryAfter: res.headers['retry-after'] });
    return res;
  }

  const inject = (target: FaultTarget, kind: FaultKind) => h.sim.state.injectFault({ target, kind });
  /** the cell tested what it says only if the call it aimed at took the fault */
  const expectFaultTaken = () => expect(h.sim.state.pendingFaults()).toEqual([]);
  const body = (extra: Record<string, unknown> = {}) => ({ amount: ++amount, beneficiary: SELLER, ...extra });
  /** a bank business day after today, whatever day the moving clock has reached */
  const laterBusinessDay = () => nextBusinessDay(jstDate(h.clock.now()));
  const idem = (what: string) => `${what}-${++keys}`;
  const row = (id: string) => h.services.db.manager.findOneByOrFail(Transfer, { id });
  const rowsOf = (companyId: string) => h.services.db.manager.countBy(Transfer, { companyId });
  const booked = () => h.sim.state.stats().transferRequests;
  const bookedFor = (id: string) => h.sim.state.transfers().filter((b) => b.idempotencyKey === id);
  const bookedForCompany = (companyId: string) => h.sim.state.transfers().filter((b) => b.companyId === companyId);
  const bankStatus = (applyNo: string) => h.sim.state.transfers().find((b) => b.applyNo === applyNo)?.status;
  const createTransfer = (companyId: string, payload: object, k = idem('t')) => api('post', `/v1/companies/${companyId}/transfers`, { body: payload, idem: k });
  const cancel = (companyId: string, id: string) => api('post', `/v1/companies/${companyId}/transfers/${id}/cancel`);

  /** One reconciler step for one transfer; an exception is reported as an outcome so the cell can name it. */
  async function pollOne(id: string): Promise<PollOutcome | string> {
    try {
      return await reconciler.poll(await row(id));
    } catch (err) {
      return `threw ${(err as Error).name}: ${(err as Error).message}`;
    }
  }

  /** Moves the clock and runs the poller (bounded) until the transfer is neither pending nor unknown. */
  async function settle(id: string): Promise<Transfer> {
    let t = await row(id);
    for (let pass = 0; pass < SETTLE_PASSES && UNRESOLVED.has(t.status); pass++) {
      h.clock.advanceSeconds(SETTLE_STEP);
      await h.services.poller.runOnce();
      t = await row(id);
    }
    return t;
  }

  /** A transfer dated on a later business day: 11 予約中 at the bank, `scheduled` here, cancellable. */
  async function scheduledTransfer(companyId: string): Promise<Transfer> {
    const created = await createTransfer(companyId, body({ designatedDate: laterBusinessDay() }));
    expect(answer(created)).toBe('201');
    expect(await pollOne(created.body.id)).toBe('updated');
    const t = await row(created.body.id);
    expect({ status: t.status, bank: bankStatus(t.applyNo!) }).toEqual({ status: 'scheduled', bank: '11' });
    return t;
  }

  describe('token: the refresh before a call fails', () => {
    test.each(TOKEN_CELLS)('token %s, refreshing for %s', async (kind, call: TokenCall) => {
      const company = await connect(`TK${db === 'sqlite' ? 'S' : 'M'}-${++companies}`);
      const reauth = kind === 'invalid_grant';
      let transfer: Transfer | undefined;
      if (call === 'status') {
        const created = await createTransfer(company, body());
        expect(answer(created)).toBe('201');
        transfer = await row(created.body.id);
      } else if (call === 'cancel') {
        transfer = await scheduledTransfer(company);
      }
      // past the access token's expiry: the next call of this company refreshes first
      h.clock.advanceSeconds(ACCESS_TOKEN_TTL);
      const bookedBefore = booked();
      inject('token', kind);

      switch (call) {
        case 'accounts':
        case 'balances':
        case 'fee': {
          const path = `/v1/companies/${company}/${call === 'accounts' ? 'accounts' : call === 'balances' ? 'accounts/101011234567/balance' : 'transfers/fee-quote'}`;
          const go = () => (call === 'fee' ? api('post', path, { body: body() }) : api('get', path));
          const res = await go();
          if (reauth) expect(answer(res)).toBe('409 reauthorization-required');
          else expectBankUnavailable(res);
          expectFaultTaken();
          // a retry refreshes and works
          if (!reauth) expect(answer(await go())).toBe('200');
          break;
        }
        case 'request': {
          const k = idem('tk');
          const payload = body();
          const res = await createTransfer(company, payload, k);
          if (reauth) expect(answer(res)).toBe('409 reauthorization-required');
          else expectBankUnavailable(res);
          expectFaultTaken();
          expect({ rows: await rowsOf(company), booked: bookedForCompany(company).length }).toEqual({ rows: 0, booked: 0 });
          expect(booked()).toBe(bookedBefore);
          if (!reauth) {
            // the POS retries with the same key: nothing was stored, so it is a first request
            const retry = await createTransfer(company, payload, k);
            expect({ answer: answer(retry), status: retry.body.status }).toEqual({ answer: '201', status: 'submitted' });
            expect(bookedFor(retry.body.id)).toHaveLength(1);
          }
          break;
        }
        case 'status': {
          // extrapolated from "status faults during a poll": a failed refresh defers the poll too
          expect(await pollOne(transfer!.id)).toBe('deferred');
          expectFaultTaken();
          expect((await row(transfer!.id)).status).toBe('submitted');
          if (reauth) {
            expect((await api('get', `/v1/companies/${company}/connection`)).body.status).toBe('reauthorization_required');
          } else {
            h.clock.advanceSeconds(SETTLE_STEP);
            expect(await pollOne(transfer!.id)).toBe('updated');
            expect((await row(transfer!.id)).status).toBe('completed');
          }
          break;
        }
        case 'cancel': {
          // extrapolated: the cancel either goes through after all (200) or is answered 503; never a 500
          const res = await cancel(company, transfer!.id);
          expectFaultTaken();
          const t = await row(transfer!.id);
          if (reauth) {
            expect(answer(res)).toBe('409 reauthorization-required');
          } else {
            expect(['200', '503 bank-unavailable']).toContain(answer(res));
          }
          if (res.status === 200) {
            expect({ status: t.status, bank: bankStatus(t.applyNo!) }).toEqual({ status: 'cancelled', bank: '8' });
          } else {
            if (res.status === 503) expectBankUnavailable(res);
            expect({ status: t.status, cancelRequestedAt: t.cancelRequestedAt, bank: bankStatus(t.applyNo!) }).toEqual({
              status: 'scheduled',
              cancelRequestedAt: null,
              bank: '11',
            });
          }
          break;
        }
      }
    });
  });

  describe('accounts, balances, fee quote: the call itself fails', () => {
    test.each(READ_CELLS)('%s on %s', async (kind, call, target) => {
      const go = () =>
        call === 'accounts'
          ? api('get', '/v1/companies/SHOP/accounts')
          : call === 'balances'
            ? api('get', '/v1/companies/SHOP/accounts/101011234567/balance')
            : api('post', '/v1/companies/SHOP/transfers/fee-quote', { body: body() });
      inject(target, kind);
      const res = await go();
      expectBankUnavailable(res, kind === 'maintenance' ? '60' : undefined);
      expectFaultTaken();
      expect(answer(await go())).toBe('200');
    });
  });

  describe('transfer request fails: answered, then settled by the poller with exactly one bank transfer', () => {
    test.each(REQUEST_CELLS)('%s → 202 %s', async (kind, expected) => {
      const before = booked();
      const k = idem('req');
      const payload = body();
      inject('transfer.request', kind);
      const res = await createTransfer('SHOP', payload, k);
      expect({ answer: answer(res), status: res.body.status }).toEqual({ answer: '202', status: expected });
      expectFaultTaken();
      const id: string = res.body.id;
      expect(bookedFor(id)).toHaveLength(AFTER_COMMIT.includes(kind) ? 1 : 0);

      // the POS retries: the same transfer, the first answer, no bank call
      const replay = await createTransfer('SHOP', payload, k);
      expect({ answer: answer(replay), id: replay.body.id, replayed: replay.headers['idempotent-replayed'] }).toEqual({ answer: '202', id, replayed: 'true' });
      expect(booked() - before).toBe(AFTER_COMMIT.includes(kind) ? 1 : 0);

      const t = await settle(id);
      expect(UNRESOLVED.has(t.status)).toBe(false);
      const atBank = bookedFor(id);
      expect(atBank.map((b) => b.applyNo)).toEqual([t.applyNo]);
      expect(booked() - before).toBe(1);
    });
  });

  describe('transfer status fails during a poll: deferred, a later poll proceeds', () => {
    test.each(READ_KINDS)('%s while following a submitted transfer', async (kind) => {
      const created = await createTransfer('SHOP', body());
      expect(answer(created)).toBe('201');
      const id: string = created.body.id;
      h.clock.advanceSeconds(20);
      inject('transfer.status', kind);
      expect(await pollOne(id)).toBe('deferred');
      expectFaultTaken();
      const deferred = await row(id);
      expect({ status: deferred.status, bankStatus: deferred.bankStatus }).toEqual({ status: 'submitted', bankStatus: null });
      h.clock.advanceSeconds(SETTLE_STEP);
      expect(await pollOne(id)).toBe('updated');
      expect(['processing', 'completed']).toContain((await row(id)).status);
      expect(bookedFor(id)).toHaveLength(1);
    });

    test.each(READ_KINDS)('%s while looking for an unknown transfer at the bank: no resend', async (kind) => {
      const before = booked();
      inject('transfer.request', 'reset_after_commit');
      const created = await createTransfer('SHOP', body());
      expect({ answer: answer(created), status: created.body.status }).toEqual({ answer: '202', status: 'unknown' });
      const id: string = created.body.id;
      h.clock.advanceSeconds(SETTLE_STEP);
      inject('transfer.status', kind);
      expect(await pollOne(id)).toBe('deferred');
      expectFaultTaken();
      expect((await row(id)).status).toBe('unknown');
      expect(booked() - before).toBe(1);
      h.clock.advanceSeconds(SETTLE_STEP);
      expect(await pollOne(id)).toBe('adopted');
      const t = await row(id);
      expect(UNRESOLVED.has(t.status)).toBe(false);
      expect(bookedFor(id).map((b) => b.applyNo)).toEqual([t.applyNo]);
      expect(booked() - before).toBe(1);
    });
  });

  describe('transfer cancel fails', () => {
    test.each(CANCEL_CELLS)('%s → %s', async (kind, expected) => {
      const t = await scheduledTransfer('SHOP');
      inject('transfer.cancel', kind);
      const res = await cancel('SHOP', t.id);
      expectFaultTaken();
      if (expected === '503 bank-unavailable') {
        expectBankUnavailable(res);
        const after = await row(t.id);
        expect({ status: after.status, cancelRequestedAt: after.cancelRequestedAt, bank: bankStatus(t.applyNo!) }).toEqual({
          status: 'scheduled',
          cancelRequestedAt: null,
          bank: '11',
        });
      } else {
        expect(answer(res)).toBe('202');
        expect(res.body.cancelRequestedAt).toEqual(expect.any(String));
        const cancelledAtBank = AFTER_COMMIT.includes(kind);
        const bank = cancelledAtBank ? '8' : '11';
        expect(bankStatus(t.applyNo!)).toBe(bank);
        let after = await row(t.id);
        for (let pass = 0; pass < 5 && after.bankStatus !== bank; pass++) {
          await h.services.poller.runOnce();
          after = await row(t.id);
          h.clock.advanceSeconds(60);
        }
        expect({ status: after.status, bankStatus: after.bankStatus }).toEqual({ status: cancelledAtBank ? 'cancelled' : 'scheduled', bankStatus: bank });
        if (cancelledAtBank) return;
      }
      // the cancel did not happen: the POS may ask again, and then it does
      const again = await cancel('SHOP', t.id);
      expect({ answer: answer(again), status: again.body.status }).toEqual({ answer: '200', status: 'cancelled' });
      expect(bankStatus(t.applyNo!)).toBe('8');
    });
  });

  test('closing: the bank and our table agree, nothing unresolved, no undocumented 5xx', async () => {
    const pollErrors: string[] = [];
    for (let pass = 0; pass < SETTLE_PASSES && (await moneyInvariant(h)).unresolved > 0; pass++) {
      h.clock.advanceSeconds(SETTLE_STEP);
      try {
        await h.services.poller.runOnce();
      } catch (err) {
        pollErrors.push((err as Error).message);
      }
    }
    const figures = await moneyInvariant(h);
    const fiveHundreds = seen.filter((s) => s.status === 500);
    const undocumented = seen.filter((s) => s.status >= 500 && !(s.status === 503 && s.type === 'bank-unavailable' && s.retryAfter));
    console.log(
      `fault matrix on ${db}: cells=${CELLS_PER_DATABASE} requests=${seen.length} 500s=${fiveHundreds.length} undocumented5xx=${undocumented.length} ` +
        `rows=${figures.rows} reportedSent=${figures.reportedSent} bankTransfers=${figures.bankTransfers} duplicates=${figures.duplicates} ` +
        `lost=${figures.lost} sharedApplyNos=${figures.sharedApplyNos} unresolved=${figures.unresolved}`,
    );
    await expectMoneyInvariant(h);
    expect(figures.unresolved).toBe(0);
    expect(pollErrors).toEqual([]);
    expect(undocumented.map((s) => `${s.cell}: ${s.what} → ${s.status} ${s.type ?? ''}`)).toEqual([]);
  });
});
