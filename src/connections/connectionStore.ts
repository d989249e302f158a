import { randomUUID } from 'node:crypto';
import { In, type EntityManager } from 'typeorm';
import type { BankAccount } from '../bank/accountsApi';
import type { Clock } from '../clock';
import type { Database } from '../db/database';
import { findRow, findRowWith } from '../db/rowSql';
import { countByStatus, type StatusCount } from '../db/statusCounts';
import { BankToken } from '../tokens/bankToken.entity';
import { NotConnectedError, ReauthorizationRequiredError } from '../tokens/errors';
import type { ConnectionGate } from '../tokens/connectionGate';
import { tokenExpiries } from '../tokens/vault';
import type { EventSink, EventType } from '../webhooks/events';
import { connectionView, maskedConnectionView } from './connectionView';
import { BankConnection } from './bankConnection.entity';

function usableOrError(companyId: string, conn: BankConnection | null): BankConnection {
  if (!conn || conn.status === 'disconnected') throw new NotConnectedError(companyId);
  if (conn.status === 'reauthorization_required') throw new ReauthorizationRequiredError(companyId, conn.statusReason ?? 'reauthorization_required');
  return conn;
}

/**
 * The only writer of `bank_connections`, with the one rule of a usable connection. Writes that belong
 * with token writes take the caller's transaction (`em`), so a connection and its tokens change together.
 */
export class ConnectionStore implements ConnectionGate {
  constructor(
    private readonly db: Database,
    private readonly clock: Clock,
    private readonly environment: string,
    private readonly events: EventSink,
  ) {}

  /** The webhook a connection's change announces, in the same transaction, carrying the connection as the API shows it. */
  private async announce(em: EntityManager, type: EventType, companyId: string): Promise<void> {
    const conn = await em.findOneBy(BankConnection, { environment: this.environment, companyId });
    if (!conn) return;
    const view = connectionView(conn, this.accounts(conn), await tokenExpiries(em, this.environment, companyId));
    await this.events.record(em, { type, companyId, resourceId: `connection:${companyId}`, data: maskedConnectionView(view) });
  }

  /** Announces, once per refresh token, that it lapses soon (the store owner should connect again before payouts stop). */
  async expiring(companyId: string, refreshTokenIssuedAt: Date): Promise<boolean> {
    if (await this.events.hasEvent('connection.expiring', `connection:${companyId}`, refreshTokenIssuedAt)) return false;
    await this.db.transaction((em) => this.announce(em, 'connection.expiring', companyId));
    return true;
  }

  find(companyId: string): Promise<BankConnection | null> {
    return findRow(this.db.manager, BankConnection, { environment: this.environment, companyId });
  }

  /** Connected, not disconnected, not waiting for the store owner's consent: or the error that says which. */
  async usable(companyId: string): Promise<BankConnection> {
    return usableOrError(companyId, await this.find(companyId));
  }

  /**
   * `usable`, with the company's stored access token (null: none) read in the same statement: a payout's first
   * read (the vault takes the token from here instead of reading it again).
   */
  async usableWithAccessToken(companyId: string): Promise<{ connection: BankConnection; accessToken: BankToken | null }> {
    const found = await findRowWith(
      this.db.manager,
      BankConnection,
      { environment: this.environment, companyId },
      BankToken,
      { environment: 'environment', companyId: 'companyId' },
      { kind: 'access' },
    );
    return { connection: usableOrError(companyId, found?.row ?? null), accessToken: found?.joined ?? null };
  }

  accounts(connection: BankConnection): BankAccount[] {
    return JSON.parse(connection.accounts) as BankAccount[];
  }

  async connectedAmong(companyIds: string[]): Promise<Set<string>> {
    if (companyIds.length === 0) return new Set();
    const rows = await this.db.manager.find(BankConnection, {
      select: { companyId: true },
      where: { environment: this.environment, status: 'connected', companyId: In(companyIds) },
    });
    return new Set(rows.map((r) => r.companyId));
  }

  /** For /metrics: rows by status, with the oldest of each (read only). */
  countByStatus(): Promise<StatusCount[]> {
    return countByStatus(this.db, BankConnection, this.environment);
  }


  // ---- named state changes

  /** The store owner consented: the connection (new or again) is connected with what the bank granted. */
  async connected(em: EntityManager, c: { companyId: string; scopes: string[]; accounts: BankAccount[]; clientId: string }): Promise<BankConnection> {
    const now = this.clock.now();
    const existing = await em.findOneBy(BankConnection, { environment: this.environment, companyId: c.companyId });
    const row = Object.assign(existing ?? new BankConnection(), {
      id: existing?.id ?? randomUUID(),
      environment: this.environment,
      companyId: c.companyId,
      status: 'connected' as const,
      statusReason: null,
      scopes: c.scopes.join(' '),
      accounts: JSON.stringify(c.accounts),
      clientId: c.clientId,
      connectedAt: now,
      disconnectedAt: null,
      lastRefreshedAt: null,
      createdAt: existing?.createdAt ?? now,
      updatedAt: now,
    });
    await em.save(row);
    await this.announce(em, 'connection.connected', c.companyId);
    return row;
  }

  async disconnected(em: EntityManager, companyId: string): Promise<boolean> {
    const now = this.clock.now();
    const result = await em.update(
      BankConnection,
      { environment: this.environment, companyId },
      { status: 'disconnected', statusReason: 'disconnected_by_api', disconnectedAt: now, updatedAt: now, accounts: '[]' },
    );
    if ((result.affected ?? 0) === 0) return false;
    await this.announce(em, 'connection.disconnected', companyId);
    return true;
  }

  async reauthorizationRequired(em: EntityManager, companyId: string, reason: string): Promise<void> {
    await em.update(BankConnection, { environment: this.environment, companyId }, { status: 'reauthorization_required', statusReason: reason, updatedAt: this.clock.now() });
    await this.announce(em, 'connection.reauthorization_required', companyId);
  }

  async refreshed(em: EntityManager, companyId: string, scopes: string[]): Promise<void> {
    const now = this.clock.now();
    await em.update(BankConnection, { environment: this.environment, companyId }, { lastRefreshedAt: now, updatedAt: now, scopes: scopes.join(' ') });
  }

  /** The bank's latest account list (GET /accounts). */
  async accountsRefreshed(companyId: string, accounts: BankAccount[]): Promise<void> {
    await this.db.transaction((em) =>
      em.update(BankConnection, { environment: this.environment, companyId }, { accounts: JSON.stringify(accounts), updatedAt: this.clock.now() }),
    );
  }

  /** A connected company whose every token has expired can only be revived by the store owner. */
  async flagWithoutTokens(): Promise<number> {
    return this.db.transaction(async (em) => {
      const connected = await em.find(BankConnection, { where: { environment: this.environment, status: 'connected' } });
      if (connected.length === 0) return 0;
      const withTokens = new Set(
        (
          await em.find(BankToken, {
            select: { companyId: true },
            where: { environment: this.environment, companyId: In(connected.map((c) => c.companyId)) },
          })
        ).map((t) => t.companyId),
      );
      const orphaned = connected.filter((c) => !withTokens.has(c.companyId));
      if (orphaned.length > 0) {
        await em.update(
          BankConnection,
          { id: In(orphaned.map((c) => c.id)) },
          { status: 'reauthorization_required', statusReason: 'tokens_expired', updatedAt: this.clock.now() },
        );
        for (const c of orphaned) await this.announce(em, 'connection.reauthorization_required', c.companyId);
      }
      return orphaned.length;
    });
  }
}
