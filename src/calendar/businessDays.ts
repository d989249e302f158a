import holidayJp from '@holiday-jp/holiday_jp';

/**
 * Japan's bank business days (銀行営業日): not a Saturday or Sunday, not a national holiday (from the
 * maintained @holiday-jp/holiday_jp table), and not 12/31–1/3, the banks' year-end holidays (銀行法施行令 第5条).
 * Dates are JST calendar dates, `YYYY-MM-DD`, as on the bank's wire.
 */

const DAY_MS = 86_400_000;
const YEAR_END = new Set(['12-31', '01-01', '01-02', '01-03']);
const HOLIDAYS = holidayJp.holidays as Record<string, { name: string } | undefined>;

/** The last day whose holidays the table knows (the end of its last year): later dates cannot be checked. */
export const CALENDAR_LAST_DAY = `${Object.keys(HOLIDAYS).sort().at(-1)!.slice(0, 4)}-12-31`;

function weekday(date: string): number {
  return new Date(`${date}T00:00:00Z`).getUTCDay();
}

/** Why a date is not a bank business day, in words a shop owner reads; undefined on a business day. */
export function nonBusinessDayReason(date: string): string | undefined {
  const day = weekday(date);
  if (day === 6) return 'a Saturday (土曜日)';
  if (day === 0) return 'a Sunday (日曜日)';
  if (YEAR_END.has(date.slice(5))) return 'a bank year-end holiday (年末年始, 12/31–1/3)';
  const holiday = HOLIDAYS[date];
  return holiday ? `a national holiday (${holiday.name})` : undefined;
}

export function isBusinessDay(date: string): boolean {
  return nonBusinessDayReason(date) === undefined;
}

export function addDays(date: string, days: number): string {
  return new Date(Date.parse(`${date}T00:00:00Z`) + days * DAY_MS).toISOString().slice(0, 10);
}

// The longest run of non-business days is a few days (Golden Week, year-end); 31 is a safe bound.
const MAX_SEARCH_DAYS = 31;

function step(date: string, direction: 1 | -1): string {
  let d = date;
  for (let i = 0; i < MAX_SEARCH_DAYS; i++) {
    d = addDays(d, direction);
    if (isBusinessDay(d)) return d;
  }
  throw new Error(`no bank business day within ${MAX_SEARCH_DAYS} days of ${date}`);
}

/** The first business day after `date`. */
export function nextBusinessDay(date: string): string {
  return step(date, 1);
}

/** The last business day before `date`. */
export function previousBusinessDay(date: string): string {
  return step(date, -1);
}

/** `date` itself when it is a business day, else the next one. */
export function onOrAfterBusinessDay(date: string): string {
  return isBusinessDay(date) ? date : nextBusinessDay(date);
}
