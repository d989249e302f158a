import { Counter, Gauge, type Registry } from 'prom-client';
import { BULK_STATUSES } from '../bulkTransfers/lifecycle';
import type { Clock } from '../clock';
import type { ConnectionStatus } from '../connections/bankConnection.entity';
import type { StatusCount } from '../db/statusCounts';
import type { Logger } from '../log';
import { withTimeLimit } from '../timeLimit';
import { TRANSFER_STATUSES } from '../transfers/lifecycle';
import type { DeliveryStatus } from '../webhooks/webhookDelivery.entity';
import type { PollKind } from './instruments';

/** The read-only queries a scrape makes, each owned by the store of its table (plain functions, called unbound). */
export interface StoreReads {
  transfers: () => Promise<StatusCount[]>;
  bulkTransfers: () => Promise<StatusCount[]>;
  connections: () => Promise<StatusCount[]>;
  nearestRefreshTokenExpiry: () => Promise<Date | null>;
  webhooks: () => Promise<{ byStatus: StatusCount[]; oldestPendingSeconds: number }>;
}

/** The reads of a scrape, as gbi_metrics_scrape_errors_total names them. */
const READS = ['transfers', 'bulk_transfers', 'connections', 'refresh_tokens', 'webhooks'] as const;

/** Not yet settled at the bank: the statuses the oldest-open age looks at (a payout booked for a later day counts). */
const OPEN = new Set(['pending', 'unknown', 'submitted', 'scheduled', 'processing']);
const CONNECTION_STATUSES: ConnectionStatus[] = ['connected', 'reauthorization_required', 'disconnected'];
const DELIVERY_STATUSES: DeliveryStatus[] = ['pending', 'delivered', 'failed'];

/** A scrape that waits longer for the database answers without what it asked. */
const READ_DEADLINE_MS = 5000;

function withDeadline<T>(work: Promise<T>): Promise<T> {
  return withTimeLimit(work, READ_DEADLINE_MS, () => {
    throw new Error(`no answer in ${READ_DEADLINE_MS} ms`);
  });
}

/**
 * Gauges read from the database when Prometheus scrapes (prom-client's `collect()`): every gauge of one
 * scrape shares one round of reads. A read that fails (the database away for a moment) leaves its series out
 * of that scrape and counts `gbi_metrics_scrape_errors_total{read}`; the others are answered. Ages are
 * measured with the service's clock, the one the rows were written with. Every instance reads the same
 * database, so dashboards take `max()` of these across instances, never `sum()`.
 */
class StoreGauges {
  private readonly transfers: Gauge<'status'>;
  private readonly bulkTransfers: Gauge<'status'>;
  private readonly openAge: Gauge<'kind'>;
  private readonly unknownAge: Gauge<'kind'>;
  private readonly connections: Gauge<'status'>;
  private readonly nearestExpiry: Gauge;
  private readonly deliveries: Gauge<'status'>;
  private readonly oldestPending: Gauge;
  private readonly errors: Counter<'read'>;
  private inflight?: Promise<void>;

  constructor(
    registry: Registry,
    private readonly reads: StoreReads,
    private readonly clock: Clock,
    private readonly log: Logger,
  ) {
    const registers = [registry];
    const collect = () => this.scrape();
    this.transfers = new Gauge({ name: 'gbi_transfers', help: 'Transfers by status.', labelNames: ['status'], registers, collect });
    this.bulkTransfers = new Gauge({ name: 'gbi_bulk_transfers', help: 'Bulk transfers (総合振込) by status.', labelNames: ['status'], registers, collect });
    this.openAge = new Gauge({ name: 'gbi_payouts_open_oldest_age_seconds', help: 'Age of the oldest payout not yet settled (pending, unknown, submitted, scheduled, processing); 0 when none.', labelNames: ['kind'], registers, collect });
    this.unknownAge = new Gauge({ name: 'gbi_payouts_unknown_oldest_age_seconds', help: 'Age of the oldest payout whose outcome at the bank is unknown; 0 when none.', labelNames: ['kind'], registers, collect });
    this.connections = new Gauge({ name: 'gbi_bank_connections', help: 'Bank connections by status.', labelNames: ['status'], registers, collect });
    this.nearestExpiry = new Gauge({ name: 'gbi_refresh_token_nearest_expiry_seconds', help: 'Seconds until the first refresh token lapses (a store owner must consent again); absent when none is held.', registers, collect });
    this.deliveries = new Gauge({ name: 'gbi_webhook_deliveries', help: 'Webhook deliveries by status (failed: given up after 24 h).', labelNames: ['status'], registers, collect });
    this.oldestPending = new Gauge({ name: 'gbi_webhook_oldest_pending_seconds', help: 'Age of the oldest undelivered webhook; 0 when none.', registers, collect });
    this.errors = new Counter({ name: 'gbi_metrics_scrape_errors_total', help: 'Database reads of a scrape that failed; their series were left out of that scrape.', labelNames: ['read'], registers, collect });
    // nothing is known before the first scrape
    this.nearestExpiry.remove();
    this.oldestPending.remove();
    for (const read of READS) this.errors.inc({ read }, 0);
  }

  /** Every collect() of one scrape waits on the same reads (the error counter's too, so it shows this scrape's). */
  private scrape(): Promise<void> {
    this.inflight ??= this.readAll().finally(() => {
      this.inflight = undefined;
    });
    return this.inflight;
  }

  private async readAll(): Promise<void> {
    await Promise.all([
      this.read('transfers', this.reads.transfers, (rows) => this.payouts('transfers', this.transfers, TRANSFER_STATUSES, rows), () => this.clearPayouts('transfers', this.transfers)),
      this.read('bulk_transfers', this.reads.bulkTransfers, (rows) => this.payouts('bulk_transfers', this.bulkTransfers, BULK_STATUSES, rows), () => this.clearPayouts('bulk_transfers', this.bulkTransfers)),
      this.read('connections', this.reads.connections, (rows) => byStatus(this.connections, CONNECTION_STATUSES, rows), () => this.connections.reset()),
      this.read('refresh_tokens', this.reads.nearestRefreshTokenExpiry, (at) => this.expiry(at), () => this.nearestExpiry.remove()),
      this.read(
        'webhooks',
        this.reads.webhooks,
        (backlog) => {
          byStatus(this.deliveries, DELIVERY_STATUSES, backlog.byStatus);
          this.oldestPending.set(backlog.oldestPendingSeconds);
        },
        () => {
          this.deliveries.reset();
          this.oldestPending.remove();
        },
      ),
    ]);
  }

  private async read<T>(name: (typeof READS)[number], query: () => Promise<T>, show: (value: T) => void, clear: () => void): Promise<void> {
    try {
      show(await withDeadline(query()));
    } catch (err) {
      clear();
      this.errors.inc({ read: name });
      this.log.warn('a metrics read failed; its series are left out of this scrape', { read: name, err });
    }
  }

  private payouts(kind: PollKind, gauge: Gauge<'status'>, statuses: readonly string[], rows: StatusCount[]): void {
    byStatus(gauge, statuses, rows);
    this.openAge.set({ kind }, this.ageOf(rows.filter((r) => OPEN.has(r.status))));
    this.unknownAge.set({ kind }, this.ageOf(rows.filter((r) => r.status === 'unknown')));
  }

  private clearPayouts(kind: PollKind, gauge: Gauge<'status'>): void {
    gauge.reset();
    this.openAge.remove({ kind });
    this.unknownAge.remove({ kind });
  }

  private ageOf(rows: StatusCount[]): number {
    const oldest = Math.min(...rows.map((r) => r.oldestCreatedAt?.getTime() ?? Infinity));
    return Number.isFinite(oldest) ? Math.max(0, (this.clock.now().getTime() - oldest) / 1000) : 0;
  }

  private expiry(at: Date | null): void {
    if (at === null) this.nearestExpiry.remove();
    else this.nearestExpiry.set((at.getTime() - this.clock.now().getTime()) / 1000);
  }
}

/** Every known status is shown, 0 when no row has it, so an alert on one always has a series. */
function byStatus(gauge: Gauge<'status'>, known: readonly string[], rows: StatusCount[]): void {
  gauge.reset();
  for (const status of known) gauge.set({ status }, 0);
  for (const r of rows) gauge.set({ status: r.status }, r.n);
}

/** Registers the scrape-time gauges on the registry (which keeps them: nothing else holds them). */
export function registerStoreGauges(registry: Registry, reads: StoreReads, clock: Clock, log: Logger): void {
  new StoreGauges(registry, reads, clock, log);
}
