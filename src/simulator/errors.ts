/**
 * Error bodies exactly as the spec defines them (ErrorResponse, TransferError) plus the codes the simulator uses.
 * Pattern from the reference (§3.6): `WG_ERR_*` for gateway-level failures, numeric codes for business checks.
 * Codes marked "observed" were seen on the real bank or sunabar; the others are the simulator's own choice.
 */

export interface ErrorDetail {
  errorDetailsCode: string;
  errorDetailsMessage: string;
}

export interface TransferErrorDetail {
  itemId: string;
  errorDetails: ErrorDetail[];
}

export const GATEWAY = {
  /** observed: unknown route or method */
  operationNotFound: 'WG_ERR_019',
  /** missing, unknown, expired or revoked x-access-token */
  invalidToken: 'WG_ERR_101',
  /** the token lacks the scope the API needs */
  insufficientScope: 'WG_ERR_103',
  /** observed (sunabar): a required parameter is missing */
  required: 'WG_ERR_110',
  /** a parameter is malformed, out of range or not allowed in this combination */
  invalidParameter: 'WG_ERR_111',
  /** the body is not valid JSON */
  malformedJson: 'WG_ERR_112',
  /** Content-Type is not application/json */
  unsupportedMediaType: 'WG_ERR_115',
  /** observed (spec v1.20.1): rate limit */
  rateLimited: 'WG_ERR_154',
  /** same Idempotency-Key, different body */
  idempotencyMismatch: 'WG_ERR_160',
  /** Idempotency-Key header not 1–128 visible ASCII characters */
  idempotencyKeyInvalid: 'WG_ERR_161',
  /** observed (go-gmo): maintenance */
  maintenance: 'WG_ERR_300',
  /** injected internal error */
  internal: 'WG_ERR_500',
} as const;

export const BUSINESS = {
  /** observed (sunabar): generic top-level code of a rejected transfer request */
  transferRejected: '220011',
  /** applyNo unknown for this account */
  applyNoNotFound: '220201',
  /** the transfer is in a status that cannot be cancelled */
  notCancellable: '220202',
  /** a cancel was already accepted for this applyNo */
  alreadyCancelled: '220203',
  /** cancelTargetKeyClass other than 2 (no ビジネスID管理) */
  cancelClassNotAllowed: '220204',
  /** accountId is not one of this user's accounts */
  accountNotFound: '220101',
  /** withdrawableAmount below amount + fee */
  insufficientFunds: '220120',
  /** vaId unknown for this user */
  vaNotFound: '260101',
  /** the VA's status does not allow the requested change */
  vaNotChangeable: '260102',
  /** vaId not linked to the raId given with it */
  vaNotOfAccount: '260103',
  /** a VA contract close was already requested */
  vaCloseAlreadyRequested: '260104',
  /** the VA contract has ended */
  vaContractClosed: '260105',
} as const;

/** Thrown by handlers; the error middleware writes `status` and `body` as they are. */
export class SimHttpError extends Error {
  constructor(
    readonly status: number,
    readonly body: object,
    readonly headers: Record<string, string> = {},
  ) {
    super(`HTTP ${status}`);
  }
}

export function errorResponse(status: number, errorCode: string, errorMessage: string): SimHttpError {
  return new SimHttpError(status, { errorCode, errorMessage });
}

/** The gateway's answer past a client id's request limit (spec v1.20.1), whether a fault or the limit says so. */
export function rateLimited(): SimHttpError {
  return errorResponse(429, GATEWAY.rateLimited, 'APIの利用上限を超過しています。');
}

export function operationNotFound(): SimHttpError {
  return errorResponse(405, GATEWAY.operationNotFound, 'Operation is not found during transformation');
}

export function transferError(errorDetails: ErrorDetail[], transferErrorDetails: TransferErrorDetail[]): SimHttpError {
  return new SimHttpError(400, {
    errorCode: BUSINESS.transferRejected,
    errorMessage: '振込依頼の内容に誤りがあります。errorDetailsとtransferErrorDetailsをご確認ください。',
    errorDetails,
    transferErrorDetails,
  });
}

/** Errors of the /_sim control API: plain JSON for tests, not the bank's format. */
export function controlError(status: number, message: string): SimHttpError {
  return new SimHttpError(status, { error: message });
}

/** RFC 6749 §5.2 body; error_description stays ASCII as the RFC requires. */
export function oauthError(error: string, description: string, status = error === 'invalid_client' ? 401 : 400): SimHttpError {
  const headers: Record<string, string> = { 'Cache-Control': 'no-store', Pragma: 'no-cache' };
  if (status === 401) headers['WWW-Authenticate'] = 'Basic realm="gmo-aozora-simulator"';
  return new SimHttpError(status, { error, error_description: description }, headers);
}

/** What body-parser reports, turned into the bank's ErrorResponse. */
export function fromBodyParserError(err: unknown): SimHttpError | undefined {
  const type = (err as { type?: unknown } | null)?.type;
  switch (type) {
    case 'entity.parse.failed':
      return errorResponse(400, GATEWAY.malformedJson, 'リクエストボディのJSON形式が不正です。');
    case 'entity.too.large':
      return errorResponse(413, GATEWAY.invalidParameter, 'リクエストボディが大きすぎます。');
    case 'charset.unsupported':
    case 'encoding.unsupported':
      return errorResponse(415, GATEWAY.unsupportedMediaType, '文字コードはUTF-8を指定してください。');
    default:
      return undefined;
  }
}
