import { isBusinessDay, nextBusinessDay, previousBusinessDay } from '../../calendar/businessDays';
import { jstDate, jstTime } from '../jst';
import { GMO_AOZORA_BANK_CODE } from '../zengin';

/**
 * When the bank runs a transfer. Japan's bank calendar is the project's (src/calendar/businessDays.ts:
 * @holiday-jp/holiday_jp + 12/31–1/3), imported rather than copied so that the bank and the service agree.
 * With `bankCalendar` off every day is a business day and there is no cut-off.
 */

/** [I] Same-day 振込 to another bank is taken until 15:00 JST (the service's own rule, and Zengin's usual one). */
const CUT_OFF_JST = '15:00:00';

export type HolidayCode = '1' | '2' | '3';

/** Transfers inside GMO Aozora run on any day; one item to another bank ties the request to business days (errata 3). */
export function needsBusinessDay(bankCodes: readonly string[]): boolean {
  return bankCodes.some((code) => code !== GMO_AOZORA_BANK_CODE);
}

/**
 * 振込指定日 after transferDateHolidayCode (1 翌営業日, the default; 2 前営業日; 3 エラー返却): the date itself when
 * it is a business day or nothing needs one; undefined when the bank refuses it (code 3, or a previous business
 * day that has passed).
 */
export function designatedBusinessDate(date: string, code: HolidayCode, today: string, calendarOn: boolean): string | undefined {
  if (!calendarOn || isBusinessDay(date)) return date;
  if (code === '3') return undefined;
  const moved = code === '1' ? nextBusinessDay(date) : previousBusinessDay(date);
  return moved >= today ? moved : undefined;
}

/**
 * [I] The date a transfer the bank accepts at `now` runs on: a same-day transfer to another bank accepted after the
 * cut-off runs on the next business day, and the status shows that date.
 */
export function dateAfterCutOff(designatedDate: string, now: Date, calendarOn: boolean): string {
  const today = jstDate(now);
  if (!calendarOn || designatedDate !== today || jstTime(now) < `${CUT_OFF_JST}+09:00`) return designatedDate;
  return nextBusinessDay(today);
}
