/** The bank speaks JST (+09:00, no daylight saving) whatever the host's time zone is. */
const JST_OFFSET_MS = 9 * 3600 * 1000;
const DAY_MS = 24 * 3600 * 1000;

function shifted(d: Date): string {
  return new Date(d.getTime() + JST_OFFSET_MS).toISOString();
}

/** YYYY-MM-DD */
export function jstDate(d: Date): string {
  return shifted(d).slice(0, 10);
}

/** HH:MM:SS+09:00 */
export function jstTime(d: Date): string {
  return `${shifted(d).slice(11, 19)}+09:00`;
}

/** YYYY-MM-DDTHH:MM:SS+09:00 */
export function jstDateTime(d: Date): string {
  return `${shifted(d).slice(0, 19)}+09:00`;
}

/** YYYYMMDD, the prefix of applyNo and acceptNo */
export function jstCompactDate(d: Date): string {
  return jstDate(d).replace(/-/g, '');
}

/** YYYYMMDDHHMMSSmmm: the time part of an itemKey */
export function jstStamp(d: Date): string {
  return shifted(d).slice(0, 23).replace(/[-T:.]/g, '');
}

/** `baseDate` / `baseTime` as every response carries them. */
export function baseDateTime(d: Date): { baseDate: string; baseTime: string } {
  return { baseDate: jstDate(d), baseTime: jstTime(d) };
}

/** True for a real calendar date written YYYY-MM-DD (rejects 2024-02-30). */
export function isCalendarDate(s: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(s)) return false;
  const d = new Date(`${s}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === s;
}

/** The instant a JST calendar day starts. */
export function jstDayStart(date: string): Date {
  return new Date(new Date(`${date}T00:00:00Z`).getTime() - JST_OFFSET_MS);
}

export function addDays(date: string, days: number): string {
  return new Date(new Date(`${date}T00:00:00Z`).getTime() + days * DAY_MS).toISOString().slice(0, 10);
}

/** The same day `months` months away, clamped to the end of a shorter month (2026-08-31 − 6 months = 2026-02-28). */
export function addMonths(date: string, months: number): string {
  const [y, m, d] = date.split('-').map(Number);
  const target = new Date(Date.UTC(y, m - 1 + months, 1));
  const lastDay = new Date(Date.UTC(target.getUTCFullYear(), target.getUTCMonth() + 1, 0)).getUTCDate();
  target.setUTCDate(Math.min(d, lastDay));
  return target.toISOString().slice(0, 10);
}

/** First day of the JST month of `date`. */
export function monthStart(date: string): string {
  return `${date.slice(0, 8)}01`;
}
