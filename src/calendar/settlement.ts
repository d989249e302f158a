import { jstDate } from '../bank/jst';
import type { HolidayCode } from '../bank/transfersApi';
import type { FieldIssue } from '../domain/errors';
import { CALENDAR_LAST_DAY, isBusinessDay, nextBusinessDay, nonBusinessDayReason, onOrAfterBusinessDay, previousBusinessDay } from './businessDays';

/**
 * What a caller wants done with a designated date that is not a bank business day. Never decided
 * silently: without a rule such a date is refused (422).
 */
export const HOLIDAY_RULES = ['reject', 'next_business_day', 'previous_business_day'] as const;
export type HolidayRule = (typeof HOLIDAY_RULES)[number];

/** GMO's transferDateHolidayCode for each rule: 1 翌営業日, 2 前営業日, 3 エラー返却. */
const HOLIDAY_CODE: Record<HolidayRule, HolidayCode> = { next_business_day: '1', previous_business_day: '2', reject: '3' };

/** Same-day 振込 to another bank is accepted until 15:00 JST; later, it settles on the next business day. */
export const CUT_OFF_JST = { hour: 15, minute: 0 } as const;
/** GMO Aozora's own bank code: transfers inside the bank settle at once, with no cut-off. */
export const GMO_AOZORA_BANK_CODE = '0310';

export interface PlannedSettlement {
  /** the 振込指定日 sent to the bank */
  designatedDate: string;
  holidayCode: HolidayCode;
  /** the business day the money is expected to reach the beneficiary */
  settlementDate: string;
  /** why `settlementDate` is not `designatedDate` (a holiday moved it, or the cut-off passed); null when they agree */
  note: string | null;
}

function afterCutOff(now: Date): boolean {
  const jst = new Date(now.getTime() + 9 * 3600 * 1000);
  return jst.getUTCHours() * 60 + jst.getUTCMinutes() >= CUT_OFF_JST.hour * 60 + CUT_OFF_JST.minute;
}

const CUT_OFF_TEXT = `${String(CUT_OFF_JST.hour).padStart(2, '0')}:${String(CUT_OFF_JST.minute).padStart(2, '0')} JST`;

/**
 * When a transfer (or a bulk transfer) asked for `requested` (absent: as soon as possible) will settle,
 * and what to tell the bank. A non-business date is refused unless the caller chose a rule; a same-day
 * transfer to another bank after the cut-off settles the next business day, and the answer says so.
 */
export function planSettlement(input: {
  requested: string | undefined;
  rule: HolidayRule | undefined;
  now: Date;
  /** the beneficiary's bank; a bulk transfer passes none (its items settle together, cut-off applies) */
  beneficiaryBankCode?: string;
  field?: string;
}): PlannedSettlement | FieldIssue {
  const field = input.field ?? 'designatedDate';
  const today = jstDate(input.now);
  let designatedDate: string;
  let holidayCode: HolidayCode;
  let day: string;
  let note: string | null = null;

  if (input.requested === undefined) {
    // "as soon as possible": today, moved by the bank to the next business day when today is not one
    designatedDate = today;
    holidayCode = HOLIDAY_CODE.next_business_day;
    day = onOrAfterBusinessDay(today);
    if (day !== today) note = `today (${today}) is ${nonBusinessDayReason(today)}; the bank settles it on the next business day, ${day}`;
  } else {
    designatedDate = input.requested;
    if (designatedDate < today) return { field, reason: `must be today (${today} JST) or later` };
    if (designatedDate > CALENDAR_LAST_DAY) return { field, reason: `must be ${CALENDAR_LAST_DAY} or earlier: Japan's holidays are not known beyond it` };
    const reason = nonBusinessDayReason(designatedDate);
    const rule = input.rule ?? 'reject';
    holidayCode = HOLIDAY_CODE[rule];
    if (!reason) {
      day = designatedDate;
    } else if (rule === 'reject') {
      return {
        field,
        reason: `${designatedDate} is ${reason}, not a bank business day: choose a business day (the next is ${nextBusinessDay(designatedDate)}) or set holidayRule to "next_business_day" or "previous_business_day"`,
      };
    } else if (rule === 'next_business_day') {
      day = nextBusinessDay(designatedDate);
      note = `${designatedDate} is ${reason}; moved to the next business day, ${day}, as asked (holidayRule next_business_day)`;
    } else {
      day = previousBusinessDay(designatedDate);
      if (day < today) return { field, reason: `${designatedDate} is ${reason} and the business day before it (${day}) has passed; choose another date` };
      note = `${designatedDate} is ${reason}; moved to the previous business day, ${day}, as asked (holidayRule previous_business_day)`;
    }
  }

  if (day === today && isBusinessDay(today) && input.beneficiaryBankCode !== GMO_AOZORA_BANK_CODE && afterCutOff(input.now)) {
    const next = nextBusinessDay(today);
    // a holiday move onto today (previous_business_day) is still told, then why it is not today after all
    const cutOff = `requested after the same-day cut-off (${CUT_OFF_TEXT}); it settles on the next business day, ${next}`;
    note = note ? `${note}; ${cutOff}` : cutOff;
    day = next;
  }
  return { designatedDate, holidayCode, settlementDate: day, note };
}

export function isFieldIssue(x: PlannedSettlement | FieldIssue): x is FieldIssue {
  return 'reason' in x;
}

/**
 * What the bank's own 振込指定日 (transferDesignatedDate of /transfer/status) says of a planned settlement:
 * undefined when it agrees with the plan, else the date the bank settles on and why. The bank shows the date
 * after its holiday move but not after the cut-off, so the designated business day we sent is no news.
 */
export function settlementShownByBank(
  planned: { designatedDate: string; settlementDate: string | null },
  bankDate: string | undefined,
): { settlementDate: string; note: string } | undefined {
  if (!bankDate || !/^\d{4}-\d{2}-\d{2}$/.test(bankDate) || bankDate === planned.settlementDate) return undefined;
  if (bankDate === planned.designatedDate && isBusinessDay(bankDate)) return undefined;
  const note =
    bankDate === planned.designatedDate
      ? `the bank keeps ${bankDate} as the transfer date although it is ${nonBusinessDayReason(bankDate)} (a transfer within GMO Aozora, or the bank's calendar)`
      : `the bank moved the transfer date from ${planned.designatedDate} to ${bankDate} (its /transfer/status shows it)`;
  return { settlementDate: bankDate, note };
}
