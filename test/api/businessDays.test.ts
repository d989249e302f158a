import request from 'supertest';
import type { BankTransferDetail, TransferRequestBody } from '../../src/bank/transfersApi';
import { Transfer } from '../../src/transfers/transfer.entity';
import { bearer, connectCompany } from '../support/connect';
import { DATABASES } from '../support/databases';
import { startHarness, type Harness } from '../support/harness';
import { expectMoneyInvariant } from '../support/moneyInvariant';

const SELLER = { bankCode: '0005', branchCode: '001', accountType: 'ordinary', accountNumber: '1234567', name: 'ヤマダ タロウ' };
const SAME_BANK = { ...SELLER, bankCode: '0310', branchCode: '101' };
const body = (extra: Record<string, unknown> = {}) => ({ amount: 3_000, beneficiary: SELLER, ...extra });

/**
 * The harness's clock starts on Tuesday 2026-11-24 10:00 JST and only moves forward: the tests run in order,
 * Tuesday morning, then Tuesday after the 15:00 JST cut-off, then Saturday 2026-11-28.
 * The simulator (sharing the clock) keeps Japan's bank calendar and moves a date by the holiday code, as GMO does.
 */
describe.each(DATABASES)('business days and the cut-off on %s', (kind) => {
  let h: Harness;
  let key: string;
  let requestSpy: jest.SpiedFunction<Harness['services']['bank']['transfers']['request']>;
  let feeSpy: jest.SpiedFunction<Harness['services']['bank']['transfers']['fee']>;
  beforeAll(async () => {
    h = await startHarness(kind, { simulator: { bankCalendar: true } });
    ({ key } = await connectCompany(h, 'SHOP'));
    // what the service puts on the wire (the real call goes on)
    requestSpy = jest.spyOn(h.services.bank.transfers, 'request');
    feeSpy = jest.spyOn(h.services.bank.transfers, 'fee');
  });
  afterAll(async () => {
    if (h) await expectMoneyInvariant(h);
    jest.restoreAllMocks();
    await h?.close();
  });

  const post = (idem: string, payload: object) => request(h.app).post('/v1/companies/SHOP/transfers').set(...bearer(key)).set('idempotency-key', idem).send(payload);
  const quote = (payload: object) => request(h.app).post('/v1/companies/SHOP/transfers/fee-quote').set(...bearer(key)).send(payload);
  const get = async (id: string) => (await request(h.app).get(`/v1/companies/SHOP/transfers/${id}`).set(...bearer(key)).expect(200)).body;
  const rows = () => h.services.db.manager.count(Transfer);
  const bankCalls = () => {
    const s = h.sim.state.stats();
    return { booked: s.transferRequests, requests: s.apiCalls['transfer.request'] ?? 0, fees: s.apiCalls['transfer.fee'] ?? 0 };
  };
  const sentFor = (transferId: string): TransferRequestBody[] => requestSpy.mock.calls.filter((c) => c[2] === transferId).map((c) => c[1]);
  const atBank = (applyNo: string) => h.sim.state.transfers().find((t) => t.applyNo === applyNo)!;
  const advanceTo = (iso: string) => h.clock.advanceSeconds((Date.parse(iso) - h.clock.now().getTime()) / 1000);
  const poll = () => h.services.poller.runOnce();

  /** a 422 naming designatedDate, and nothing stored or sent (no transfer, no fee quote) */
  async function refusedUntouched(payload: object, reason: string) {
    const [beforeRows, before] = [await rows(), bankCalls()];
    const created = await post(`refuse-${Math.random()}`, payload).expect(422);
    const quoted = await quote(payload).expect(422);
    for (const res of [created, quoted]) {
      expect(res.headers['content-type']).toContain('application/problem+json');
      expect(res.body.type).toContain('transfer-invalid');
      expect(res.body.errors).toEqual([{ field: 'designatedDate', reason: expect.stringContaining(reason) }]);
    }
    expect(await rows()).toBe(beforeRows);
    expect(bankCalls()).toEqual(before);
  }

  // ---------------------------------------------------------------- Tuesday 2026-11-24 10:00 JST

  describe('a designatedDate that is not a bank business day, without a rule', () => {
    test.each([
      ['a Saturday', '2026-11-28', 'is a Saturday (土曜日), not a bank business day', '2026-11-30'],
      ['a Sunday', '2026-11-29', 'is a Sunday (日曜日)', '2026-11-30'],
      ['a national holiday (成人の日)', '2027-01-11', 'is a national holiday (成人の日)', '2027-01-12'],
      ['12/31', '2026-12-31', 'is a bank year-end holiday (年末年始, 12/31–1/3)', '2027-01-04'],
      ['1/2', '2027-01-02', 'not a bank business day', '2027-01-04'],
    ])('%s is a 422 naming designatedDate and the next business day; nothing stored, nothing sent', async (_what, date, reason, next) => {
      await refusedUntouched(body({ designatedDate: date }), reason);
      await refusedUntouched(body({ designatedDate: date }), `the next is ${next}`);
      await refusedUntouched(body({ designatedDate: date, holidayRule: 'reject' }), 'holidayRule');
    });

    test('an unknown holidayRule is a 400 naming it', async () => {
      const before = await rows();
      const res = await post('rule-bad', body({ designatedDate: '2026-11-28', holidayRule: 'nearest' })).expect(400);
      expect(res.body.errors.map((e: { field: string }) => e.field)).toEqual(['holidayRule']);
      expect(await rows()).toBe(before);
    });
  });

  /** every transfer moved by a rule, to check later against what the bank shows */
  const moved: Array<{ id: string; applyNo: string; settlementDate: string; settlementNote: string }> = [];

  test.each([
    ['a Saturday', '2026-11-28', 'next_business_day', '2026-11-30', '1', 'next business day'],
    ['a Saturday', '2026-11-28', 'previous_business_day', '2026-11-27', '2', 'previous business day'],
    ['a Sunday', '2026-11-29', 'next_business_day', '2026-11-30', '1', 'is a Sunday'],
    ['成人の日', '2027-01-11', 'next_business_day', '2027-01-12', '1', 'is a national holiday (成人の日)'],
    ['成人の日', '2027-01-11', 'previous_business_day', '2027-01-08', '2', 'previous business day'],
    ['the Saturday before 成人の日', '2027-01-09', 'next_business_day', '2027-01-12', '1', 'next business day'],
    ['12/31', '2026-12-31', 'next_business_day', '2027-01-04', '1', 'year-end'],
    ['12/31', '2026-12-31', 'previous_business_day', '2026-12-30', '2', 'previous business day'],
    ['1/2', '2027-01-02', 'next_business_day', '2027-01-04', '1', 'next business day'],
    ['1/2', '2027-01-02', 'previous_business_day', '2026-12-30', '2', 'previous business day'],
  ])('%s (%s) with %s: 201, settles %s… the bank is told holiday code %s', async (_what, date, rule, settles, code, says) => {
    const res = await post(`moved-${date}-${rule}`, body({ designatedDate: date, holidayRule: rule })).expect(201);
    expect(res.body).toMatchObject({ status: 'submitted', designatedDate: date, settlementDate: settles });
    expect(res.body.settlementNote).toContain(says);
    expect(res.body.settlementNote).toContain(`(holidayRule ${rule})`);
    expect(sentFor(res.body.id)).toEqual([expect.objectContaining({ transferDesignatedDate: date, transferDateHolidayCode: code })]);
    expect(await get(res.body.id)).toMatchObject({ settlementDate: settles, settlementNote: res.body.settlementNote });
    moved.push({ id: res.body.id, applyNo: res.body.applyNo, settlementDate: settles, settlementNote: res.body.settlementNote });
  });

  test('the bank moves each date by the code we sent, to the day we answered', () => {
    // GMO §5.1: a non-business 振込指定日 to another bank moves by transferDateHolidayCode; §5.5 shows the moved date
    expect(moved).toHaveLength(10);
    for (const m of moved) expect(atBank(m.applyNo).transferDesignatedDate).toBe(m.settlementDate);
  });

  test('a business day is sent with code 3 (the bank refuses rather than moves it if its calendar disagrees), or the rule’s code', async () => {
    const plain = await post('biz-plain', body({ designatedDate: '2026-11-26' })).expect(201);
    expect(plain.body).toMatchObject({ designatedDate: '2026-11-26', settlementDate: '2026-11-26', settlementNote: null });
    expect(sentFor(plain.body.id)[0]).toMatchObject({ transferDesignatedDate: '2026-11-26', transferDateHolidayCode: '3' });
    const asap = await post('biz-asap', body()).expect(201);
    expect(asap.body).toMatchObject({ designatedDate: '2026-11-24', settlementDate: '2026-11-24', settlementNote: null });
    expect(sentFor(asap.body.id)[0]).toMatchObject({ transferDesignatedDate: '2026-11-24', transferDateHolidayCode: '1' });
  });

  test('the fee quote says when it would settle, and asks the bank with the planned code', async () => {
    const calls = feeSpy.mock.calls.length;
    const res = await quote(body({ designatedDate: '2027-01-11', holidayRule: 'previous_business_day' })).expect(200);
    expect(res.body).toEqual({
      fee: 145,
      totalDebit: 3_145,
      accountId: '101011234567',
      settlementDate: '2027-01-08',
      settlementNote: expect.stringContaining('previous business day, 2027-01-08'),
    });
    expect(feeSpy.mock.calls.slice(calls).map((c) => c[1])).toEqual([expect.objectContaining({ transferDesignatedDate: '2027-01-11', transferDateHolidayCode: '2' })]);
    expect((await quote(body()).expect(200)).body).toMatchObject({ settlementDate: '2026-11-24', settlementNote: null });
  });

  test('a resend by the poller sends the same designated date and holiday code as the first attempt', async () => {
    h.sim.state.injectFault({ target: 'transfer.request', kind: 'rate_limit' });
    const first = await post('resend-code', body({ designatedDate: '2026-12-31', holidayRule: 'previous_business_day' })).expect(202);
    expect(first.body).toMatchObject({ status: 'pending', settlementDate: '2026-12-30' });
    h.clock.advanceSeconds(31);
    await poll();
    const t = await get(first.body.id);
    expect(t).toMatchObject({ status: 'submitted', designatedDate: '2026-12-31', settlementDate: '2026-12-30' });
    const sent = sentFor(first.body.id);
    expect(sent).toHaveLength(2);
    for (const s of sent) expect(s).toMatchObject({ transferDesignatedDate: '2026-12-31', transferDateHolidayCode: '2' });
    moved.push({ id: t.id, applyNo: t.applyNo, settlementDate: t.settlementDate, settlementNote: t.settlementNote });
  });

  test('a date the bank moves by its own calendar is taken back from /transfer/status and said', async () => {
    const created = await post('bank-moves', body({ designatedDate: '2026-11-26', holidayRule: 'next_business_day' })).expect(201);
    expect(created.body).toMatchObject({ settlementDate: '2026-11-26', settlementNote: null });
    // GMO (§5.5) shows the 振込指定日 after its own holiday move: here the bank keeps 2026-11-26 closed
    // the poller reads a transfer by its applyNo, or with others of its day through the status list
    const transfers = h.services.bank.transfers;
    const moved = (detail: BankTransferDetail): BankTransferDetail =>
      detail.transferApplies?.[0]?.applyNo !== created.body.applyNo
        ? detail
        : { ...detail, transferResponses: detail.transferResponses?.map((r) => ({ ...r, transferDesignatedDate: '2026-11-27' })) };
    const [byApplyNo, pages] = [transfers.statusByApplyNo.bind(transfers), transfers.statusPagesByPeriod.bind(transfers)];
    const spies = [
      jest.spyOn(transfers, 'statusByApplyNo').mockImplementation(async (...args) => {
        const detail = await byApplyNo(...args);
        return detail && moved(detail);
      }),
      jest.spyOn(transfers, 'statusPagesByPeriod').mockImplementation(async function* (...args) {
        for await (const page of pages(...args)) yield page.map(moved);
      }),
    ];
    try {
      h.clock.advanceSeconds(20);
      await poll();
    } finally {
      for (const spy of spies) spy.mockRestore();
    }
    const t = await get(created.body.id);
    expect(t).toMatchObject({ designatedDate: '2026-11-26', settlementDate: '2026-11-27' });
    expect(t.settlementNote).toBe('the bank moved the transfer date from 2026-11-26 to 2026-11-27 (its /transfer/status shows it)');
    const row = await h.services.db.manager.findOneByOrFail(Transfer, { id: created.body.id });
    expect(row.settlementDate).toBe('2026-11-27');
  });

  test('after a poll every moved transfer shows the settlement date the bank shows', async () => {
    h.clock.advanceSeconds(20);
    await poll();
    for (const m of moved) {
      const bankDate = atBank(m.applyNo).transferDesignatedDate;
      const t = await get(m.id);
      expect(t.settlementDate).toBe(bankDate);
      // the bank agreeing keeps our note; a bank that does not (a calendar without Japan's holidays) is said to
      expect(t.settlementNote).toEqual(bankDate === m.settlementDate ? m.settlementNote : expect.stringContaining('the bank'));
    }
  });

  // ---------------------------------------------------------------- Tuesday 2026-11-24 15:30 JST

  describe('after the 15:00 JST cut-off', () => {
    beforeAll(() => advanceTo('2026-11-24T06:30:00Z'));

    test('a same-day transfer to another bank settles the next business day, and the answer says so', async () => {
      for (const [idem, extra] of [['late-asap', {}], ['late-today', { designatedDate: '2026-11-24' }]] as const) {
        const res = await post(idem, body(extra)).expect(201);
        expect(res.body).toMatchObject({ designatedDate: '2026-11-24', settlementDate: '2026-11-25' });
        expect(res.body.settlementNote).toBe('requested after the same-day cut-off (15:00 JST); it settles on the next business day, 2026-11-25');
        expect(sentFor(res.body.id)[0]).toMatchObject({ transferDesignatedDate: '2026-11-24' });
      }
      const quoted = await quote(body()).expect(200);
      expect(quoted.body).toMatchObject({ settlementDate: '2026-11-25', settlementNote: expect.stringContaining('cut-off') });
    });

    test('to GMO Aozora itself (0310) there is no cut-off', async () => {
      const res = await post('late-0310', { amount: 3_000, beneficiary: SAME_BANK }).expect(201);
      expect(res.body).toMatchObject({ designatedDate: '2026-11-24', settlementDate: '2026-11-24', settlementNote: null, fee: 0 });
      expect((await quote({ amount: 3_000, beneficiary: SAME_BANK }).expect(200)).body).toMatchObject({ settlementDate: '2026-11-24', settlementNote: null });
    });

    test('a later day is not touched by the cut-off', async () => {
      const res = await post('late-tomorrow', body({ designatedDate: '2026-11-25' })).expect(201);
      expect(res.body).toMatchObject({ settlementDate: '2026-11-25', settlementNote: null });
    });

    test('what the bank’s status shows after the cut-off does not undo it', async () => {
      h.clock.advanceSeconds(20);
      await poll();
      const late = (await request(h.app).get('/v1/companies/SHOP/transfers?idempotencyKey=late-asap').set(...bearer(key)).expect(200)).body.items[0];
      // GMO does not document which: the designated day kept, or the day it runs
      expect(['2026-11-24', '2026-11-25']).toContain(atBank(late.applyNo).transferDesignatedDate);
      expect(late).toMatchObject({ settlementDate: '2026-11-25', settlementNote: expect.stringContaining('cut-off') });
    });
  });

  // ---------------------------------------------------------------- Saturday 2026-11-28 10:00 JST

  describe('on a Saturday', () => {
    beforeAll(() => advanceTo('2026-11-28T01:00:00Z'));

    test('as soon as possible: today with code 1, and the answer says it settles on Monday', async () => {
      const res = await post('sat-asap', body()).expect(201);
      expect(res.body).toMatchObject({ designatedDate: '2026-11-28', settlementDate: '2026-11-30' });
      expect(res.body.settlementNote).toBe('today (2026-11-28) is a Saturday (土曜日); the bank settles it on the next business day, 2026-11-30');
      expect(sentFor(res.body.id)).toEqual([expect.objectContaining({ transferDesignatedDate: '2026-11-28', transferDateHolidayCode: '1' })]);
      expect(atBank(res.body.applyNo).transferDesignatedDate).toBe('2026-11-30');
      expect((await quote(body()).expect(200)).body).toMatchObject({ settlementDate: '2026-11-30', settlementNote: expect.stringContaining('Saturday') });
    });

    test('a previous business day that has already passed is a 422; nothing stored, nothing sent', async () => {
      await refusedUntouched(body({ designatedDate: '2026-11-29', holidayRule: 'previous_business_day' }), '(2026-11-27) has passed');
      await refusedUntouched(body({ designatedDate: '2026-11-28', holidayRule: 'previous_business_day' }), '(2026-11-27) has passed');
      await refusedUntouched(body({ designatedDate: '2026-11-27' }), 'must be today (2026-11-28 JST) or later');
    });

    test('the next business day still works', async () => {
      const res = await post('sat-next', body({ designatedDate: '2026-11-29', holidayRule: 'next_business_day' })).expect(201);
      expect(res.body).toMatchObject({ settlementDate: '2026-11-30' });
      expect(atBank(res.body.applyNo).transferDesignatedDate).toBe('2026-11-30');
    });
  });
});
