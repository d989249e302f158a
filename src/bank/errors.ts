import { DomainError } from '../domain/errors';

/**
 * What went wrong talking to the bank, in the terms the services decide on. `certainlyNotProcessed`
 * separates "the bank never acted" (safe to retry) from "unknown" (reconcile before any resend).
 */
type BankFailureKind =
  | 'unauthorized' // 401: token rejected
  | 'forbidden' // 403: scope not granted
  | 'rejected' // 400 and other 4xx: the bank refused the request as sent
  | 'rate_limited' // 429 WG_ERR_154
  | 'maintenance' // 503 WG_ERR_300
  | 'server' // other 5xx
  | 'timeout' // no answer in BANK_TIMEOUT_MS
  | 'network' // connection refused/reset
  | 'protocol'; // an answer we cannot understand

export interface BankErrorDetail {
  code: string;
  message: string;
  itemId?: string;
}

export class BankError extends DomainError {
  constructor(
    readonly kind: BankFailureKind,
    message: string,
    readonly options: {
      status?: number;
      errorCode?: string;
      errorMessage?: string;
      details?: BankErrorDetail[];
      certainlyNotProcessed: boolean;
    },
  ) {
    super(message);
  }

  get status(): number | undefined {
    return this.options.status;
  }

  get certainlyNotProcessed(): boolean {
    return this.options.certainlyNotProcessed;
  }

  /** worth trying again later with the same request */
  get transient(): boolean {
    return ['rate_limited', 'maintenance', 'server', 'timeout', 'network'].includes(this.kind);
  }
}

/** The token endpoint's RFC 6749 answer, e.g. invalid_grant; never carries the token or code. */
export class BankOAuthError extends DomainError {
  constructor(
    readonly error: string,
    readonly description: string | undefined,
    readonly status: number | undefined,
    readonly kind: 'oauth' | 'timeout' | 'network' | 'protocol' | 'server' | 'rate_limited',
  ) {
    super(`bank token endpoint: ${error}${description ? ` (${description})` : ''}`);
  }

  get isInvalidGrant(): boolean {
    return this.error === 'invalid_grant';
  }
}
