import { randomUUID } from 'node:crypto';
import { LessThanOrEqual, MoreThan, type EntityManager } from 'typeorm';
import type { BankOAuthClient, TokenSet } from '../bank/oauthClient';
import { BankOAuthError } from '../bank/errors';
import type { Clock } from '../clock';
import type { JobLeases } from '../jobs/lease';
import type { AppRegistrations } from '../registrations/registrations';
import type { Database } from '../db/database';
import { deleteExpired, type DeletePace, type Deleted } from '../db/expiry';
import { findRow } from '../db/rowSql';
import type { Logger } from '../log';
import type { Instruments } from '../metrics/instruments';
import { BankToken, type TokenKind } from './bankToken.entity';
import { sealingAad, type Cipher } from '../crypto/cipher';
import { reencryptEach, type ReencryptResult } from '../crypto/reencrypt';
import type { ConnectionGate } from './connectionGate';
import { ReauthorizationRequiredError, RefreshBusyError } from './errors';

interface VaultOptions {
  db: Database;
  cipher: Cipher;
  clock: Clock;
  environment: string;
  oauth: BankOAuthClient;
  registrations: AppRegistrations;
  connections: ConnectionGate;
  /** the refresh lease of each company (shared with the cron jobs' leases) */
  leases: JobLeases;
  log: Logger;
  /** counts how each refresh ended */
  metrics: Instruments;
  /** refresh when less than this remains on the access token */
  refreshMarginSeconds: number;
  /** GMO does not say how long a refresh token lives; 90 days is what production integrations observe */
  refreshTokenTtlSeconds: number;
  /** how long the lease is held at most; longer than one token call can take */
  leaseSeconds?: number;
  /** waits between looks at a lease held by another instance (bounded: see maxLeaseWaits) */
  sleep?: (ms: number) => Promise<void>;
  maxLeaseWaits?: number;
}

interface AccessTokenOptions {
  /** the token the bank just answered 401 to: a stored token equal to it is refreshed whatever its expiry says */
  rejected?: string;
  minValiditySeconds?: number;
  /** the caller read the connection as usable a moment ago, for this same request: not read again */
  connectionChecked?: boolean;
  /**
   * the caller read the connection as usable a moment ago, for this same request, and the stored access token
   * with it (null: none; `ConnectionStore.usableWithAccessToken`): neither is read again, unless a refresh is due
   */
  readWithConnection?: { accessToken: BankToken | null };
}

export interface TokenExpiries {
  accessTokenExpiresAt: Date | null;
  refreshTokenExpiresAt: Date | null;
}

/** When the company's tokens expire (read in any transaction: a connection event carries them). */
export async function tokenExpiries(em: EntityManager, environment: string, companyId: string): Promise<TokenExpiries> {
  const rows = await em.find(BankToken, { where: { environment, companyId }, select: { kind: true, expiresAt: true } });
  const of = (kind: TokenKind) => rows.find((r) => r.kind === kind)?.expiresAt ?? null;
  return { accessTokenExpiresAt: of('access'), refreshTokenExpiresAt: of('refresh') };
}

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * The only holder of the bank tokens. Tokens are sealed per row (AES-256-GCM, AAD = env|company|kind);
 * a refresh is done once however many callers ask at the same moment: in-process callers share one
 * promise, other instances wait on the connection's fenced refresh lease.
 */
export class TokenVault {
  private readonly inflight = new Map<string, Promise<string>>();
  private readonly leaseSeconds: number;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly maxLeaseWaits: number;

  constructor(private readonly o: VaultOptions) {
    this.leaseSeconds = o.leaseSeconds ?? 60;
    this.sleep = o.sleep ?? defaultSleep;
    this.maxLeaseWaits = o.maxLeaseWaits ?? 100;
  }

  private aad(companyId: string, kind: TokenKind): string {
    return sealingAad(this.o.environment, companyId, kind);
  }

  /** Writes a fresh pair (inside the caller's transaction); a missing refresh token keeps the stored one. */
  async store(em: EntityManager, companyId: string, tokens: TokenSet): Promise<void> {
    const now = this.o.clock.now();
    await this.writeToken(em, companyId, 'access', tokens.accessToken, new Date(now.getTime() + tokens.expiresInSeconds * 1000));
    if (tokens.refreshToken) {
      await this.writeToken(em, companyId, 'refresh', tokens.refreshToken, new Date(now.getTime() + this.o.refreshTokenTtlSeconds * 1000));
    }
  }

  private async writeToken(em: EntityManager, companyId: string, kind: TokenKind, plaintext: string, expiresAt: Date): Promise<void> {
    const sealed = this.o.cipher.seal(plaintext, this.aad(companyId, kind));
    await em.delete(BankToken, { environment: this.o.environment, companyId, kind });
    await em.insert(BankToken, {
      id: randomUUID(),
      environment: this.o.environment,
      companyId,
      kind,
      ...sealed,
      expiresAt,
      createdAt: this.o.clock.now(),
    });
  }

  /** Physically deletes every token past its expiry (the purge job), at the purge's pace. */
  deleteExpired(now: Date, pace: DeletePace): Promise<Deleted> {
    return deleteExpired(this.o.db, BankToken, now, pace);
  }

  /** Physically deletes the company's tokens (disconnect, invalid_grant). */
  async deleteTokens(em: EntityManager, companyId: string): Promise<void> {
    await em.delete(BankToken, { environment: this.o.environment, companyId });
  }

  expiries(companyId: string): Promise<TokenExpiries> {
    return tokenExpiries(this.o.db.manager, this.o.environment, companyId);
  }

  /** For /metrics: when the first refresh token still held lapses (then its store owner must consent again). */
  async nearestRefreshTokenExpiry(): Promise<Date | null> {
    const first = await this.o.db.manager.findOne(BankToken, {
      select: { expiresAt: true },
      where: { environment: this.o.environment, kind: 'refresh', expiresAt: MoreThan(this.o.clock.now()) },
      order: { expiresAt: 'ASC' },
    });
    return first?.expiresAt ?? null;
  }

  /**
   * A usable access token for the company, refreshed first when less than the margin remains.
   * `rejected`: the token the bank just answered 401 to; a stored token equal to it is refreshed
   * whatever its expiry says.
   */
  async accessToken(companyId: string, options: AccessTokenOptions = {}): Promise<string> {
    const fresh = await this.readFresh(companyId, options);
    if (fresh) return fresh;
    let flight = this.inflight.get(companyId);
    if (!flight) {
      // a refresh reads the token again under its lease: what the caller read before may be stale by then
      const { readWithConnection: _read, ...refreshOptions } = options;
      flight = this.refreshOnce(companyId, refreshOptions).finally(() => this.inflight.delete(companyId));
      this.inflight.set(companyId, flight);
    }
    return flight;
  }

  private leaseName(companyId: string): string {
    return `refresh-token:${this.o.environment}:${companyId}`;
  }

  private async readToken(companyId: string, kind: TokenKind): Promise<{ row: BankToken; plaintext: string } | undefined> {
    return this.unexpired(companyId, kind, await findRow(this.o.db.manager, BankToken, { environment: this.o.environment, companyId, kind }));
  }

  /** A stored token, opened, unless it has expired. */
  private unexpired(companyId: string, kind: TokenKind, row: BankToken | null): { row: BankToken; plaintext: string } | undefined {
    if (!row || row.expiresAt.getTime() <= this.o.clock.now().getTime()) return undefined;
    return { row, plaintext: this.o.cipher.open(row, this.aad(companyId, kind)) };
  }

  private async readFresh(companyId: string, options: AccessTokenOptions): Promise<string | undefined> {
    const read = options.readWithConnection;
    if (!options.connectionChecked && !read) await this.o.connections.usable(companyId);
    const access = read ? this.unexpired(companyId, 'access', read.accessToken) : await this.readToken(companyId, 'access');
    if (!access || access.plaintext === options.rejected) return undefined;
    const margin = (options.minValiditySeconds ?? this.o.refreshMarginSeconds) * 1000;
    return access.row.expiresAt.getTime() - this.o.clock.now().getTime() > margin ? access.plaintext : undefined;
  }

  private async refreshOnce(companyId: string, options: AccessTokenOptions): Promise<string> {
    const lease = this.leaseName(companyId);
    for (let attempt = 0; attempt <= this.maxLeaseWaits; attempt++) {
      const conn = await this.o.connections.usable(companyId);
      if (!(await this.o.leases.tryAcquire(lease, this.leaseSeconds))) {
        await this.sleep(100);
        const refreshedByPeer = await this.readFresh(companyId, { ...options, connectionChecked: true });
        if (refreshedByPeer) return refreshedByPeer;
        continue;
      }
      try {
        // another instance may have refreshed between our first look and taking the lease
        const fresh = await this.readFresh(companyId, { ...options, connectionChecked: true });
        if (fresh) return fresh;
        const outcome = await this.refreshUnderLease(companyId, conn.clientId);
        if (outcome !== 'retry') return outcome;
      } finally {
        await this.o.leases.release(lease);
      }
    }
    throw new RefreshBusyError();
  }

  /** Returns the new access token, or 'retry' when the refresh token changed under us. */
  private async refreshUnderLease(companyId: string, clientId: string): Promise<string | 'retry'> {
    const refresh = await this.readToken(companyId, 'refresh');
    if (!refresh) {
      const access = await this.readToken(companyId, 'access');
      // still usable, only inside the margin: better a token that works now than none
      if (access) return access.plaintext;
      await this.requireReauthorization(companyId, 'refresh_token_expired');
    }
    const registration = await this.o.registrations.resolve(companyId);
    if (registration.clientId !== clientId) await this.requireReauthorization(companyId, 'registration_changed');

    let tokens: TokenSet;
    try {
      tokens = await this.o.oauth.refresh(registration, refresh!.plaintext);
    } catch (err) {
      if (err instanceof BankOAuthError && err.isInvalidGrant) {
        // permanent only if the token the bank refused is still the one we hold
        const current = await this.o.db.manager.findOneBy(BankToken, { environment: this.o.environment, companyId, kind: 'refresh' });
        if (current && current.id !== refresh!.row.id) return 'retry';
        await this.requireReauthorization(companyId, 'invalid_grant');
      }
      this.o.metrics.tokenRefresh('failed');
      throw err;
    }

    try {
      await this.o.db.transaction(async (em) => {
        // fenced: if our lease lapsed and another instance took over, its tokens win and ours are dropped
        if (!(await this.o.leases.fence(em, this.leaseName(companyId), this.leaseSeconds))) throw new RefreshBusyError();
        await this.o.connections.refreshed(em, companyId, tokens.scopes);
        await this.store(em, companyId, tokens);
      });
    } catch (err) {
      // the bank issued tokens we could not keep: as failed as a refused refresh
      this.o.metrics.tokenRefresh('failed');
      throw err;
    }
    this.o.metrics.tokenRefresh('succeeded');
    this.o.log.info('bank tokens refreshed', { companyId, expiresInSeconds: tokens.expiresInSeconds, rotated: Boolean(tokens.refreshToken) });
    return tokens.accessToken;
  }

  private async requireReauthorization(companyId: string, reason: string): Promise<never> {
    this.o.metrics.tokenRefresh('reauthorization_required');
    await this.o.db.transaction(async (em) => {
      await this.deleteTokens(em, companyId);
      await this.o.connections.reauthorizationRequired(em, companyId, reason);
    });
    this.o.log.warn('bank connection needs reauthorization', { companyId, reason });
    throw new ReauthorizationRequiredError(companyId, reason);
  }

  /**
   * Refreshes ahead of time every access token that expires within twice the margin, so POS calls
   * rarely wait for a refresh. Failures are logged and left for the next run or the next caller.
   */
  async refreshExpiring(): Promise<{ refreshed: number; failed: number }> {
    const horizonSeconds = this.o.refreshMarginSeconds * 2;
    const horizon = new Date(this.o.clock.now().getTime() + horizonSeconds * 1000);
    const expiring = await this.o.db.manager.find(BankToken, {
      select: { companyId: true },
      where: { environment: this.o.environment, kind: 'access', expiresAt: LessThanOrEqual(horizon) },
    });
    const connected = await this.o.connections.connectedAmong(expiring.map((t) => t.companyId));
    let refreshed = 0;
    let failed = 0;
    for (const companyId of connected) {
      try {
        await this.accessToken(companyId, { minValiditySeconds: horizonSeconds });
        refreshed += 1;
      } catch (err) {
        failed += 1;
        this.o.log.warn('ahead-of-time refresh failed', { companyId, error: (err as Error).message });
      }
    }
    return { refreshed, failed };
  }

  /**
   * Re-seals every token row written under an older key with the active key. A row that cannot be opened
   * (its key is gone) is logged and counted; the others are re-sealed all the same.
   */
  async reencryptAll(): Promise<ReencryptResult> {
    const rows = await this.o.db.manager.find(BankToken, { where: { environment: this.o.environment } });
    return reencryptEach(
      rows.filter((row) => row.keyId !== this.o.cipher.activeKeyId),
      async (row) => {
        const sealed = this.o.cipher.reseal(row, this.aad(row.companyId, row.kind));
        await this.o.db.transaction((em) => em.update(BankToken, { id: row.id }, sealed));
      },
      (row, err) => this.o.log.error('token row could not be re-encrypted', { companyId: row.companyId, tokenKind: row.kind, err }),
    );
  }

}
