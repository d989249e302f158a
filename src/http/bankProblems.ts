import { BankError } from '../bank/errors';
import { NotConnectedError, ReauthorizationRequiredError } from '../tokens/errors';
import { Problem, problems } from './problem';

/** How the API answers when the company's bank connection or the bank itself stands in the way. */
export function problemForConnection(err: unknown): Problem | undefined {
  if (err instanceof NotConnectedError) return problems.conflict('not-connected', 'This company has no bank connection: connect it first.');
  if (err instanceof ReauthorizationRequiredError) {
    return problems.conflict('reauthorization-required', 'The bank connection needs the store owner to consent again: create a new connect session.', {
      reason: err.reason,
    });
  }
  return undefined;
}

export function problemForBank(err: unknown): Problem | undefined {
  if (!(err instanceof BankError)) return undefined;
  if (err.transient) {
    return new Problem(503, 'bank-unavailable', 'Bank unavailable', 'The bank did not answer or is under maintenance; try again shortly.', undefined, {
      bankError: err.kind,
      ...(err.options.errorCode ? { bankErrorCode: err.options.errorCode } : {}),
    }).retryAfter(err.kind === 'maintenance' ? 60 : 5);
  }
  return new Problem(502, 'bank-error', 'Bank error', err.options.errorMessage ?? 'The bank refused the request.', undefined, {
    bankErrorCode: err.options.errorCode,
  });
}
