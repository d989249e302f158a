import { AuthorizationCode } from 'simple-oauth2';
import type { BankEgress, EgressAnswer, EgressFailure } from './egress';
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

/**
 * The bank's OAuth endpoints. simple-oauth2 (5.1.0) builds the consent URL; the token requests go through
 * the bank's egress like every API call, so proxy, timeout and TLS are decided in one place. An OAuth error
 * sent with HTTP 200 is an error, and a refresh answer without refresh_token keeps the one we hold.
 */
export class BankOAuthClient {
  private readonly authorize: URL;
  private readonly token: URL;

  constructor(
    authBaseUrl: string,
    private readonly egress: BankEgress,
    private readonly options: {
      limiter?: RateLimiter;
      observer?: BankCallObserver;
      /** where the store owner's browser goes to consent, when it cannot use the service's own address of the bank */
      browserAuthBaseUrl?: string;
    },
  ) {
    this.authorize = new URL(`${options.browserAuthBaseUrl ?? authBaseUrl}/authorization`);
    this.token = new URL(`${authBaseUrl}/token`);
  }

  authorizeUrl(reg: ClientRegistration, params: { redirectUri: string; state: string; codeChallenge?: string }): string {
    const client = new AuthorizationCode({
      client: { id: reg.clientId, secret: reg.clientSecret },
      auth: { tokenHost: this.token.origin, authorizeHost: this.authorize.origin, authorizePath: this.authorize.pathname },
    });
    return client.authorizeURL({
      redirect_uri: params.redirectUri,
      scope: reg.scopes,
      state: params.state,
      ...(params.codeChallenge ? { code_challenge: params.codeChallenge, code_challenge_method: 'S256' } : {}),
    });
  }

  async exchangeCode(reg: ClientRegistration, params: { code: string; redirectUri: string; codeVerifier?: string }): Promise<TokenSet> {
    return this.call(reg, {
      grant_type: 'authorization_code',
      code: params.code,
      redirect_uri: params.redirectUri,
      ...(params.codeVerifier ? { code_verifier: params.codeVerifier } : {}),
    });
  }

  async refresh(reg: ClientRegistration, refreshToken: string): Promise<TokenSet> {
    const set = await this.call(reg, { grant_type: 'refresh_token', refresh_token: refreshToken });
    return { ...set, refreshToken: set.refreshToken ?? refreshToken };
  }

  private async call(reg: ClientRegistration, grant: Record<string, string>): Promise<TokenSet> {
    await this.options.limiter?.acquire();
    const started = performance.now();
    let call: { outcome: string; errorCode?: string } = { outcome: 'ok' };
    try {
      return toTokenSet(await this.post(reg, grant), reg.scopes);
    } catch (err) {
      const e = err instanceof BankOAuthError ? err : transportError(err as EgressFailure);
      call = { outcome: e.kind, errorCode: e.kind === 'oauth' || e.kind === 'server' ? e.error : undefined };
      throw e;
    } finally {
      try {
        this.options.observer?.({ endpoint: 'token', ...call, durationSeconds: (performance.now() - started) / 1000 });
      } catch {
        // metrics never change what a token call came to
      }
    }
  }

  /** RFC 6749 §2.3.1: GMO's パラメーター認証 is client_secret_post; ベーシック認証 is the Basic header of the form-encoded pair */
  private post(reg: ClientRegistration, grant: Record<string, string>): Promise<EgressAnswer> {
    const form = new URLSearchParams(grant);
    const headers: Record<string, string> = { accept: 'application/json', 'content-type': 'application/x-www-form-urlencoded' };
    if (reg.authMethod === 'post') {
      form.set('client_id', reg.clientId);
      form.set('client_secret', reg.clientSecret);
    } else {
      headers.authorization = `Basic ${Buffer.from(`${formEncode(reg.clientId)}:${formEncode(reg.clientSecret)}`).toString('base64')}`;
    }
    return this.egress.exchange(this.token, { method: 'POST', headers, body: form.toString() });
  }
}

function formEncode(value: string): string {
  return new URLSearchParams({ v: value }).toString().slice(2);
}

function transportError(err: EgressFailure): BankOAuthError {
  if (err.kind === 'timeout') return new BankOAuthError('timeout', 'the bank did not answer in time', undefined, 'timeout');
  return new BankOAuthError('network_error', err.reason, undefined, 'network');
}

/** The token endpoint's answer, or the BankOAuthError it amounts to. */
function toTokenSet(answer: EgressAnswer, requestedScopes: string[]): TokenSet {
  const raw = parseObject(answer.text);
  const ok = answer.status >= 200 && answer.status < 300;
  if (raw && typeof raw.error === 'string') {
    const description = typeof raw.error_description === 'string' ? raw.error_description : undefined;
    throw new BankOAuthError(raw.error, description, answer.status, answer.status >= 500 ? 'server' : 'oauth');
  }
  if (!ok) {
    if (answer.status === 429) throw new BankOAuthError('rate_limited', 'HTTP 429', answer.status, 'rate_limited');
    const server = answer.status >= 500;
    throw new BankOAuthError(server ? 'server_error' : 'invalid_response', `HTTP ${answer.status}`, answer.status, server ? 'server' : 'protocol');
  }
  if (!raw) throw new BankOAuthError('invalid_response', 'the token answer is not a JSON object', answer.status, 'protocol');
  if (typeof raw.access_token !== 'string' || raw.access_token.length === 0) {
    throw new BankOAuthError('invalid_response', 'the token answer has no access_token', answer.status, 'protocol');
  }
  const expiresIn = Number(raw.expires_in);
  if (!Number.isInteger(expiresIn) || expiresIn <= 0) {
    throw new BankOAuthError('invalid_response', 'the token answer has no valid expires_in', answer.status, 'protocol');
  }
  const refresh = typeof raw.refresh_token === 'string' && raw.refresh_token.length > 0 ? raw.refresh_token : undefined;
  const scope = typeof raw.scope === 'string' && raw.scope.trim() ? raw.scope.trim().split(/\s+/) : requestedScopes;
  return { accessToken: raw.access_token, refreshToken: refresh, expiresInSeconds: expiresIn, scopes: scope };
}

function parseObject(text: string): Record<string, unknown> | undefined {
  if (!text) return undefined;
  try {
    const parsed = JSON.parse(text);
    return parsed && typeof parsed === 'object' && !Array.isArray(parsed) ? parsed : undefined;
  } catch {
    return undefined;
  }
}
