import { createHash } from 'node:crypto';
import type { SimulatorConfig } from '../options';
import { randomAlnum } from '../random';

/** How long the login page may stay open before its pending authorization is forgotten. */
const LOGIN_PAGE_TTL_MS = 30 * 60 * 1000;

/** An /authorization request that passed validation, kept server-side while the login page is shown. */
export interface AuthorizationRequest {
  clientId: string;
  redirectUri: string;
  /** the {companyId} segment of a templated redirect URI */
  companyId?: string;
  scopes: string[];
  state: string;
  codeChallenge?: string;
}

interface PendingAuthorization extends AuthorizationRequest {
  expiresAt: Date;
}

interface CodeRecord extends AuthorizationRequest {
  grantId: string;
  userId: string;
  expiresAt: Date;
  used: boolean;
}

export interface TokenRecord {
  token: string;
  kind: 'access' | 'refresh';
  /** every token descending from one authorization code shares it, so a replayed code can revoke them all */
  grantId: string;
  clientId: string;
  userId: string;
  companyId?: string;
  scopes: string[];
  expiresAt: Date;
  revoked: boolean;
}

export interface IssuedTokens {
  access: TokenRecord;
  refresh?: TokenRecord;
}

export type Outcome<T> = { ok: true; value: T } | { ok: false; error: 'invalid_grant' | 'invalid_scope'; reason: string };

export type TokenCheck = { ok: true; token: TokenRecord } | { ok: false; reason: 'missing' | 'expired' | 'invalid' };

export interface TokenFilter {
  companyId?: string;
  kind?: 'access' | 'refresh' | 'all';
}

function s256(verifier: string): string {
  return createHash('sha256').update(verifier).digest('base64url');
}

function isExpired(expiresAt: Date, now: Date): boolean {
  return expiresAt.getTime() <= now.getTime();
}

function pruneExpired<T extends { expiresAt: Date }>(map: Map<string, T>, now: Date): void {
  for (const [key, value] of map) if (isExpired(value.expiresAt, now)) map.delete(key);
}

/** Pending authorizations, authorization codes and tokens. */
export class AuthStore {
  private readonly pending = new Map<string, PendingAuthorization>();
  private readonly codes = new Map<string, CodeRecord>();
  private readonly tokens = new Map<string, TokenRecord>();

  constructor(private readonly config: SimulatorConfig) {}

  begin(request: AuthorizationRequest, now: Date): string {
    pruneExpired(this.pending, now);
    const id = randomAlnum();
    this.pending.set(id, { ...request, expiresAt: new Date(now.getTime() + LOGIN_PAGE_TTL_MS) });
    return id;
  }

  /** Single use: the login form can be submitted once. */
  takePending(id: string, now: Date): AuthorizationRequest | undefined {
    const pending = this.pending.get(id);
    this.pending.delete(id);
    return pending && !isExpired(pending.expiresAt, now) ? pending : undefined;
  }

  issueCode(request: AuthorizationRequest, userId: string, now: Date): string {
    pruneExpired(this.codes, now);
    const code = randomAlnum();
    this.codes.set(code, {
      ...request,
      grantId: randomAlnum(),
      userId,
      expiresAt: new Date(now.getTime() + this.config.codeTtlSeconds * 1000),
      used: false,
    });
    return code;
  }

  exchangeCode(code: string, clientId: string, redirectUri: string, verifier: string | undefined, now: Date): Outcome<IssuedTokens> {
    const record = this.codes.get(code);
    if (!record || record.clientId !== clientId) return grantError('unknown authorization code');
    if (record.used) {
      // RFC 6749 §4.1.2: a replayed code may mean it leaked, so what it produced is withdrawn.
      this.revokeWhere((t) => t.grantId === record.grantId);
      return grantError('authorization code already used; tokens issued from it are revoked');
    }
    if (isExpired(record.expiresAt, now)) return grantError('authorization code expired');
    if (record.redirectUri !== redirectUri) return grantError('redirect_uri does not match the authorization request');
    if (record.codeChallenge ? !verifier || s256(verifier) !== record.codeChallenge : verifier !== undefined) {
      return grantError('code_verifier does not match the code_challenge');
    }
    record.used = true;
    return { ok: true, value: this.issue(record, record.grantId, record.scopes, now) };
  }

  refresh(token: string, clientId: string, requestedScopes: string[] | undefined, now: Date): Outcome<IssuedTokens> {
    const record = this.tokens.get(token);
    if (!record || record.kind !== 'refresh' || record.clientId !== clientId) return grantError('unknown refresh token');
    if (record.revoked) return grantError('refresh token revoked or already rotated');
    if (isExpired(record.expiresAt, now)) return grantError('refresh token expired');
    const scopes = requestedScopes ?? record.scopes;
    if (!scopes.every((s) => record.scopes.includes(s))) {
      return { ok: false, error: 'invalid_scope', reason: 'scope exceeds the original grant' };
    }
    if (this.config.rotateRefreshTokens) record.revoked = true;
    return { ok: true, value: this.issue(record, record.grantId, scopes, now) };
  }

  checkAccessToken(token: string | undefined, now: Date): TokenCheck {
    if (!token) return { ok: false, reason: 'missing' };
    const record = this.tokens.get(token);
    if (!record || record.kind !== 'access' || record.revoked) return { ok: false, reason: 'invalid' };
    if (isExpired(record.expiresAt, now)) return { ok: false, reason: 'expired' };
    return { ok: true, token: record };
  }

  expire(filter: TokenFilter, now: Date): number {
    const matching = this.matching(filter).filter((t) => !isExpired(t.expiresAt, now));
    for (const t of matching) t.expiresAt = now;
    return matching.length;
  }

  revoke(filter: TokenFilter): number {
    return this.revokeWhere((t) => this.matches(t, filter));
  }

  private issue(
    grant: { clientId: string; userId: string; companyId?: string },
    grantId: string,
    scopes: string[],
    now: Date,
  ): IssuedTokens {
    const mint = (kind: TokenRecord['kind'], ttlSeconds: number): TokenRecord => {
      const record: TokenRecord = {
        token: randomAlnum(),
        kind,
        grantId,
        clientId: grant.clientId,
        userId: grant.userId,
        companyId: grant.companyId,
        scopes,
        expiresAt: new Date(now.getTime() + ttlSeconds * 1000),
        revoked: false,
      };
      this.tokens.set(record.token, record);
      return record;
    };
    return {
      access: mint('access', this.config.accessTokenTtlSeconds),
      // "リフレッシュトークンを発行する場合は offline_access scope値が必要"
      refresh: scopes.includes('offline_access') ? mint('refresh', this.config.refreshTokenTtlSeconds) : undefined,
    };
  }

  private matches(token: TokenRecord, filter: TokenFilter): boolean {
    const kind = filter.kind ?? 'all';
    return (
      !token.revoked &&
      (filter.companyId === undefined || token.companyId === filter.companyId) &&
      (kind === 'all' || token.kind === kind)
    );
  }

  private matching(filter: TokenFilter): TokenRecord[] {
    return [...this.tokens.values()].filter((t) => this.matches(t, filter));
  }

  private revokeWhere(predicate: (t: TokenRecord) => boolean): number {
    let count = 0;
    for (const t of this.tokens.values()) {
      if (!t.revoked && predicate(t)) {
        t.revoked = true;
        count++;
      }
    }
    return count;
  }
}

function grantError(reason: string): Outcome<never> {
  return { ok: false, error: 'invalid_grant', reason };
}
