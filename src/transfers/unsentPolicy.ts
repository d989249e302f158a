import { BankError, BankOAuthError } from '../bank/errors';
import { NotConnectedError, ReauthorizationRequiredError, RefreshBusyError } from '../tokens/errors';
import { POLL } from './pollPolicy';
import { AMBIGUOUS } from './reconcileFlags';

/** What the reconcilers need of a row (a transfer or a bulk transfer) not known to be at the bank. */
interface UnsentRow {
  status: string;
  inFlightSince: Date | null;
  lastAttemptAt: Date | null;
  createdAt: Date;
  errorCode: string | null;
}

/**
 * Before looking at the bank: a request may still be on the wire (`wait`); a row that was certainly never
 * sent is simply sent (`send`); one that may have reached the bank is looked for there first (`search`).
 */
export function beforeSearch(row: UnsentRow, now: Date): 'wait' | 'send' | 'search' {
  const inFlightFor = row.inFlightSince ? now.getTime() - row.inFlightSince.getTime() : undefined;
  if (inFlightFor !== undefined && inFlightFor < POLL.inFlightGraceSeconds * 1000) return 'wait';
  // a flagged row may have been booked whatever its status says: it is never simply sent
  return row.status === 'unknown' || row.inFlightSince !== null || row.errorCode === AMBIGUOUS ? 'search' : 'send';
}

/**
 * After looking at the bank. The one rule of "unknown means reconcile first", shared by transfers and bulk
 * transfers: adopt only an exact match; a row a human must decide is held; otherwise resend with the same
 * Idempotency-Key (the bank answers a known key with its first answer) once the bank had time to show the
 * first attempt, and only while the bank still remembers the key; past that, flag it for a human.
 */
export function afterSearch(row: UnsentRow, now: Date, match: 'exact' | 'inexact' | 'none'): 'adopt' | 'hold' | 'wait' | 'flag' | 'resend' {
  if (match === 'exact') return 'adopt';
  if (row.errorCode === AMBIGUOUS) return 'hold';
  const lastTry = (row.inFlightSince ?? row.lastAttemptAt ?? row.createdAt).getTime();
  if (now.getTime() - lastTry < POLL.resendAfterSeconds * 1000) return 'wait';
  if (now.getTime() - row.createdAt.getTime() >= POLL.bankKeyWindowSeconds * 1000) return 'flag';
  return 'resend';
}

/**
 * A look at the bank that failed for a reason that passes (the bank, its token endpoint, a connection that
 * needs the store owner, a refresh held elsewhere): the row is looked at again later, nothing else changes.
 */
export function isPollFailure(err: unknown): err is Error {
  return (
    err instanceof BankError ||
    err instanceof BankOAuthError ||
    err instanceof NotConnectedError ||
    err instanceof ReauthorizationRequiredError ||
    err instanceof RefreshBusyError
  );
}

/**
 * A replay of an Idempotency-Key whose first request has no recorded answer yet: still on the wire (in
 * another instance) inside the grace, so the caller is told to retry shortly rather than given a guess.
 */
export function stillInFlight(row: { submissionOutcome: string | null; inFlightSince: Date | null }, now: Date): boolean {
  return row.submissionOutcome === null && row.inFlightSince !== null && now.getTime() - row.inFlightSince.getTime() < POLL.inFlightGraceSeconds * 1000;
}
