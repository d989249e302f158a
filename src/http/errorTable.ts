import { AccountNotFoundError } from '../accounts/errors';
import { InsufficientScopeError } from '../apiKeys/errors';
import { BankError, BankOAuthError } from '../bank/errors';
import { BulkTransferChangedError } from '../bulkTransfers/bulkTransferStore';
import { BulkCancelRefusedError, BulkRequestInFlightError, BulkTransferNotCancellableError, BulkTransferNotFoundError } from '../bulkTransfers/errors';
import { maskedBulkTransferView } from '../bulkTransfers/views';
import { InvalidCursorError } from '../db/createdAtCursor';
import { isDatabaseUnavailable } from '../db/errors';
import { DomainError } from '../domain/errors';
import { DecryptionError } from '../crypto/cipher';
import { RegistrationInvalidError } from '../registrations/errors';
import { ConnectionNotFoundError, NotConnectedError, ReauthorizationRequiredError, RefreshBusyError } from '../tokens/errors';
import {
  BankValidationError,
  CancelRefusedError,
  IdempotencyKeyReusedError,
  RequestInFlightError,
  TransferInvalidError,
  TransferNotCancellableError,
  TransferNotFoundError,
} from '../transfers/errors';
import { TransferChangedError } from '../transfers/transferStore';
import { maskedTransferView } from '../transfers/transferView';
import { WebhookEndpointNotFoundError } from '../webhooks/endpoints';
import { WebhookDeliveryNotFoundError } from '../webhooks/outbox';
import { ReceiverNotAllowedError } from '../webhooks/receiverAddress';
import { Problem } from './problem';

type ErrorClass<E> = abstract new (...args: never[]) => E;
type Entry = [ErrorClass<DomainError>, (err: never) => Problem];
const entry = <E extends DomainError>(cls: ErrorClass<E>, toProblem: (err: E) => Problem): Entry => [cls, toProblem as (err: never) => Problem];

/**
 * The one place a domain error becomes an HTTP answer: type, status and headers. Operational failures
 * (the bank or its token endpoint down, a refresh lease held elsewhere, the database gone, a sealing key
 * missing) are specific problems with a Retry-After where one helps; only an error nobody anticipated is a 500.
 * test/unit/errorTable.test.ts fails when an exported DomainError has no row here.
 */
const TABLE: Entry[] = [
  entry(NotConnectedError, () => new Problem(409, 'not-connected', 'Conflict', 'This company has no bank connection: connect it first.')),
  entry(ReauthorizationRequiredError, (e) => reauthorizationRequired(e.reason)),
  entry(ConnectionNotFoundError, (e) => new Problem(404, 'not-found', 'Not found', e.message)),
  entry(AccountNotFoundError, (e) => new Problem(404, 'not-found', 'Not found', e.message)),
  entry(TransferNotFoundError, (e) => new Problem(404, 'not-found', 'Not found', e.message)),
  entry(BankError, bankProblem),
  entry(BankOAuthError, tokenEndpointProblem),
  entry(RefreshBusyError, () =>
    new Problem(503, 'try-again', 'Try again', 'Another instance is refreshing this company’s bank tokens; try again shortly.').retryAfter(2),
  ),
  entry(
    DecryptionError,
    () =>
      new Problem(
        503,
        'token-key-missing',
        'Bank tokens unreadable',
        "This company's stored bank tokens cannot be decrypted with the configured TOKEN_ENCRYPTION_KEYS; an operator must restore the key.",
      ),
  ),
  entry(TransferInvalidError, (e) => new Problem(422, 'transfer-invalid', 'Unprocessable request', e.message, e.issues)),
  entry(BankValidationError, (e) => new Problem(422, 'bank-validation-error', 'Unprocessable request', e.message, e.issues)),
  entry(IdempotencyKeyReusedError, (e) => new Problem(422, 'idempotency-key-reused', 'Unprocessable request', e.message)),
  entry(RequestInFlightError, (e) => new Problem(409, 'request-in-flight', 'Conflict', e.message, undefined, { transferId: e.transferId }).retryAfter(2)),
  entry(TransferNotCancellableError, (e) => new Problem(409, 'transfer-not-cancellable', 'Conflict', e.message, undefined, { transfer: maskedTransferView(e.transfer) })),
  entry(
    CancelRefusedError,
    (e) => new Problem(409, 'cancel-refused', 'Conflict', e.message, undefined, { bankErrorCode: e.bankErrorCode, transfer: maskedTransferView(e.transfer) }),
  ),
  entry(BulkTransferNotFoundError, (e) => new Problem(404, 'not-found', 'Not found', e.message)),
  entry(BulkRequestInFlightError, (e) => new Problem(409, 'request-in-flight', 'Conflict', e.message, undefined, { bulkTransferId: e.bulkTransferId }).retryAfter(2)),
  entry(BulkTransferNotCancellableError, (e) => new Problem(409, 'bulk-transfer-not-cancellable', 'Conflict', e.message, undefined, { bulkTransfer: maskedBulkTransferView(e.bulkTransfer, e.itemCounts) })),
  entry(
    BulkCancelRefusedError,
    (e) => new Problem(409, 'cancel-refused', 'Conflict', e.message, undefined, { bankErrorCode: e.bankErrorCode, bulkTransfer: maskedBulkTransferView(e.bulkTransfer, e.itemCounts) }),
  ),
  entry(BulkTransferChangedError, (e) => new Problem(503, 'try-again', 'Try again', e.message, undefined, { bulkTransferId: e.bulkTransferId }).retryAfter(1)),
  entry(InsufficientScopeError, (e) => new Problem(403, 'insufficient-scope', 'Forbidden', e.message, undefined, { requiredScope: e.scope })),
  entry(RegistrationInvalidError, (e) => new Problem(400, 'validation-error', 'Invalid request', 'The request has invalid fields.', e.issues)),
  entry(WebhookEndpointNotFoundError, (e) => new Problem(404, 'not-found', 'Not found', e.message)),
  entry(WebhookDeliveryNotFoundError, (e) => new Problem(404, 'not-found', 'Not found', e.message)),
  entry(ReceiverNotAllowedError, (e) => new Problem(422, 'receiver-not-allowed', 'Unprocessable request', 'The request has invalid fields.', [{ field: 'url', reason: e.message }])),
  entry(TransferChangedError, (e) => new Problem(503, 'try-again', 'Try again', e.message, undefined, { transferId: e.transferId }).retryAfter(1)),
  entry(InvalidCursorError, (e) => new Problem(400, 'validation-error', 'Invalid request', 'The request has invalid fields.', [{ field: 'cursor', reason: e.message }])),
];

export function problemFor(err: unknown): Problem | undefined {
  if (err instanceof Problem) return err;
  if (err instanceof DomainError) {
    const row = TABLE.find(([cls]) => err instanceof cls);
    if (row) return row[1](err as never);
  }
  if (isDatabaseUnavailable(err)) {
    return new Problem(503, 'database-unavailable', 'Database unavailable', 'The database does not answer; try again shortly.').retryAfter(5);
  }
  return requestParsingProblem(err);
}

/** For the test that keeps this table complete. */
export function hasProblemFor(cls: ErrorClass<DomainError>): boolean {
  return TABLE.some(([mapped]) => mapped === cls);
}

function reauthorizationRequired(reason: string): Problem {
  return new Problem(409, 'reauthorization-required', 'Conflict', 'The bank connection needs the store owner to consent again: create a new connect session.', undefined, {
    reason,
  });
}

function bankUnavailable(kind: string, retryAfterSeconds: number, errorCode?: string): Problem {
  return new Problem(503, 'bank-unavailable', 'Bank unavailable', 'The bank did not answer or is under maintenance; try again shortly.', undefined, {
    bankError: kind,
    ...(errorCode ? { bankErrorCode: errorCode } : {}),
  }).retryAfter(retryAfterSeconds);
}

function bankProblem(err: BankError): Problem {
  if (err.transient) return bankUnavailable(err.kind, err.kind === 'maintenance' ? 60 : 5, err.options.errorCode);
  return new Problem(502, 'bank-error', 'Bank error', err.options.errorMessage ?? 'The bank refused the request.', undefined, {
    bankErrorCode: err.options.errorCode,
  });
}

/** The token endpoint during a refresh: down is 503; a grant it refuses needs the store owner again. */
function tokenEndpointProblem(err: BankOAuthError): Problem {
  if (err.isInvalidGrant) return reauthorizationRequired('invalid_grant');
  if (err.kind !== 'oauth' && err.kind !== 'protocol') return bankUnavailable(`token_${err.kind}`, err.status === 503 ? 60 : 5);
  return new Problem(502, 'bank-error', 'Bank error', `The bank's token endpoint refused the request (${err.error}).`);
}

/** body-parser and the router flag what they refuse with a 4xx status; never echo their messages. */
function requestParsingProblem(err: unknown): Problem | undefined {
  const e = err as { status?: unknown; statusCode?: unknown; type?: unknown };
  const status = typeof e?.status === 'number' ? e.status : typeof e?.statusCode === 'number' ? e.statusCode : undefined;
  if (status === undefined || status < 400 || status >= 500) return undefined;
  switch (e.type) {
    case 'entity.parse.failed':
      return new Problem(400, 'malformed-json', 'Malformed JSON', 'The request body is not valid JSON.');
    case 'entity.too.large':
      return new Problem(413, 'payload-too-large', 'Payload too large', 'The request body is too large.');
    case 'charset.unsupported':
      return new Problem(415, 'unsupported-media-type', 'Unsupported media type', 'Send the body as application/json in UTF-8.');
    case 'encoding.unsupported':
      return new Problem(415, 'unsupported-content-encoding', 'Unsupported content encoding', 'Send the body uncompressed, or gzip/deflate/br-compressed.');
    default:
      return new Problem(400, 'bad-request', 'Bad request', 'The request could not be read (malformed path, encoding or body).');
  }
}
