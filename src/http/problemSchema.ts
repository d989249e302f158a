import { z } from 'zod';
import { SCOPES } from '../apiKeys/scopes';

/**
 * The one shape of an error answer: RFC 9457 problem details (application/problem+json). `status` is always
 * the HTTP status; extension members come beside RFC 9457's own. problem.ts builds these bodies, the
 * OpenAPI document shows this schema, and the API tests check every problem they receive against it.
 * Problems that carry a transfer (`transfer-refused`, `transfer-not-cancellable`, `cancel-refused`) use
 * `TransferProblem` (src/transfers/contract.ts): this schema plus a `transfer` member.
 */
export const PROBLEM_MEDIA_TYPE = 'application/problem+json';

/** `type` of the problem with this slug */
export const problemTypeUri = (slug: string) => `https://gmo-bank-integrator/problems/${slug}`;

// ------------------------------------------------------------------------------------------ the problem types

export interface ProblemInfo {
  status: number;
  title: string;
  when: string;
  detail: string;
  extra?: Record<string, unknown>;
  /** Retry-After is always sent with this problem */
  retryAfter?: string;
}

/**
 * Every problem type the API answers with: its status, its title and when it happens (errorTable.ts and
 * problem.ts build them). The document lists, for each operation and status, exactly the types it may
 * answer; the API tests fail on a problem type an operation does not list.
 */
export const PROBLEM_TYPES = {
  'validation-error': {
    status: 400,
    title: 'Invalid request',
    when: 'a path, query, header or body field is invalid (`errors` names each)',
    detail: 'The request has invalid fields.',
    extra: { errors: [{ field: 'amount', reason: 'must be at least 1 yen' }] },
  },
  'malformed-json': { status: 400, title: 'Malformed JSON', when: 'the body is not valid JSON', detail: 'The request body is not valid JSON.' },
  'bad-request': {
    status: 400,
    title: 'Bad request',
    when: 'the path or body cannot be read (a malformed `%` escape, gzip that is not gzip)',
    detail: 'The request could not be read (malformed path, encoding or body).',
  },
  unauthorized: {
    status: 401,
    title: 'Unauthorized',
    when: 'no API key, a malformed one, or an unknown or revoked one',
    detail: 'A valid API key is required: Authorization: Bearer <key>.',
  },
  'insufficient-scope': {
    status: 403,
    title: 'Forbidden',
    when: 'the API key lacks the scope this operation needs (`requiredScope` names it)',
    detail: 'This API key lacks the scope transfers:write.',
    extra: { requiredScope: 'transfers:write' },
  },
  'not-found': {
    status: 404,
    title: 'Not found',
    when: 'no such resource, or a company the API key is not scoped to (never 403)',
    detail: 'No such company.',
  },
  'receiver-not-allowed': {
    status: 422,
    title: 'Unprocessable request',
    when: 'a webhook receiver URL this deployment does not send to (not https, credentials in it, a private or reserved address)',
    detail: 'The request has invalid fields.',
    extra: { errors: [{ field: 'url', reason: 'must use https outside the simulator (loopback excepted)' }] },
  },
  'payload-too-large': { status: 413, title: 'Payload too large', when: 'the body is over 64 KiB (4 MiB for a bulk transfer and its fee quote)', detail: 'The request body is too large.' },
  'unsupported-media-type': {
    status: 415,
    title: 'Unsupported media type',
    when: 'a body that is not `application/json` in UTF-8',
    detail: 'Send the body as application/json.',
  },
  'unsupported-content-encoding': {
    status: 415,
    title: 'Unsupported content encoding',
    when: 'an unknown `Content-Encoding`',
    detail: 'Send the body uncompressed, or gzip/deflate/br-compressed.',
  },
  'not-connected': {
    status: 409,
    title: 'Conflict',
    when: 'the company has no bank connection (never connected, or disconnected)',
    detail: 'This company has no bank connection: connect it first.',
  },
  'reauthorization-required': {
    status: 409,
    title: 'Conflict',
    when: 'the bank refused the refresh token, or every token expired: the store owner must connect again (`reason`)',
    detail: 'The bank connection needs the store owner to consent again: create a new connect session.',
    extra: { reason: 'invalid_grant' },
  },
  'request-in-flight': {
    status: 409,
    title: 'Conflict',
    when: 'another instance is still sending the request made with this `Idempotency-Key` (`transferId`, or `bulkTransferId` for a bulk transfer); retry shortly',
    detail: 'A request with this Idempotency-Key is still being processed; retry shortly.',
    extra: { transferId: '3f1c2a9e-4b7d-4e0a-9c55-1d2e3f4a5b6c' },
    retryAfter: '2',
  },
  'transfer-not-cancellable': {
    status: 409,
    title: 'Conflict',
    when: 'the transfer’s state no longer allows a cancellation (`transfer` shows it)',
    detail: 'A transfer in status "completed" can no longer be cancelled.',
  },
  'cancel-refused': {
    status: 409,
    title: 'Conflict',
    when: 'the bank refused the cancellation (`bankErrorCode`, `transfer`)',
    detail: 'The bank refused the cancellation: 取消できません。',
    extra: { bankErrorCode: 'WG_ERR_400' },
  },
  'transfer-invalid': {
    status: 422,
    title: 'Unprocessable request',
    when: 'the transfer cannot be sent as asked: unknown bank or branch code, a character the bank does not accept, over the transfer limit… (`errors`)',
    detail: 'The transfer cannot be sent as requested.',
    extra: { errors: [{ field: 'beneficiary.name', reason: 'contains characters the bank cannot accept: 髙' }] },
  },
  'bulk-transfer-refused': {
    status: 422,
    title: 'Bulk transfer refused',
    when: 'the bank refused the bulk transfer (`bulkTransfer`, status `failed`; `errors` names each item the bank refused as `items.<index>`)',
    detail: '振込明細に誤りがあります。',
  },
  'bulk-transfer-not-cancellable': {
    status: 409,
    title: 'Conflict',
    when: 'the bulk transfer’s state no longer allows a cancellation (`bulkTransfer` shows it)',
    detail: 'A bulk transfer in status "completed" can no longer be cancelled.',
  },
  'transfer-refused': {
    status: 422,
    title: 'Transfer refused',
    when: 'the bank refused the transfer (`transfer`, status `failed`, carries the bank’s code, message and details)',
    detail: '支払可能残高が不足しています。',
  },
  'bank-validation-error': {
    status: 422,
    title: 'Unprocessable request',
    when: 'the bank’s own validation refused the request (`errors`)',
    detail: 'The bank refused the request.',
    extra: { errors: [{ field: 'designatedDate', reason: '振込指定日が不正です。' }] },
  },
  'idempotency-key-reused': {
    status: 422,
    title: 'Unprocessable request',
    when: 'this `Idempotency-Key` was already used with another body',
    detail: 'This Idempotency-Key was already used with a different request body.',
  },
  'internal-error': { status: 500, title: 'Internal error', when: 'an error nobody anticipated (logged)', detail: 'An unexpected error occurred; it has been logged.' },
  'bank-error': {
    status: 502,
    title: 'Bank error',
    when: 'the bank (or its token endpoint) refused a request we made in a way the caller cannot fix (`bankErrorCode`)',
    detail: 'The bank refused the request.',
    extra: { bankErrorCode: 'WG_ERR_100' },
  },
  'bank-unavailable': {
    status: 503,
    title: 'Bank unavailable',
    when: 'the bank or its token endpoint timed out, reset, answered 5xx, 429 or maintenance (`bankError` says which)',
    detail: 'The bank did not answer or is under maintenance; try again shortly.',
    extra: { bankError: 'maintenance', bankErrorCode: 'WG_ERR_300' },
    retryAfter: '60',
  },
  'try-again': {
    status: 503,
    title: 'Try again',
    when: 'another instance holds the company’s token-refresh lease for longer than we wait',
    detail: 'Another instance is refreshing this company’s bank tokens; try again shortly.',
    retryAfter: '2',
  },
  'database-unavailable': {
    status: 503,
    title: 'Database unavailable',
    when: 'the database does not answer (or SQLite is locked past its busy timeout)',
    detail: 'The database does not answer; try again shortly.',
    retryAfter: '5',
  },
  'token-key-missing': {
    status: 503,
    title: 'Bank tokens unreadable',
    when: 'the company’s stored tokens were sealed with a key no longer in `TOKEN_ENCRYPTION_KEYS`',
    detail: "This company's stored bank tokens cannot be decrypted with the configured TOKEN_ENCRYPTION_KEYS; an operator must restore the key.",
  },
} as const satisfies Record<string, ProblemInfo>;
export type ProblemType = keyof typeof PROBLEM_TYPES;


const fieldErrorSchema = z
  .object({
    field: z.string().meta({ description: 'the field, dotted (`beneficiary.name`), a header (`Idempotency-Key`), a path or query parameter, or `(body)`', example: 'amount' }),
    reason: z.string().meta({ description: 'why the value was refused (English)', example: 'must be at least 1 yen' }),
  })
  .meta({ id: 'FieldError', description: 'One field a request was refused for.' });
export type FieldError = z.infer<typeof fieldErrorSchema>;

/** The RFC 9457 members and the extensions any route may add; `problemSchema.extend(…)` adds a feature's own. */
const problemShape = {
  type: z.enum(Object.keys(PROBLEM_TYPES).map((slug) => problemTypeUri(slug)) as [string, ...string[]]).meta({
    description: `A stable URI a client can switch on: \`https://gmo-bank-integrator/problems/<slug>\`, one of ${Object.keys(PROBLEM_TYPES)
      .map((slug) => `\`${slug}\``)
      .join(', ')}.`,
    example: 'https://gmo-bank-integrator/problems/validation-error',
  }),
  title: z.string().meta({ description: 'short, the same for every problem of a type', example: 'Invalid request' }),
  status: z.number().int().min(400).max(599).meta({ description: 'the HTTP status of the answer', example: 400 }),
  detail: z.string().optional().meta({ description: 'what happened to this request (English)' }),
  errors: z.array(fieldErrorSchema).optional().meta({ description: 'every field the request was refused for (400 `validation-error`, 422 `transfer-invalid` / `bank-validation-error`)' }),
  requestId: z.string().optional().meta({ description: 'the X-Request-Id of the answer, for the logs', example: 'c0ffee00-1234-4abc-8def-0123456789ab' }),
  // extension members
  transferId: z.uuid().optional().meta({ description: '409 `request-in-flight`: the transfer the first request with this Idempotency-Key created' }),
  bankError: z
    .string()
    .optional()
    .meta({ description: '503 `bank-unavailable`: why the bank did not answer (`timeout`, `connection_reset`, `server_error`, `rate_limited`, `maintenance`, `token_…` for its token endpoint)', example: 'maintenance' }),
  bankErrorCode: z.string().optional().meta({ description: "the bank's own error code (GMO `errorCode`), where it gave one", example: 'WG_ERR_300' }),
  reason: z.string().optional().meta({ description: '409 `reauthorization-required`: why the store owner must consent again', example: 'invalid_grant' }),
  requiredScope: z.enum(SCOPES).optional().meta({ description: '403 `insufficient-scope`: the scope the API key lacks' }),
};

export const problemSchema = z.object(problemShape).meta({
  id: 'Problem',
  description: 'RFC 9457 problem details, sent as application/problem+json.',
});

const REQUEST_ID = 'c0ffee00-1234-4abc-8def-0123456789ab';


/** An example problem body for the document (every example is validated against its schema by the tests). */
export function problemExample(status: number, slug: string, title: string, detail: string, extra: Record<string, unknown> = {}) {
  return { ...extra, type: problemTypeUri(slug), title, status, detail, requestId: REQUEST_ID };
}
