import { randomUUID } from 'node:crypto';
import type { EntityManager } from 'typeorm';
import type { BankOAuthClient, TokenSet } from '../bank/oauthClient';
import { BankOAuthError } from '../bank/errors';
import type { Clock } from '../clock';
import type { AppRegistrations } from '../connections/registrations';
import { BankConnection } from '../connections/bankConnection.entity';
import type { Database } from '../db/database';
import type { Logger } from '../log';
import { BankToken, type TokenKind } from './bankToken.entity';
import { tokenAad, type Cipher } from './cipher';
import { reencryptEach, type ReencryptResult } from './reencrypt';
import { NotConnectedError, ReauthorizationRequiredError, RefreshBusyError } from './errors';

export interface VaultOptions {
  db: Database;
  cipher: Cipher;
  clock: Clock;
  environment: string;
  oauth: BankOAuthClient;
  registrations: AppRegistrations;
  log: Logger;
  /** refresh when less than this remains on the access token */
  refreshMarginSeconds: number;
  /** GMO does not say how long a refresh token lives; 90 days is what production integrations observe */
  refreshTokenTtlSeconds: number;
  /** identifies this process in the refresh lease */
  instanceId?: string;
  /** how long the lease is held at most; longer than one token call can take */
  leaseSeconds?: number;
  /** waits between looks at a lease held by another instance (bounded: see maxLeaseWaits) */
  sleep?: (ms: number) => Promise<void>;
  maxLeaseWaits?: number;
}

export interface TokenExpiries {
  accessTokenExpiresAt: Date | null;
  refreshTokenExpiresAt: Date | null;
}

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * The only holder of the bank tokens. Tokens are sealed per row (AES-256-GCM, AAD = env|company|kind);
 * a refresh is done once however many callers ask at the same moment: in-process callers share one
 * promise, other instances wait on the connection's fenced refresh lease.
 */
export class TokenVault {
  private readonly inflight = new Map<string, Promise<string>>();
  private readonly instanceId: string;
  private readonly leaseMs: number;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly maxLeaseWaits: number;

  constructor(private readonly o: VaultOptions) {
    this.instanceId = o.instanceId ?? randomUUID();
    this.leaseMs = (o.leaseSeconds ?? 60) * 1000;
    this.sleep = o.sleep ?? defaultSleep;
    this.maxLeaseWaits = o.maxLeaseWaits ?? 100;
  }

  private aad(companyId: string, kind: TokenKind): string {
    return tokenAad(this.o.environment, companyId, kind);
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

  /** Physically deletes the company's tokens (disconnect, invalid_grant). */
  async deleteTokens(em: EntityManager, companyId: string): Promise<void> {
    await em.delete(BankToken, { environment: this.o.environment, companyId });
  }

  async expiries(companyId: string): Promise<TokenExpiries> {
    const rows = await this.o.db.manager.find(BankToken, {
      where: { environment: this.o.environment, companyId },
      select: { kind: true, expiresAt: true },
    });
    const of = (kind: TokenKind) => rows.find((r) => r.kind === kind)?.expiresAt ?? null;
    return { accessTokenExpiresAt: of('access'), refreshTokenExpiresAt: of('refresh') };
  }

  /**
   * A usable access token for the company, refreshed first when less than the margin remains.
   * `rejected`: the token the bank just answered 401 to; a stored token equal to it is refreshed
   * whatever its expiry says.
   */
  async accessToken(companyId: string, options: { rejected?: string; minValiditySeconds?: number } = {}): Promise<string> {
    const fresh = await this.readFresh(companyId, options);
    if (fresh) return fresh;
    let flight = this.inflight.get(companyId);
    if (!flight) {
      flight = this.refreshOnce(companyId, options).finally(() => this.inflight.delete(companyId));
      this.inflight.set(companyId, flight);
    }
    return flight;
  }

  private async connection(companyId: string): Promise<BankConnection> {
    const conn = await this.o.db.manager.findOneBy(BankConnection, { environment: this.o.environment, companyId });
    if (!conn || conn.status === 'disconnected') throw new NotConnectedError(companyId);
    if (conn.status === 'reauthorization_required') {
      throw new ReauthorizationRequiredError(companyId, conn.statusReason ?? 'reauthorization_required');
    }
    return conn;
  }

  private async readToken(companyId: string, kind: TokenKind): Promise<{ row: BankToken; plaintext: string } | undefined> {
    const row = await this.o.db.manager.findOneBy(BankToken, { environment: this.o.environment, companyId, kind });
    if (!row || row.expiresAt.getTime() <= this.o.clock.now().getTime()) return undefined;
    return { row, plaintext: this.o.cipher.open(row, this.aad(companyId, kind)) };
  }

  private async readFresh(companyId: string, options: { rejected?: string; minValiditySeconds?: number }): Promise<string | undefined> {
    await this.connection(companyId);
    const access = await this.readToken(companyId, 'access');
    if (!access || access.plaintext === options.rejected) return undefined;
    const margin = (options.minValiditySeconds ?? this.o.refreshMarginSeconds) * 1000;
    return access.row.expiresAt.getTime() - this.o.clock.now().getTime() > margin ? access.plaintext : undefined;
  }

  private async refreshOnce(companyId: string, options: { rejected?: string; minValiditySeconds?: number }): Promise<string> {
    for (let attempt = 0; attempt <= this.maxLeaseWaits; attempt++) {
      const conn = await this.connection(companyId);
      if (!(await this.takeLease(conn.id))) {
        await this.sleep(100);
        const refreshedByPeer = await this.readFresh(companyId, options);
        if (refreshedByPeer) return refreshedByPeer;
        continue;
      }
      try {
        // another instance may have refreshed between our first look and taking the lease
        const fresh = await this.readFresh(companyId, options);
        if (fresh) return fresh;
        const outcome = await this.refreshUnderLease(conn);
        if (outcome !== 'retry') return outcome;
      } finally {
        await this.releaseLease(conn.id);
      }
    }
    throw new RefreshBusyError();
  }

  /** Returns the new access token, or 'retry' when the refresh token changed under us. */
  private async refreshUnderLease(conn: BankConnection): Promise<string | 'retry'> {
    const { companyId } = conn;
    const refresh = await this.readToken(companyId, 'refresh');
    if (!refresh) {
      const access = await this.readToken(companyId, 'access');
      // still usable, only inside the margin: better a token that works now than none
      if (access) return access.plaintext;
      await this.requireReauthorization(conn, 'refresh_token_expired');
    }
    const registration = await this.o.registrations.resolve(companyId);
    if (registration.clientId !== conn.clientId) await this.requireReauthorization(conn, 'registration_changed');

    let tokens: TokenSet;
    try {
      tokens = await this.o.oauth.refresh(registration, refresh!.plaintext);
    } catch (err) {
      if (err instanceof BankOAuthError && err.isInvalidGrant) {
        // permanent only if the token the bank refused is still the one we hold
        const current = await this.o.db.manager.findOneBy(BankToken, { environment: this.o.environment, companyId, kind: 'refresh' });
        if (current && current.id !== refresh!.row.id) return 'retry';
        await this.requireReauthorization(conn, 'invalid_grant');
      }
      throw err;
    }

    await this.o.db.transaction(async (em) => {
      const fenced = await em
        .createQueryBuilder()
        .update(BankConnection)
        .set({ lastRefreshedAt: this.o.clock.now(), updatedAt: this.o.clock.now(), scopes: tokens.scopes.join(' ') })
        .where('id = :id AND refreshLeaseHolder = :me', { id: conn.id, me: this.instanceId })
        .execute();
      if ((fenced.affected ?? 0) !== 1) throw new RefreshBusyError();
      await this.store(em, companyId, tokens);
    });
    this.o.log.info('bank tokens refreshed', { companyId, expiresInSeconds: tokens.expiresInSeconds, rotated: Boolean(tokens.refreshToken) });
    return tokens.accessToken;
  }

  private async requireReauthorization(conn: BankConnection, reason: string): Promise<never> {
    await this.o.db.transaction(async (em) => {
      await this.deleteTokens(em, conn.companyId);
      await em.update(BankConnection, { id: conn.id }, { status: 'reauthorization_required', statusReason: reason, updatedAt: this.o.clock.now() });
    });
    this.o.log.warn('bank connection needs reauthorization', { companyId: conn.companyId, reason });
    throw new ReauthorizationRequiredError(conn.companyId, reason);
  }

  private async takeLease(connectionId: string): Promise<boolean> {
    const now = this.o.clock.now();
    const result = await this.o.db.transaction((em) =>
      em
        .createQueryBuilder()
        .update(BankConnection)
        .set({ refreshLeaseHolder: this.instanceId, refreshLeaseUntil: new Date(now.getTime() + this.leaseMs) })
        .where('id = :id', { id: connectionId })
        .andWhere('(refreshLeaseHolder IS NULL OR refreshLeaseUntil < :now OR refreshLeaseHolder = :me)', { now, me: this.instanceId })
        .execute(),
    );
    return (result.affected ?? 0) === 1;
  }

  private async releaseLease(connectionId: string): Promise<void> {
    await this.o.db.transaction((em) =>
      em
        .createQueryBuilder()
        .update(BankConnection)
        .set({ refreshLeaseHolder: null, refreshLeaseUntil: null })
        .where('id = :id AND refreshLeaseHolder = :me', { id: connectionId, me: this.instanceId })
        .execute(),
    );
  }

  /**
   * Refreshes ahead of time every access token that expires within twice the margin, so POS calls
   * rarely wait for a refresh. Failures are logged and left for the next run or the next caller.
   */
  async refreshExpiring(): Promise<{ refreshed: number; failed: number }> {
    const horizonSeconds = this.o.refreshMarginSeconds * 2;
    const horizon = new Date(this.o.clock.now().getTime() + horizonSeconds * 1000);
    const due = await this.o.db.manager
      .createQueryBuilder(BankToken, 't')
      .innerJoin(BankConnection, 'c', 'c.environment = t.environment AND c.companyId = t.companyId')
      .where('t.environment = :env AND t.kind = :kind AND t.expiresAt <= :horizon AND c.status = :status', {
        env: this.o.environment,
        kind: 'access',
        horizon,
        status: 'connected',
      })
      .select('t.companyId', 'companyId')
      .getRawMany<{ companyId: string }>();
    let refreshed = 0;
    let failed = 0;
    for (const { companyId } of due) {
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
