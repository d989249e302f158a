import { AMBIGUOUS } from '../../src/transfers/reconcileFlags';
import { afterSearch, beforeSearch, stillInFlight } from '../../src/transfers/unsentPolicy';

const at = (iso: string) => new Date(iso);
const NOW = at('2026-11-25T01:00:00Z');
const row = (over: Partial<Parameters<typeof beforeSearch>[0]> = {}) => ({
  status: 'pending',
  inFlightSince: null,
  lastAttemptAt: at('2026-11-25T00:00:00Z'),
  createdAt: at('2026-11-25T00:00:00Z'),
  errorCode: null,
  ...over,
});

describe('the one rule for a payout that may or may not be at the bank (transfers and bulk transfers)', () => {
  test('before looking: wait while it may be on the wire; send only what was certainly never sent', () => {
    expect(beforeSearch(row({ inFlightSince: at('2026-11-25T00:59:00Z') }), NOW)).toBe('wait');
    expect(beforeSearch(row(), NOW)).toBe('send');
    expect(beforeSearch(row({ status: 'unknown' }), NOW)).toBe('search');
    expect(beforeSearch(row({ inFlightSince: at('2026-11-24T00:00:00Z') }), NOW)).toBe('search');
    // flagged for a human while still `pending` (a crash before the answer was recorded): never simply sent
    expect(beforeSearch(row({ errorCode: AMBIGUOUS }), NOW)).toBe('search');
  });

  test('after looking: adopt only exact; hold what a human decides; resend only inside the key window', () => {
    expect(afterSearch(row({ status: 'unknown' }), NOW, 'exact')).toBe('adopt');
    expect(afterSearch(row({ status: 'unknown', errorCode: AMBIGUOUS }), NOW, 'none')).toBe('hold');
    expect(afterSearch(row({ status: 'unknown', lastAttemptAt: at('2026-11-25T00:58:00Z') }), NOW, 'none')).toBe('wait');
    expect(afterSearch(row({ status: 'unknown' }), NOW, 'inexact')).toBe('resend');
    expect(afterSearch(row({ status: 'unknown', createdAt: at('2026-11-24T00:00:00Z'), lastAttemptAt: at('2026-11-24T00:00:00Z') }), NOW, 'inexact')).toBe('flag');
  });

  test('a replay is told to retry while the first request is still on the wire', () => {
    expect(stillInFlight({ submissionOutcome: null, inFlightSince: at('2026-11-25T00:59:30Z') }, NOW)).toBe(true);
    expect(stillInFlight({ submissionOutcome: 'accepted', inFlightSince: at('2026-11-25T00:59:30Z') }, NOW)).toBe(false);
    expect(stillInFlight({ submissionOutcome: null, inFlightSince: at('2026-11-25T00:50:00Z') }, NOW)).toBe(false);
  });
});
