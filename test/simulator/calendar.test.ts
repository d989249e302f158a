import { API, CORPORATE_ACCOUNT, bulkBody, bulkItems, connect, newSim, transferBody, transferItem, type TestSim } from './helpers';

let sim: TestSim;
let token: string;
beforeEach(async () => {
  sim = newSim();
  token = (await connect(sim.app)).access_token;
});
afterEach(() => sim.close());

const SATURDAY = '2026-11-28';
const SUNDAY = '2026-11-29';
const FRIDAY = '2026-11-27';
const MONDAY = '2026-11-30';
const SEIJIN_NO_HI = '2027-01-11'; // 成人の日, a Monday
const NEW_YEAR_EVE = '2026-12-31'; // a bank holiday (12/31–1/3) that is a Thursday

const post = (path: string, body: object) => sim.http.post(`${API}${path}`).set('x-access-token', token).send(body);
const get = (path: string, query: Record<string, string>) => sim.http.get(`${API}${path}`).set('x-access-token', token).query(query);
const SAME_BANK = transferItem({ beneficiaryBankCode: '0310', beneficiaryBranchCode: '101', accountNumber: '7777777' });

async function transfer(body: object): Promise<{ status: string; date: string }> {
  const { applyNo } = (await post('/transfer/request', body).expect(201)).body;
  const res = await get('/transfer/status', { accountId: CORPORATE_ACCOUNT, queryKeyClass: '1', applyNo }).expect(200);
  const d = res.body.transferDetails[0];
  return { status: d.transferStatus, date: d.transferResponses[0].transferDesignatedDate };
}

async function bulk(body: object): Promise<{ status: string; date: string }> {
  const { applyNo } = (await post('/bulktransfer/request', body).expect(201)).body;
  const res = await get('/bulktransfer/status', { accountId: CORPORATE_ACCOUNT, queryKeyClass: '1', applyNo }).expect(200);
  const d = res.body.bulkTransferDetails[0];
  return { status: d.transferStatus, date: d.bulktransferResponses[0].transferDesignatedDate };
}

describe('transferDateHolidayCode on a non-business 振込指定日 (Japan\'s bank calendar)', () => {
  test.each([
    ['a Saturday', SATURDAY, MONDAY, FRIDAY],
    ['a Sunday', SUNDAY, MONDAY, FRIDAY],
    ['a national holiday (成人の日)', SEIJIN_NO_HI, '2027-01-12', '2027-01-08'],
    ['12/31 (bank year-end)', NEW_YEAR_EVE, '2027-01-04', '2026-12-30'],
  ])('%s: code 1 (and none) moves to the next business day, 2 to the previous, 3 is a 400 — /transfer/request', async (_name, date, next, previous) => {
    expect(await transfer(transferBody({ transferDesignatedDate: date, transferDateHolidayCode: '1' }))).toEqual({ status: '11', date: next });
    expect(await transfer(transferBody({ transferDesignatedDate: date }))).toEqual({ status: '11', date: next });
    expect(await transfer(transferBody({ transferDesignatedDate: date, transferDateHolidayCode: '2' }))).toEqual({ status: '11', date: previous });
    for (const path of ['/transfer/request', '/transfer/transferfee']) {
      const res = await post(path, transferBody({ transferDesignatedDate: date, transferDateHolidayCode: '3' }));
      expect(res.status).toBe(400);
      expect(res.body).toMatchObject({
        errorCode: '220011',
        errorDetails: [{ errorDetailsCode: '220103', errorDetailsMessage: '振込指定日が非営業日のため、指定できません。' }],
        transferErrorDetails: [],
      });
    }
  });

  test.each([
    ['a Saturday', SATURDAY, MONDAY, FRIDAY],
    ['a national holiday (成人の日)', SEIJIN_NO_HI, '2027-01-12', '2027-01-08'],
  ])('%s: the same for /bulktransfer/request and its fee', async (_name, date, next, previous) => {
    expect(await bulk(bulkBody(bulkItems(2), { transferDesignatedDate: date, transferDateHolidayCode: '1' }))).toEqual({ status: '11', date: next });
    expect(await bulk(bulkBody(bulkItems(2), { transferDesignatedDate: date, transferDateHolidayCode: '2' }))).toEqual({ status: '11', date: previous });
    for (const path of ['/bulktransfer/request', '/bulktransfer/transferfee']) {
      const res = await post(path, bulkBody(bulkItems(2), { transferDesignatedDate: date, transferDateHolidayCode: '3' }));
      expect(res.status).toBe(400);
      expect(res.body.errorDetails.map((e: { errorDetailsCode: string }) => e.errorDetailsCode)).toEqual(['220103']);
    }
  });

  test('transfers inside GMO Aozora (0310) alone keep their date, code 3 included (errata 3)', async () => {
    expect(await transfer(transferBody({ transferDesignatedDate: SATURDAY, transferDateHolidayCode: '3' }, [SAME_BANK]))).toEqual({ status: '11', date: SATURDAY });
    // one item to another bank ties the whole request to business days
    const mixed = transferBody({ transferDesignatedDate: SATURDAY, totalCount: '2', totalAmount: '20000' }, [{ ...SAME_BANK, itemId: '1' }, transferItem({ itemId: '2' })]);
    expect(await transfer(mixed)).toEqual({ status: '11', date: MONDAY });
  });

  test('code 2 whose previous business day has passed is a 400', async () => {
    sim.clock.set('2026-11-28T01:00:00.000Z'); // Saturday 10:00 JST
    token = (await connect(sim.app)).access_token;
    const res = await post('/transfer/request', transferBody({ transferDesignatedDate: SUNDAY, transferDateHolidayCode: '2' }));
    expect(res.status).toBe(400);
    expect(res.body.errorDetails).toEqual([{ errorDetailsCode: '220103', errorDetailsMessage: '振込指定日の前営業日が過去の日付となるため、指定できません。' }]);
  });

  test('a transfer for today requested on a Saturday waits (11) until Monday, and settles then', async () => {
    sim.clock.set('2026-11-28T01:00:00.000Z'); // Saturday 10:00 JST
    token = (await connect(sim.app)).access_token;
    const { applyNo } = (await post('/transfer/request', transferBody({ transferDesignatedDate: SATURDAY })).expect(201)).body;
    const detail = async () => (await get('/transfer/status', { accountId: CORPORATE_ACCOUNT, queryKeyClass: '1', applyNo })).body.transferDetails[0];
    expect((await detail()).transferStatus).toBe('11');
    sim.clock.set('2026-11-29T14:59:59.000Z'); // Sunday 23:59:59 JST
    expect((await detail()).transferStatus).toBe('11');
    sim.clock.set('2026-11-30T00:00:00.000Z'); // Monday 09:00 JST
    expect((await detail()).transferStatus).toBe('20');
    const rows = await get('/accounts/transactions', { accountId: CORPORATE_ACCOUNT, dateFrom: SATURDAY, dateTo: MONDAY });
    expect(rows.body.transactions.map((r: { transactionDate: string }) => r.transactionDate)).toEqual([MONDAY, MONDAY]);
  });
});

describe('the 15:00 JST cut-off [I]', () => {
  test('a same-day transfer to another bank at 15:00 runs the next business day: 11 until then, the status shows that date', async () => {
    sim.clock.set('2026-11-24T05:59:59.000Z'); // 14:59:59 JST
    expect(await transfer(transferBody())).toEqual({ status: '12', date: '2026-11-24' });
    sim.clock.set('2026-11-24T06:00:00.000Z'); // 15:00:00 JST
    const { applyNo } = (await post('/transfer/request', transferBody()).expect(201)).body;
    const detail = async () => (await get('/transfer/status', { accountId: CORPORATE_ACCOUNT, queryKeyClass: '1', applyNo })).body.transferDetails[0];
    expect(await detail()).toMatchObject({ transferStatus: '11', transferResponses: [{ transferDesignatedDate: '2026-11-25' }] });
    sim.clock.set('2026-11-24T15:00:00.000Z'); // Wednesday 00:00 JST
    expect((await detail()).transferStatus).toBe('12');
    sim.clock.advance(60);
    expect((await detail()).transferStatus).toBe('20');
  });

  test('Friday after the cut-off runs on Monday; a later date and GMO Aozora itself are untouched; bulk transfers too', async () => {
    sim.clock.set('2026-11-27T07:00:00.000Z'); // Friday 16:00 JST
    token = (await connect(sim.app)).access_token;
    expect(await transfer(transferBody({ transferDesignatedDate: FRIDAY }))).toEqual({ status: '11', date: MONDAY });
    expect(await transfer(transferBody({ transferDesignatedDate: MONDAY }))).toEqual({ status: '11', date: MONDAY });
    expect(await transfer(transferBody({ transferDesignatedDate: FRIDAY }, [SAME_BANK]))).toEqual({ status: '12', date: FRIDAY });
    expect(await bulk(bulkBody(bulkItems(2), { transferDesignatedDate: FRIDAY }))).toEqual({ status: '11', date: MONDAY });
  });

  test('in manual mode the cut-off counts at approval', async () => {
    sim.state.configure({ approvalMode: 'manual' });
    const { applyNo } = (await post('/transfer/request', transferBody()).expect(201)).body;
    sim.clock.set('2026-11-24T07:00:00.000Z'); // 16:00 JST
    const approved = await sim.http.post(`/_sim/transfers/${applyNo}/approve`).expect(200);
    expect(approved.body).toMatchObject({ status: '11', transferDesignatedDate: '2026-11-25' });
  });
});

describe('bankCalendar: false', () => {
  test('every day is a business day and there is no cut-off', async () => {
    sim.state.configure({ bankCalendar: false });
    expect(await transfer(transferBody({ transferDesignatedDate: SATURDAY, transferDateHolidayCode: '3' }))).toEqual({ status: '11', date: SATURDAY });
    sim.clock.set('2026-11-24T08:00:00.000Z'); // 17:00 JST
    expect(await transfer(transferBody())).toEqual({ status: '12', date: '2026-11-24' });
  });
});
