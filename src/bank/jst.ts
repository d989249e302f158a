const JST_OFFSET_MS = 9 * 3600 * 1000;

/** The bank's calendar is Japan's: dates on the wire are JST dates. */
export function jstDate(at: Date): string {
  return new Date(at.getTime() + JST_OFFSET_MS).toISOString().slice(0, 10);
}

/** baseDate "YYYY-MM-DD" + baseTime "HH:MM:SS+09:00" → an ISO instant. */
export function bankDateTime(date: string, time: string): string | null {
  const parsed = Date.parse(`${date}T${time}`);
  return Number.isNaN(parsed) ? null : new Date(parsed).toISOString();
}
