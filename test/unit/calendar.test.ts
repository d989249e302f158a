import {
  addDays,
  CALENDAR_LAST_DAY,
  isBusinessDay,
  nextBusinessDay,
  nonBusinessDayReason,
  onOrAfterBusinessDay,
  previousBusinessDay,
} from '../../src/calendar/businessDays';
import { isFieldIssue, planSettlement, settlementShownByBank, type PlannedSettlement } from '../../src/calendar/settlement';

/** an instant given as JST wall-clock time */
const jst = (dateTime: string) => new Date(`${dateTime}+09:00`);
const TUESDAY_10 = jst('2026-11-24T10:00:00');
const TUESDAY_1530 = jst('2026-11-24T15:30:00');

describe("Japan's bank business days", () => {
  test.each([
    ['2026-11-24', undefined],
    ['2026-11-28', 'a Saturday (土曜日)'],
    ['2026-11-29', 'a Sunday (日曜日)'],
    ['2027-01-11', 'a national holiday (成人の日)'],
    ['2026-11-23', 'a national holiday (勤労感謝の日)'],
    ['2027-03-22', 'a national holiday (春分の日 振替休日)'],
    ['2026-12-31', 'a bank year-end holiday (年末年始, 12/31–1/3)'],
    ['2027-01-01', 'a bank year-end holiday (年末年始, 12/31–1/3)'],
    ['2027-01-02', 'a Saturday (土曜日)'],
    ['2027-01-03', 'a Sunday (日曜日)'],
    ['2028-01-03', 'a bank year-end holiday (年末年始, 12/31–1/3)'],
    ['2027-01-04', undefined],
    ['2026-12-30', undefined],
  ])('%s: %s', (date, reason) => {
    expect(nonBusinessDayReason(date)).toBe(reason);
    expect(isBusinessDay(date)).toBe(reason === undefined);
  });

  test('the next and previous business days skip weekends, holidays and the year end', () => {
    expect(nextBusinessDay('2026-11-27')).toBe('2026-11-30');
    expect(nextBusinessDay('2027-01-08')).toBe('2027-01-12'); // Saturday, Sunday, 成人の日
    expect(previousBusinessDay('2027-01-12')).toBe('2027-01-08');
    expect(nextBusinessDay('2026-12-30')).toBe('2027-01-04');
    expect(previousBusinessDay('2027-01-04')).toBe('2026-12-30');
    expect(nextBusinessDay('2027-04-30')).toBe('2027-05-06'); // Golden Week
    expect(onOrAfterBusinessDay('2026-11-24')).toBe('2026-11-24');
    expect(onOrAfterBusinessDay('2026-11-28')).toBe('2026-11-30');
    expect(addDays('2026-12-31', 1)).toBe('2027-01-01');
    expect(addDays('2027-03-01', -1)).toBe('2027-02-28');
  });
});

describe('planSettlement', () => {
  const plan = (input: Partial<Parameters<typeof planSettlement>[0]>): PlannedSettlement => {
    const p = planSettlement({ requested: undefined, rule: undefined, now: TUESDAY_10, beneficiaryBankCode: '0005', ...input });
    if (isFieldIssue(p)) throw new Error(`unexpected issue: ${p.reason}`);
    return p;
  };
  const issue = (input: Partial<Parameters<typeof planSettlement>[0]>) => {
    const p = planSettlement({ requested: undefined, rule: undefined, now: TUESDAY_10, beneficiaryBankCode: '0005', ...input });
    if (!isFieldIssue(p)) throw new Error(`expected an issue, got ${JSON.stringify(p)}`);
    return p;
  };

  test('a business day settles that day; the bank is told to refuse it should its calendar disagree (code 3)', () => {
    expect(plan({ requested: '2026-11-26' })).toEqual({ designatedDate: '2026-11-26', holidayCode: '3', settlementDate: '2026-11-26', note: null });
    expect(plan({ requested: '2026-11-26', rule: 'next_business_day' })).toMatchObject({ holidayCode: '1', settlementDate: '2026-11-26', note: null });
    expect(plan({ requested: '2026-11-26', rule: 'previous_business_day' })).toMatchObject({ holidayCode: '2', settlementDate: '2026-11-26', note: null });
  });

  test('no date: today, as soon as possible (code 1)', () => {
    expect(plan({})).toEqual({ designatedDate: '2026-11-24', holidayCode: '1', settlementDate: '2026-11-24', note: null });
  });

  test.each([
    ['2026-11-28', 'a Saturday (土曜日)', '2026-11-30'],
    ['2026-11-29', 'a Sunday (日曜日)', '2026-11-30'],
    ['2027-01-11', 'a national holiday (成人の日)', '2027-01-12'],
    ['2026-12-31', 'a bank year-end holiday (年末年始, 12/31–1/3)', '2027-01-04'],
    ['2027-01-02', 'a Saturday (土曜日)', '2027-01-04'],
  ])('%s without a rule is refused, naming designatedDate and the next business day', (date, reason, next) => {
    const p = issue({ requested: date });
    expect(p.field).toBe('designatedDate');
    expect(p.reason).toContain(reason);
    expect(p.reason).toContain(`the next is ${next}`);
    expect(p.reason).toContain('holidayRule');
    expect(issue({ requested: date, rule: 'reject' })).toEqual(p);
  });

  test.each([
    ['2026-11-28', '2026-11-30', '2026-11-27'],
    ['2027-01-11', '2027-01-12', '2027-01-08'],
    ['2026-12-31', '2027-01-04', '2026-12-30'],
    ['2027-01-02', '2027-01-04', '2026-12-30'],
  ])('%s moves to %s (code 1) or %s (code 2), and the note says why', (date, next, previous) => {
    const forward = plan({ requested: date, rule: 'next_business_day' });
    expect(forward).toMatchObject({ designatedDate: date, holidayCode: '1', settlementDate: next });
    expect(forward.note).toContain(`${date} is a`);
    expect(forward.note).toContain(`next business day, ${next}`);
    const back = plan({ requested: date, rule: 'previous_business_day' });
    expect(back).toMatchObject({ designatedDate: date, holidayCode: '2', settlementDate: previous });
    expect(back.note).toContain(`previous business day, ${previous}`);
  });

  test('a previous business day that has passed is refused; a date in the past is refused', () => {
    const saturday = jst('2026-11-28T10:00:00');
    expect(issue({ requested: '2026-11-29', rule: 'previous_business_day', now: saturday }).reason).toContain('(2026-11-27) has passed');
    expect(issue({ requested: '2026-11-23' }).reason).toBe('must be today (2026-11-24 JST) or later');
    expect(issue({ requested: '2026-11-28', field: 'items[2].designatedDate' }).field).toBe('items[2].designatedDate');
  });

  test('a date beyond the holiday table cannot be checked: refused, never a crash', () => {
    expect(CALENDAR_LAST_DAY).toMatch(/^20\d\d-12-31$/);
    expect(issue({ requested: '9999-12-31' }).reason).toBe(`must be ${CALENDAR_LAST_DAY} or earlier: Japan's holidays are not known beyond it`);
    expect(issue({ requested: '9999-12-31', rule: 'next_business_day' }).field).toBe('designatedDate');
    expect(plan({ requested: CALENDAR_LAST_DAY, rule: 'next_business_day' }).settlementDate > CALENDAR_LAST_DAY).toBe(true);
  });

  test('as soon as possible on a Saturday settles on Monday, and says so', () => {
    const p = plan({ now: jst('2026-11-28T09:00:00') });
    expect(p).toMatchObject({ designatedDate: '2026-11-28', holidayCode: '1', settlementDate: '2026-11-30' });
    expect(p.note).toContain('today (2026-11-28) is a Saturday');
  });

  test('after the 15:00 JST cut-off a same-day transfer to another bank settles the next business day; to GMO Aozora (0310) it does not', () => {
    expect(plan({ now: jst('2026-11-24T14:59:59') }).note).toBeNull();
    const late = plan({ now: TUESDAY_1530 });
    expect(late).toMatchObject({ designatedDate: '2026-11-24', holidayCode: '1', settlementDate: '2026-11-25' });
    expect(late.note).toContain('cut-off (15:00 JST)');
    expect(plan({ now: TUESDAY_1530, requested: '2026-11-24' })).toMatchObject({ settlementDate: '2026-11-25' });
    expect(plan({ now: TUESDAY_1530, beneficiaryBankCode: '0310' })).toMatchObject({ settlementDate: '2026-11-24', note: null });
    expect(plan({ now: TUESDAY_1530, requested: '2026-11-26' })).toMatchObject({ settlementDate: '2026-11-26', note: null });
    // Friday after the cut-off: the weekend is skipped
    expect(plan({ now: jst('2026-11-27T16:00:00') })).toMatchObject({ settlementDate: '2026-11-30' });
  });

  test('a holiday moved back onto today after the cut-off says both', () => {
    const friday = jst('2026-11-27T15:30:00');
    const p = plan({ now: friday, requested: '2026-11-28', rule: 'previous_business_day' });
    expect(p).toMatchObject({ designatedDate: '2026-11-28', holidayCode: '2', settlementDate: '2026-11-30' });
    expect(p.note).toContain('previous business day, 2026-11-27');
    expect(p.note).toContain('cut-off');
  });
});

describe('settlementShownByBank', () => {
  test('the date the bank shows is news only when it is not the plan', () => {
    const moved = { designatedDate: '2027-01-09', settlementDate: '2027-01-12' };
    expect(settlementShownByBank(moved, '2027-01-12')).toBeUndefined();
    expect(settlementShownByBank(moved, undefined)).toBeUndefined();
    expect(settlementShownByBank(moved, 'garbage')).toBeUndefined();
    expect(settlementShownByBank(moved, '2027-01-11')).toEqual({
      settlementDate: '2027-01-11',
      note: expect.stringContaining('the bank moved the transfer date from 2027-01-09 to 2027-01-11'),
    });
  });

  test('after the cut-off the bank keeps the designated business day: our next-day settlement stands', () => {
    expect(settlementShownByBank({ designatedDate: '2026-11-24', settlementDate: '2026-11-25' }, '2026-11-24')).toBeUndefined();
  });

  test('a non-business day the bank keeps (within GMO Aozora, or its calendar) is its settlement date', () => {
    expect(settlementShownByBank({ designatedDate: '2027-01-11', settlementDate: '2027-01-12' }, '2027-01-11')).toEqual({
      settlementDate: '2027-01-11',
      note: expect.stringContaining('the bank keeps 2027-01-11'),
    });
  });

  test('a row from before settlement dates were kept (null) takes the bank’s move', () => {
    expect(settlementShownByBank({ designatedDate: '2026-11-24', settlementDate: null }, '2026-11-24')).toBeUndefined();
    expect(settlementShownByBank({ designatedDate: '2026-11-28', settlementDate: null }, '2026-11-30')).toMatchObject({ settlementDate: '2026-11-30' });
  });
});
