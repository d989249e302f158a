import { BankError, BankOAuthError, type BankErrorDetail } from '../bank/errors';
import { DecryptionError } from '../crypto/cipher';
import { NotConnectedError, ReauthorizationRequiredError, RefreshBusyError } from '../tokens/errors';

/**
 * What a failed request to pay (a transfer or a bulk transfer) means for the money, the one reading both
 * submitters act on:
 * - `no_connection`: no usable token; the bank was certainly not asked;
 * - `no_token_now`: no access token could be had right now (token endpoint down, refresh busy elsewhere,
 *   sealing key missing); certainly not asked, try later;
 * - `refused`: the bank refused the request as sent (400 / 403): nothing was booked;
 * - `not_processed`: 429, maintenance, connection refused: nothing happened at the bank, send again later;
 * - `unknown`: timeout, reset, 5xx: it may have been booked, reconcile before anything is resent.
 * Anything else is not a failure of the bank and is thrown again.
 */
export type SendFailure =
  | { kind: 'no_connection'; code: 'NOT_CONNECTED' | 'REAUTHORIZATION_REQUIRED'; message: string }
  | { kind: 'no_token_now'; message: string }
  | { kind: 'refused'; code: string; message: string; details: BankErrorDetail[]; httpStatus?: number }
  | { kind: 'not_processed'; bankError: string; httpStatus?: number }
  | { kind: 'unknown'; bankError: string; httpStatus?: number };

export function classifySendFailure(err: unknown): SendFailure {
  if (err instanceof NotConnectedError) return { kind: 'no_connection', code: 'NOT_CONNECTED', message: err.message };
  if (err instanceof ReauthorizationRequiredError) return { kind: 'no_connection', code: 'REAUTHORIZATION_REQUIRED', message: err.message };
  if (err instanceof BankOAuthError || err instanceof RefreshBusyError || err instanceof DecryptionError) return { kind: 'no_token_now', message: err.message };
  if (!(err instanceof BankError)) throw err;
  if (err.kind === 'rejected' || err.kind === 'forbidden') {
    return { kind: 'refused', code: err.options.errorCode ?? `HTTP_${err.status}`, message: err.options.errorMessage ?? err.message, details: err.options.details ?? [], httpStatus: err.status };
  }
  if (err.certainlyNotProcessed) return { kind: 'not_processed', bankError: err.kind, httpStatus: err.status };
  return { kind: 'unknown', bankError: err.kind, httpStatus: err.status };
}
