import type { BankEgress, EgressAnswer, EgressFailure } from './egress';
import { BankError, type BankErrorDetail } from './errors';
import type { BankCall, BankCallObserver } from './observer';
import type { RateLimiter } from './rateLimiter';

interface BankRequest {
  method: 'GET' | 'POST';
  path: string;
  accessToken: string;
  query?: Record<string, string | string[] | undefined>;
  body?: unknown;
  headers?: Record<string, string>;
}

interface BankResponse {
  status: number;
  body: unknown;
}

/**
 * One HTTP call to the corporate API. It never retries: whether a retry is safe is the caller's
 * decision (a transfer request that timed out may have been executed).
 */
export interface BankHttpOptions {
  limiter?: RateLimiter;
  observer?: BankCallObserver;
}

export class BankHttpClient {
  constructor(
    private readonly baseUrl: string,
    private readonly egress: BankEgress,
    private readonly options: BankHttpOptions,
  ) {}

  async send(req: BankRequest): Promise<BankResponse> {
    await this.options.limiter?.acquire();
    const started = performance.now();
    let response: BankResponse;
    try {
      response = await this.exchange(req);
    } catch (err) {
      const e = err as BankError;
      this.observe({ endpoint: req.path, outcome: e.kind, errorCode: e.options.errorCode, durationSeconds: (performance.now() - started) / 1000 });
      throw err;
    }
    this.observe({ endpoint: req.path, outcome: 'ok', durationSeconds: (performance.now() - started) / 1000 });
    return response;
  }

  /** Metrics never change what a bank call came to: an observer that throws is ignored. */
  private observe(call: BankCall): void {
    try {
      this.options.observer?.(call);
    } catch {
      // the call's outcome stands; a broken metric must not turn an accepted transfer into an error
    }
  }

  /** The HTTP exchange itself; every failure leaves it as a BankError. */
  private async exchange(req: BankRequest): Promise<BankResponse> {
    const url = new URL(`${this.baseUrl}${req.path}`);
    for (const [key, value] of Object.entries(req.query ?? {})) {
      for (const v of Array.isArray(value) ? value : value === undefined ? [] : [value]) url.searchParams.append(key, v);
    }
    let response: EgressAnswer;
    try {
      response = await this.egress.exchange(url, {
        method: req.method,
        headers: {
          accept: 'application/json;charset=UTF-8',
          'x-access-token': req.accessToken,
          ...(req.body !== undefined ? { 'content-type': 'application/json;charset=UTF-8' } : {}),
          ...req.headers,
        },
        body: req.body !== undefined ? JSON.stringify(req.body) : undefined,
      });
    } catch (err) {
      throw transportError(err as EgressFailure, req);
    }
    const body = parseJson(response.text);
    if (response.status >= 200 && response.status < 300) {
      if (body === undefined) {
        throw new BankError('protocol', `${req.method} ${req.path}: the bank answered ${response.status} without JSON`, {
          status: response.status,
          certainlyNotProcessed: false,
        });
      }
      return { status: response.status, body };
    }
    throw httpError(response.status, body, req);
  }
}

function parseJson(text: string): unknown {
  if (!text) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function transportError(err: EgressFailure, req: BankRequest): BankError {
  if (err.kind === 'timeout') {
    return new BankError('timeout', `${req.method} ${req.path}: no answer from the bank in time`, { certainlyNotProcessed: false });
  }
  return new BankError('network', `${req.method} ${req.path}: connection failed (${err.reason})`, {
    certainlyNotProcessed: err.certainlyNotProcessed,
  });
}

function httpError(status: number, body: unknown, req: BankRequest): BankError {
  const b = (body && typeof body === 'object' ? body : {}) as Record<string, unknown>;
  const errorCode = typeof b.errorCode === 'string' ? b.errorCode : undefined;
  const errorMessage = typeof b.errorMessage === 'string' ? b.errorMessage : undefined;
  const details = collectDetails(b);
  const what = `${req.method} ${req.path}: HTTP ${status}${errorCode ? ` ${errorCode}` : ''}`;
  const base = { status, errorCode, errorMessage, details };
  // The gateway answers 401/403/429/503 before the banking back end sees the request.
  if (status === 401) return new BankError('unauthorized', what, { ...base, certainlyNotProcessed: true });
  if (status === 403) return new BankError('forbidden', what, { ...base, certainlyNotProcessed: true });
  if (status === 429) return new BankError('rate_limited', what, { ...base, certainlyNotProcessed: true });
  if (status === 503) return new BankError('maintenance', what, { ...base, certainlyNotProcessed: true });
  if (status >= 500) return new BankError('server', what, { ...base, certainlyNotProcessed: false });
  // GMO documents no redirect, and following one would send the access token elsewhere: not followed, and not
  // read as a refusal either (a payout whose request met one is reconciled, never marked failed)
  if (status >= 300 && status < 400) return new BankError('protocol', what, { ...base, certainlyNotProcessed: false });
  return new BankError('rejected', what, { ...base, certainlyNotProcessed: true });
}

/** Flattens GMO's ErrorResponse / TransferError detail lists. */
function collectDetails(b: Record<string, unknown>): BankErrorDetail[] {
  const out: BankErrorDetail[] = [];
  const push = (list: unknown, itemId?: string) => {
    if (!Array.isArray(list)) return;
    for (const d of list) {
      if (d && typeof d.errorDetailsCode === 'string') {
        out.push({ code: d.errorDetailsCode, message: String(d.errorDetailsMessage ?? ''), ...(itemId ? { itemId } : {}) });
      }
    }
  };
  push(b.errorDetails);
  if (Array.isArray(b.transferErrorDetails)) {
    for (const item of b.transferErrorDetails) push(item?.errorDetails, item?.itemId !== undefined ? String(item.itemId) : undefined);
  }
  return out;
}
