import { AuthorizationCode } from 'simple-oauth2';
import { BankOAuthError } from './errors';
import type { BankCallObserver } from './observer';
import type { RateLimiter } from './rateLimiter';
import type { ClientRegistration } from './registration';

export interface TokenSet {
  accessToken: string;
  /** absent when the bank sent none (then the caller keeps the one it had) */
  refreshToken?: string;
  expiresInSeconds: number;
  scopes: string[];
}

interface BoomLike {
  isBoom?: boolean;
  output?: { statusCode?: number };
  data?: { payload?: unknown; isResponseError?: boolean };
  code?: string;
  message?: string;
}

/**
 * The bank's OAuth endpoints through simple-oauth2 (5.1.0). Works around what that version does not:
 * no default HTTP timeout, an OAuth error body with HTTP 200 resolved as a token, and a refresh
 * answer without refresh_token leaving it undefined.
 */
export class BankOAuthClient {
  private readonly authorize: URL;
  private readonly token: URL;

  constructor(
    authBaseUrl: string,
    private readonly options: {
      timeoutMs: number;
      limiter?: RateLimiter;
      observer?: BankCallObserver;
      /** where the store owner's browser goes to consent, when it cannot use the service's own address of the bank */
      browserAuthBaseUrl?: string;
    },
  ) {
    this.authorize = new URL(`${options.browserAuthBaseUrl ?? authBaseUrl}/authorization`);
    this.token = new URL(`${authBaseUrl}/token`);
  }

  private client(reg: ClientRegistration): AuthorizationCode {
    return new AuthorizationCode({
      client: { id: reg.clientId, secret: reg.clientSecret },
      auth: {
        tokenHost: this.token.origin,
        tokenPath: this.token.pathname,
        authorizeHost: this.authorize.origin,
        authorizePath: this.authorize.pathname,
      },
      // GMO's パラメーター認証 is client_secret_post; ベーシック認証 is the Basic header
      options: { authorizationMethod: reg.authMethod === 'post' ? 'body' : 'header', bodyFormat: 'form' },
      http: { timeout: this.options.timeoutMs, headers: { accept: 'application/json' } },
    });
  }

  authorizeUrl(reg: ClientRegistration, params: { redirectUri: string; state: string; codeChallenge?: string }): string {
    return this.client(reg).authorizeURL({
      redirect_uri: params.redirectUri,
      scope: reg.scopes,
      state: params.state,
      ...(params.codeChallenge ? { code_challenge: params.codeChallenge, code_challenge_method: 'S256' } : {}),
    });
  }

  async exchangeCode(reg: ClientRegistration, params: { code: string; redirectUri: string; codeVerifier?: string }): Promise<TokenSet> {
    const grant = { code: params.code, redirect_uri: params.redirectUri, ...(params.codeVerifier ? { code_verifier: params.codeVerifier } : {}) };
    const token = await this.call(() => this.client(reg).getToken(grant as Parameters<AuthorizationCode['getToken']>[0]));
    return toTokenSet(token.token, reg.scopes);
  }

  async refresh(reg: ClientRegistration, refreshToken: string): Promise<TokenSet> {
    const client = this.client(reg);
    const current = client.createToken({ access_token: 'unused', refresh_token: refreshToken });
    const next = await this.call(() => current.refresh());
    const set = toTokenSet(next.token, reg.scopes);
    return { ...set, refreshToken: set.refreshToken ?? refreshToken };
  }

  private async call<T extends { token: Record<string, unknown> }>(work: () => Promise<T>): Promise<T> {
    await this.options.limiter?.acquire();
    const started = performance.now();
    const observe = (outcome: string, errorCode?: string) =>
      this.options.observer?.({ endpoint: 'token', outcome, errorCode, durationSeconds: (performance.now() - started) / 1000 });
    try {
      const answer = await work();
      // simple-oauth2 resolves an OAuth error sent with HTTP 200; toTokenSet refuses it, and so does the count
      if (typeof answer.token.error === 'string') observe('oauth', answer.token.error);
      else observe('ok');
      return answer;
    } catch (err) {
      const e = toOAuthError(err as BoomLike);
      observe(e.kind, e.kind === 'oauth' || e.kind === 'server' ? e.error : undefined);
      throw e;
    }
  }
}

function toTokenSet(raw: Record<string, unknown>, requestedScopes: string[]): TokenSet {
  if (typeof raw.error === 'string') {
    throw new BankOAuthError(raw.error, typeof raw.error_description === 'string' ? raw.error_description : undefined, 200, 'oauth');
  }
  if (typeof raw.access_token !== 'string' || raw.access_token.length === 0) {
    throw new BankOAuthError('invalid_response', 'the token answer has no access_token', 200, 'protocol');
  }
  const expiresIn = Number(raw.expires_in);
  if (!Number.isInteger(expiresIn) || expiresIn <= 0) {
    throw new BankOAuthError('invalid_response', 'the token answer has no valid expires_in', 200, 'protocol');
  }
  const refresh = typeof raw.refresh_token === 'string' && raw.refresh_token.length > 0 ? raw.refresh_token : undefined;
  const scope = typeof raw.scope === 'string' && raw.scope.trim() ? raw.scope.trim().split(/\s+/) : requestedScopes;
  return { accessToken: raw.access_token, refreshToken: refresh, expiresInSeconds: expiresIn, scopes: scope };
}

function toOAuthError(err: BoomLike): BankOAuthError {
  if (err instanceof BankOAuthError) return err;
  const status = err.output?.statusCode;
  const payload = err.data?.payload;
  const body = parsePayload(payload);
  if (body && typeof body.error === 'string') {
    const description = typeof body.error_description === 'string' ? body.error_description : undefined;
    return new BankOAuthError(body.error, description, err.data?.isResponseError ? status : undefined, status && status >= 500 ? 'server' : 'oauth');
  }
  if (err.isBoom && status === 504 && !err.data?.isResponseError) {
    return new BankOAuthError('timeout', 'the bank did not answer in time', undefined, 'timeout');
  }
  if (err.data?.isResponseError && status === 429) {
    return new BankOAuthError('rate_limited', 'HTTP 429', status, 'rate_limited');
  }
  if (err.data?.isResponseError) {
    return new BankOAuthError(status && status >= 500 ? 'server_error' : 'invalid_response', `HTTP ${status}`, status, status && status >= 500 ? 'server' : 'protocol');
  }
  return new BankOAuthError('network_error', err.code ?? 'connection failed', undefined, 'network');
}

function parsePayload(payload: unknown): Record<string, unknown> | undefined {
  if (payload && typeof payload === 'object' && !Buffer.isBuffer(payload)) return payload as Record<string, unknown>;
  const text = Buffer.isBuffer(payload) ? payload.toString('utf8') : typeof payload === 'string' ? payload : undefined;
  if (!text) return undefined;
  try {
    const parsed = JSON.parse(text);
    return parsed && typeof parsed === 'object' ? parsed : undefined;
  } catch {
    return undefined;
  }
}
