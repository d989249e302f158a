import { createHash, randomUUID } from 'node:crypto';
import { Brackets, MoreThanOrEqual, type EntityManager } from 'typeorm';
import type { Clock } from '../clock';
import type { Database } from '../db/database';
import { insertRows } from '../db/rowSql';
import { countByStatus, type StatusCount } from '../db/statusCounts';
import { DomainError } from '../domain/errors';
import type { EventEnvelope, EventSink, EventType, NewEvent } from './events';
import type { WebhookEndpoints } from './endpoints';
import { WebhookDelivery, type DeliveryStatus } from './webhookDelivery.entity';
import { WebhookEndpoint } from './webhookEndpoint.entity';
import { WebhookEvent } from './webhookEvent.entity';

export class WebhookDeliveryNotFoundError extends DomainError {
  constructor() {
    super('No such webhook delivery.');
  }
}

/** Deliveries are retried for at least this long after the event, then marked failed. */
export const RETRY_FOR_MS = 24 * 3600 * 1000;
const FIRST_RETRY_SECONDS = 30;
const MAX_RETRY_SECONDS = 3600;
const ATTEMPTS_KEPT = 20;

/**
 * Exponential backoff (30 s doubling to 1 h) with ±20 % jitter. The jitter is derived from the delivery
 * and attempt, so instances agree and tests need no random source.
 */
function retryDelaySeconds(deliveryId: string, attempt: number): number {
  const base = Math.min(FIRST_RETRY_SECONDS * 2 ** Math.max(attempt - 1, 0), MAX_RETRY_SECONDS);
  const unit = createHash('sha256').update(`${deliveryId}:${attempt}`).digest().readUInt32BE(0) / 0xffffffff;
  return Math.round(base * (0.8 + 0.4 * unit));
}

interface Attempt {
  at: string;
  /** the receiver's HTTP status, when it answered */
  status?: number;
  error?: string;
  ms: number;
}

export interface DeliveryView {
  id: string;
  eventId: string;
  eventType: string;
  endpointId: string;
  status: DeliveryStatus;
  attempts: number;
  attemptLog: Attempt[];
  lastError: string | null;
  nextAttemptAt: string | null;
  deliveredAt: string | null;
  createdAt: string;
}

export function deliveryView(d: WebhookDelivery): DeliveryView {
  return {
    id: d.id,
    eventId: d.eventId,
    eventType: d.eventType,
    endpointId: d.endpointId,
    status: d.status,
    attempts: d.attempts,
    attemptLog: JSON.parse(d.attemptLog) as Attempt[],
    lastError: d.lastError,
    nextAttemptAt: d.nextAttemptAt?.toISOString() ?? null,
    deliveredAt: d.deliveredAt?.toISOString() ?? null,
    createdAt: d.createdAt.toISOString(),
  };
}

/**
 * The transactional outbox, and the only writer of `webhook_events` and `webhook_deliveries`: an event
 * and its deliveries are written in the transaction of the state change that causes them, so a crash can
 * neither lose one nor send one for a change that rolled back.
 */
export class Outbox implements EventSink {
  private counter = 0;

  constructor(
    private readonly db: Database,
    private readonly endpoints: WebhookEndpoints,
    private readonly clock: Clock,
    private readonly environment: string,
  ) {}

  /** The order of recording: several in the same millisecond (one request, or a manual clock) keep their order. */
  private nextSeq(now: Date): number {
    return now.getTime() * 1000 + (this.counter++ % 1000);
  }

  /** In the caller's transaction: the event, and a delivery to every endpoint that wants it (or to `only`). */
  async record(em: EntityManager, event: NewEvent, only?: string): Promise<string> {
    const now = this.clock.now();
    const id = randomUUID();
    const envelope: EventEnvelope = { id, type: event.type, timestamp: now.toISOString(), companyId: event.companyId, data: event.data };
    await insertRows(em, WebhookEvent, [
      Object.assign(new WebhookEvent(), {
        id,
        environment: this.environment,
        type: event.type,
        companyId: event.companyId,
        resourceId: event.resourceId,
        payload: JSON.stringify(envelope),
        createdAt: now,
      }),
    ]);
    const to = only ? [only] : await this.endpoints.subscribers(em, event.type, event.companyId);
    if (to.length === 0) return id;
    const seq = this.nextSeq(now);
    // every receiver's delivery in one statement
    const deliveries = to.map((endpointId) =>
      Object.assign(new WebhookDelivery(), {
        id: randomUUID(),
        environment: this.environment,
        eventId: id,
        endpointId,
        eventType: event.type,
        resourceId: event.resourceId,
        seq,
        status: 'pending' as const,
        attempts: 0,
        attemptLog: '[]',
        lastError: null,
        nextAttemptAt: now,
        leaseHolder: null,
        leaseUntil: null,
        deliveredAt: null,
        createdAt: now,
        updatedAt: now,
      }),
    );
    await insertRows(em, WebhookDelivery, deliveries);
    return id;
  }

  /** Whether this resource already had an event of this type (since a moment): for events sent once. */
  async hasEvent(type: EventType, resourceId: string, since?: Date): Promise<boolean> {
    return this.db.manager.existsBy(WebhookEvent, {
      environment: this.environment,
      type,
      resourceId,
      ...(since ? { createdAt: MoreThanOrEqual(since) } : {}),
    });
  }

  private ownedBy(d: WebhookDelivery, companyId: string): Promise<boolean> {
    return this.db.manager.existsBy(WebhookEndpoint, { id: d.endpointId, companyId });
  }

  deliveriesOf(eventId: string): Promise<WebhookDelivery[]> {
    return this.db.manager.findBy(WebhookDelivery, { environment: this.environment, eventId });
  }

  event(id: string): Promise<WebhookEvent | null> {
    return this.db.manager.findOneBy(WebhookEvent, { environment: this.environment, id });
  }

  /**
   * Deliveries due now, oldest first, each only when no earlier delivery of the same resource to the
   * same endpoint is still pending (per-resource order), and not leased by a live sender.
   */
  due(limit: number): Promise<WebhookDelivery[]> {
    const now = this.clock.now();
    return this.db.manager
      .createQueryBuilder(WebhookDelivery, 'd')
      .where('d.environment = :env AND d.status = :pending AND d.nextAttemptAt <= :now', { env: this.environment, pending: 'pending', now })
      .andWhere(new Brackets((w) => w.where('d.leaseUntil IS NULL').orWhere('d.leaseUntil < :now', { now })))
      .andWhere(
        `NOT EXISTS (SELECT 1 FROM webhook_deliveries p WHERE p.endpointId = d.endpointId AND p.resourceId = d.resourceId
           AND p.status = :pending AND p.environment = d.environment AND p.seq < d.seq)`,
      )
      .orderBy('d.nextAttemptAt', 'ASC')
      .addOrderBy('d.seq', 'ASC')
      .take(limit)
      .getMany();
  }

  /** Takes a delivery for one attempt; of several instances exactly one gets it. */
  async claim(d: WebhookDelivery, holder: string, leaseMs: number): Promise<boolean> {
    const now = this.clock.now();
    const result = await this.db.transaction((em) =>
      em
        .createQueryBuilder()
        .update(WebhookDelivery)
        .set({ leaseHolder: holder, leaseUntil: new Date(now.getTime() + leaseMs) })
        // still the attempt we saw, still due, not leased: an instance with a stale copy cannot send it again
        .where('id = :id AND status = :pending AND attempts = :seen AND nextAttemptAt <= :now AND (leaseUntil IS NULL OR leaseUntil < :now)', {
          id: d.id,
          pending: 'pending',
          seen: d.attempts,
          now,
        })
        .execute(),
    );
    return (result.affected ?? 0) === 1;
  }

  /** Records one attempt: delivered on a 2xx; otherwise retried with backoff, or failed after 24 h. */
  async attempted(d: WebhookDelivery, attempt: Attempt, delivered: boolean, holder: string): Promise<DeliveryStatus> {
    const now = this.clock.now();
    const log = [...(JSON.parse(d.attemptLog) as Attempt[]), attempt].slice(-ATTEMPTS_KEPT);
    const attempts = d.attempts + 1;
    const expired = now.getTime() - d.createdAt.getTime() >= RETRY_FOR_MS;
    const status: DeliveryStatus = delivered ? 'delivered' : expired ? 'failed' : 'pending';
    await this.db.transaction((em) =>
      em.update(
        WebhookDelivery,
        // only by the sender that holds the claim
        { id: d.id, leaseHolder: holder },
        {
          status,
          attempts,
          attemptLog: JSON.stringify(log),
          lastError: delivered ? null : (attempt.error ?? `HTTP ${attempt.status}`).slice(0, 256),
          nextAttemptAt: status === 'pending' ? new Date(now.getTime() + retryDelaySeconds(d.id, attempts) * 1000) : null,
          deliveredAt: delivered ? now : null,
          leaseHolder: null,
          leaseUntil: null,
          updatedAt: now,
        },
      ),
    );
    return status;
  }

  /** Sends a delivery again now, whatever became of it (attempts so far are kept). */
  async redeliver(id: string, companyId?: string): Promise<DeliveryView> {
    const d = await this.delivery(id, companyId);
    const now = this.clock.now();
    const changes = { status: 'pending' as const, nextAttemptAt: now, updatedAt: now, createdAt: now, seq: this.nextSeq(now) };
    // a delivery being sent right now is left to its sender (its outcome is recorded in a moment)
    await this.db.transaction((em) =>
      em
        .createQueryBuilder()
        .update(WebhookDelivery)
        .set(changes)
        .where('id = :id AND (leaseUntil IS NULL OR leaseUntil < :now)', { id: d.id, now })
        .execute(),
    );
    return deliveryView(Object.assign(d, changes));
  }

  async delivery(id: string, companyId?: string): Promise<WebhookDelivery> {
    const d = await this.db.manager.findOneBy(WebhookDelivery, { environment: this.environment, id });
    if (!d) throw new WebhookDeliveryNotFoundError();
    if (companyId !== undefined && !(await this.ownedBy(d, companyId))) throw new WebhookDeliveryNotFoundError();
    return d;
  }

  async list(q: { status?: DeliveryStatus; endpointId?: string; eventType?: string; companyId?: string; limit: number }): Promise<DeliveryView[]> {
    const qb = this.db.manager.createQueryBuilder(WebhookDelivery, 'd').where('d.environment = :env', { env: this.environment });
    if (q.status) qb.andWhere('d.status = :status', { status: q.status });
    if (q.endpointId) qb.andWhere('d.endpointId = :endpointId', { endpointId: q.endpointId });
    if (q.eventType) qb.andWhere('d.eventType = :eventType', { eventType: q.eventType });
    if (q.companyId !== undefined) {
      // a company sees deliveries to its own endpoints only (not to the deployment's or another's)
      qb.andWhere('EXISTS (SELECT 1 FROM webhook_endpoints e WHERE e.id = d.endpointId AND e.companyId = :companyId)', { companyId: q.companyId });
    }
    const rows = await qb.orderBy('d.createdAt', 'DESC').addOrderBy('d.id', 'DESC').take(q.limit).getMany();
    return rows.map(deliveryView);
  }

  /** For /metrics: deliveries by status, and the age of the oldest pending one. */
  async backlog(): Promise<{ byStatus: StatusCount[]; oldestPendingSeconds: number }> {
    const byStatus = await countByStatus(this.db, WebhookDelivery, this.environment);
    const oldest = byStatus.find((r) => r.status === 'pending')?.oldestCreatedAt;
    return {
      byStatus,
      oldestPendingSeconds: oldest ? Math.max(0, Math.round((this.clock.now().getTime() - oldest.getTime()) / 1000)) : 0,
    };
  }
}
