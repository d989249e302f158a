import { DomainError, type FieldIssue } from '../domain/errors';
import type { Transfer } from './transfer.entity';

export class TransferNotFoundError extends DomainError {
  constructor() {
    super('No such transfer for this company.');
  }
}

/** The transfer as asked cannot be sent: every field that fails our own checks (zengin, kana, limits). */
export class TransferInvalidError extends DomainError {
  constructor(readonly issues: FieldIssue[]) {
    super('The transfer cannot be sent as requested.');
  }
}

/** The bank's own validation refused a fee quote (e.g. its calendar disagrees with ours). */
export class BankValidationError extends DomainError {
  constructor(
    message: string,
    readonly issues: FieldIssue[],
  ) {
    super(message);
  }
}

export class IdempotencyKeyReusedError extends DomainError {
  constructor() {
    super('This Idempotency-Key was already used with a different request body.');
  }
}

/** Another instance is still sending the request made under this key. */
export class RequestInFlightError extends DomainError {
  constructor(readonly transferId: string) {
    super('A request with this Idempotency-Key is still being processed; retry shortly.');
  }
}

export class TransferNotCancellableError extends DomainError {
  constructor(readonly transfer: Transfer) {
    super(`A transfer in status "${transfer.status}" can no longer be cancelled.`);
  }
}

export class CancelRefusedError extends DomainError {
  constructor(
    readonly transfer: Transfer,
    readonly bankErrorCode: string | undefined,
    bankMessage: string,
  ) {
    super(`The bank refused the cancellation: ${bankMessage}`);
  }
}
