import { DomainError } from '../domain/errors';
import type { BulkTransfer } from './bulkTransfer.entity';
import type { ItemCounts } from './views';

export class BulkTransferNotFoundError extends DomainError {
  constructor() {
    super('No such bulk transfer for this company.');
  }
}

/** Another instance is still sending the bulk transfer made under this key. */
export class BulkRequestInFlightError extends DomainError {
  constructor(readonly bulkTransferId: string) {
    super('A request with this Idempotency-Key is still being processed; retry shortly.');
  }
}

export class BulkTransferNotCancellableError extends DomainError {
  constructor(
    readonly bulkTransfer: BulkTransfer,
    readonly itemCounts: ItemCounts,
  ) {
    super(`A bulk transfer in status "${bulkTransfer.status}" can no longer be cancelled.`);
  }
}

export class BulkCancelRefusedError extends DomainError {
  constructor(
    readonly bulkTransfer: BulkTransfer,
    readonly itemCounts: ItemCounts,
    readonly bankErrorCode: string | undefined,
    bankMessage: string,
  ) {
    super(`The bank refused the cancellation: ${bankMessage}`);
  }
}
