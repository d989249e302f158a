import type { TransferStatus } from './lifecycle';

/**
 * When to look at a transfer again. Exponential backoff while the outcome is moving, slower for
 * reservations, and a long tail after completion because a recall (組戻) can still return the money.
 */
export const POLL = {
  firstLookSeconds: 15,
  baseSeconds: 30,
  maxSeconds: 30 * 60,
  scheduledSeconds: 3600,
  completedWatchSeconds: 6 * 3600,
  completedWatchDays: 14,
  /** a /transfer/request older than this with no recorded outcome belonged to a crashed process */
  inFlightGraceSeconds: 120,
  /** an unknown transfer not found at the bank is resent only after the bank had this long to show it */
  resendAfterSeconds: 300,
  /**
   * how long the bank answers a resend of the same Idempotency-Key with the first answer (24 h, reference
   * §3.8), less a margin for clock skew: inside it a resend is safe whatever happened to the first one
   */
  bankKeyWindowSeconds: 23 * 3600,
} as const;

export function backoffSeconds(pollCount: number): number {
  return Math.min(POLL.baseSeconds * 2 ** Math.min(pollCount, 16), POLL.maxSeconds);
}

export function nextPollAt(now: Date, status: TransferStatus, pollCount: number, completedAt: Date | null): Date | null {
  const at = (seconds: number) => new Date(now.getTime() + seconds * 1000);
  switch (status) {
    case 'failed':
    case 'cancelled':
    case 'returned':
      return null;
    case 'completed': {
      const watchUntil = (completedAt ?? now).getTime() + POLL.completedWatchDays * 86_400_000;
      return now.getTime() >= watchUntil ? null : at(POLL.completedWatchSeconds);
    }
    case 'scheduled':
      return at(POLL.scheduledSeconds);
    default:
      return at(backoffSeconds(pollCount));
  }
}
