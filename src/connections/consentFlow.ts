import { createHash, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import { failureReason, type AuditLog } from '../audit/auditLog';
import type { Bank } from '../bank';
import type { BankAccount } from '../bank/accountsApi';
import { BankError, BankOAuthError } from '../bank/errors';
import type { Clock } from '../clock';
import type { Database } from '../db/database';
import { deleteExpired, type DeletePace, type Deleted } from '../db/expiry';
import type { Logger } from '../log';
import { sealingAad, type Cipher } from '../crypto/cipher';
import type { TokenVault } from '../tokens/vault';
import type { BankConnection } from './bankConnection.entity';
import type { ConnectionStore } from './connectionStore';
import { ConnectSession } from './connectSession.entity';
import type { AppRegistrations } from '../registrations/registrations';

/** Why a callback or a connect link failed; each has its own Japanese page. */
export type ConnectFailure =
  | 'session_not_found'
  | 'session_expired'
  | 'session_used'
  | 'missing_state'
  | 'unknown_state'
  | 'state_reused'
  | 'state_expired'
  | 'company_mismatch'
  | 'browser_mismatch'
  | 'access_denied'
  | 'bank_error'
  | 'missing_code'
  | 'token_exchange_failed'
  | 'bank_unavailable'
  | 'bad_request'
  | 'temporarily_unavailable'
  | 'internal_error';

export class ConnectError extends Error {
  constructor(
    readonly failure: ConnectFailure,
    readonly returnUrl: string | null = null,
  ) {
    super(failure);
    this.name = 'ConnectError';
  }
}

interface ConsentFlowOptions {
  db: Database;
  connections: ConnectionStore;
  bank: Bank;
  vault: TokenVault;
  registrations: AppRegistrations;
  cipher: Cipher;
  clock: Clock;
  log: Logger;
  audit: AuditLog;
  environment: string;
  publicBaseUrl: string;
  sessionTtlSeconds?: number;
  stateTtlSeconds?: number;
}

interface CallbackInput {
  companyId: string;
  code?: string;
  state?: string;
  error?: string;
  browserSecret?: string;
}

const sha256 = (value: string) => createHash('sha256').update(value, 'utf8').digest('hex');
const randomToken = () => randomBytes(32).toString('base64url');

/** The one place a stored hash is compared with a presented secret. */
function matchesHash(presented: string | undefined, storedHash: string | null): boolean {
  if (!presented || !storedHash) return false;
  return timingSafeEqual(Buffer.from(sha256(presented), 'hex'), Buffer.from(storedHash, 'hex'));
}

export function redirectUri(publicBaseUrl: string, companyId: string): string {
  return `${publicBaseUrl}/refresh_token/${encodeURIComponent(companyId)}`;
}

/** The OAuth consent flow: connect sessions, the browser sent to the bank, the bank's redirect back; the only way tokens enter the vault. */
export class ConsentFlow {
  private readonly sessionTtlMs: number;
  private readonly stateTtlMs: number;

  constructor(private readonly o: ConsentFlowOptions) {
    this.sessionTtlMs = (o.sessionTtlSeconds ?? 24 * 3600) * 1000;
    this.stateTtlMs = (o.stateTtlSeconds ?? 600) * 1000;
  }

  /** Physically deletes expired connect sessions (the purge job), at the purge's pace. */
  deleteExpiredSessions(now: Date, pace: DeletePace): Promise<Deleted> {
    return deleteExpired(this.o.db, ConnectSession, now, pace);
  }

  createSession(companyId: string, returnUrl: string | null): Promise<{ id: string; url: string; expiresAt: Date }> {
    return this.o.audit.track('connect_session.create', companyId, () => this.createSessionOnce(companyId, returnUrl), (s) => ({ outcome: 'succeeded', resourceId: s.id }));
  }

  private async createSessionOnce(companyId: string, returnUrl: string | null): Promise<{ id: string; url: string; expiresAt: Date }> {
    const now = this.o.clock.now();
    const session = Object.assign(new ConnectSession(), {
      id: randomUUID(),
      environment: this.o.environment,
      companyId,
      returnUrl,
      stateHash: null,
      browserHash: null,
      pkceVerifier: null,
      stateExpiresAt: null,
      expiresAt: new Date(now.getTime() + this.sessionTtlMs),
      usedAt: null,
      outcome: null,
      createdAt: now,
    });
    await this.o.db.transaction((em) => em.insert(ConnectSession, session));
    this.o.log.info('connect session created', { companyId, sessionId: session.id });
    return { id: session.id, url: `${this.o.publicBaseUrl}/connect/${session.id}`, expiresAt: session.expiresAt };
  }

  /**
   * The browser opens the connect link: a fresh state (replacing any earlier one of this session) and a
   * browser secret for the cookie, then the bank's authorization URL.
   */
  async begin(sessionId: string): Promise<{ authorizeUrl: string; browserSecret: string; companyId: string; cookieMaxAgeSeconds: number }> {
    const now = this.o.clock.now();
    const session = await this.o.db.manager.findOneBy(ConnectSession, { id: sessionId, environment: this.o.environment });
    if (!session) throw new ConnectError('session_not_found');
    if (session.usedAt) throw new ConnectError('session_used', session.returnUrl);
    if (session.expiresAt.getTime() <= now.getTime()) throw new ConnectError('session_expired', session.returnUrl);

    const registration = await this.o.registrations.resolve(session.companyId);
    const state = randomToken();
    const browserSecret = randomToken();
    const verifier = registration.pkce ? randomToken() : undefined;
    const stateExpiresAt = new Date(Math.min(now.getTime() + this.stateTtlMs, session.expiresAt.getTime()));
    await this.o.db.transaction((em) =>
      em.update(
        ConnectSession,
        { id: session.id },
        {
          stateHash: sha256(state),
          browserHash: sha256(browserSecret),
          stateExpiresAt,
          pkceVerifier: verifier ? JSON.stringify(this.o.cipher.seal(verifier, this.pkceAad(session))) : null,
        },
      ),
    );
    const authorizeUrl = this.o.bank.oauth.authorizeUrl(registration, {
      redirectUri: redirectUri(this.o.publicBaseUrl, session.companyId),
      state,
      codeChallenge: verifier ? createHash('sha256').update(verifier).digest('base64url') : undefined,
    });
    this.o.log.info('connect session opened', { companyId: session.companyId, sessionId: session.id, pkce: Boolean(verifier) });
    return { authorizeUrl, browserSecret, companyId: session.companyId, cookieMaxAgeSeconds: Math.ceil((stateExpiresAt.getTime() - now.getTime()) / 1000) };
  }

  private pkceAad(session: ConnectSession): string {
    return sealingAad(this.o.environment, session.companyId, `pkce:${session.id}`);
  }

  /**
   * The bank redirected back. The state is consumed first, whatever happens next, so a code or state
   * can never be replayed; nothing is stored unless every check and the bank calls succeed.
   */
  async complete(input: CallbackInput): Promise<{ connection: BankConnection; returnUrl: string | null }> {
    // one audit event per callback whose state found its session: its company and id (never the code or state)
    const seen: { session?: ConnectSession } = {};
    try {
      const result = await this.completeOnce(input, seen);
      await this.o.audit.record({ action: 'connection.callback', companyId: result.connection.companyId, resourceId: seen.session?.id ?? null, outcome: 'succeeded', reason: 'connected' });
      return result;
    } catch (err) {
      // a state that finds no session changed nothing (and anyone can send one): no event, like a 400
      if (seen.session) {
        const reason = err instanceof ConnectError ? err.failure : failureReason(err);
        await this.o.audit.record({ action: 'connection.callback', companyId: seen.session.companyId, resourceId: seen.session.id, outcome: 'failed', reason });
      }
      throw err;
    }
  }

  private async completeOnce(input: CallbackInput, seen: { session?: ConnectSession }): Promise<{ connection: BankConnection; returnUrl: string | null }> {
    const now = this.o.clock.now();
    if (!input.state) throw new ConnectError('missing_state');
    const session = await this.o.db.manager.findOneBy(ConnectSession, { stateHash: sha256(input.state), environment: this.o.environment });
    if (!session) throw new ConnectError('unknown_state');
    seen.session = session;
    const consumed = await this.o.db.transaction((em) =>
      em
        .createQueryBuilder()
        .update(ConnectSession)
        .set({ usedAt: now, outcome: 'consumed' })
        .where('id = :id AND usedAt IS NULL', { id: session.id })
        .execute(),
    );
    if ((consumed.affected ?? 0) !== 1) throw new ConnectError('state_reused', session.returnUrl);

    const fail = async (failure: ConnectFailure): Promise<never> => {
      await this.o.db.transaction((em) => em.update(ConnectSession, { id: session.id }, { outcome: failure, pkceVerifier: null }));
      this.o.log.warn('connect callback refused', { companyId: session.companyId, sessionId: session.id, failure });
      throw new ConnectError(failure, session.returnUrl);
    };

    if (!session.stateExpiresAt || session.stateExpiresAt.getTime() <= now.getTime()) return fail('state_expired');
    if (session.companyId !== input.companyId) return fail('company_mismatch');
    if (!matchesHash(input.browserSecret, session.browserHash)) return fail('browser_mismatch');
    if (input.error) return fail(input.error === 'access_denied' ? 'access_denied' : 'bank_error');
    if (!input.code) return fail('missing_code');

    const registration = await this.o.registrations.resolve(session.companyId);
    const verifier = session.pkceVerifier ? this.o.cipher.open(JSON.parse(session.pkceVerifier), this.pkceAad(session)) : undefined;
    let tokens;
    try {
      tokens = await this.o.bank.oauth.exchangeCode(registration, {
        code: input.code,
        redirectUri: redirectUri(this.o.publicBaseUrl, session.companyId),
        codeVerifier: verifier,
      });
    } catch (err) {
      if (err instanceof BankOAuthError) {
        this.o.log.warn('code exchange failed', { companyId: session.companyId, oauthError: err.error, httpStatus: err.status });
        return fail(err.kind === 'oauth' ? 'token_exchange_failed' : 'bank_unavailable');
      }
      throw err;
    }
    if (!tokens.refreshToken) {
      this.o.log.warn('the bank issued no refresh token; check that offline_access is granted', { companyId: session.companyId });
    }

    let accounts: BankAccount[];
    try {
      accounts = await this.o.bank.accounts.list(tokens.accessToken);
    } catch (err) {
      if (err instanceof BankError) {
        this.o.log.warn('account list failed after consent', { companyId: session.companyId, bankError: err.kind, httpStatus: err.status });
        return fail('bank_unavailable');
      }
      throw err;
    }

    const connection = await this.o.db.transaction(async (em) => {
      await this.o.vault.deleteTokens(em, session.companyId);
      await this.o.vault.store(em, session.companyId, tokens);
      // last: the connection.connected event it records carries the new tokens' expiries
      const row = await this.o.connections.connected(em, { companyId: session.companyId, scopes: tokens.scopes, accounts, clientId: registration.clientId });
      await em.update(ConnectSession, { id: session.id }, { outcome: 'connected', pkceVerifier: null });
      return row;
    });
    this.o.log.info('bank connection established', {
      companyId: session.companyId,
      registration: registration.owner,
      accounts: accounts.length,
      scopes: tokens.scopes.join(' '),
    });
    return { connection, returnUrl: session.returnUrl };
  }
}
