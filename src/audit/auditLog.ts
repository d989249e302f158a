import { LessThan, MoreThanOrEqual, And, type FindOptionsWhere } from 'typeorm';
import type { Clock } from '../clock';
import type { Database } from '../db/database';
import { insertRows } from '../db/rowSql';
import { redact, type Logger } from '../log';
import { AuditEvent } from './auditEvent.entity';
import { currentAuditContext, SCHEDULER, type Actor } from './context';

/** Every kind of event; `<resource>.<verb>`. */
export const AUDIT_ACTIONS = [
  'transfer.create',
  'transfer.cancel',
  'bulk_transfer.create',
  'bulk_transfer.cancel',
  'connect_session.create',
  /** the bank redirected the store owner back: `succeeded` (connected) or `failed` with the failure (`state_expired`, `access_denied`…) */
  'connection.callback',
  'connection.disconnect',
  'api_key.create',
  'api_key.revoke',
  'api_key.rotate',
  'registration.set',
  'registration.remove',
  'keys.reencrypt',
  'purge.run',
  'webhook_endpoint.create',
  'webhook_endpoint.update',
  'webhook_endpoint.disable',
  'webhook_endpoint.enable',
  'webhook_endpoint.delete',
  'webhook_endpoint.rotate_secret',
  'webhook_delivery.redeliver',
] as const;
export type AuditAction = (typeof AUDIT_ACTIONS)[number];

type AuditOutcome = 'succeeded' | 'failed';

interface AuditEntry {
  action: AuditAction;
  companyId?: string | null;
  resourceId?: string | null;
  outcome: AuditOutcome;
  /** a short code, never a message from outside (a bank's text may carry anything) */
  reason?: string | null;
  /** counts, names, ids: run through the log redaction, so a secret-named field never lands here */
  details?: Record<string, unknown>;
}

/** What a webhook endpoint change is, for `recordWebhookEndpointChange`. */
interface WebhookEndpointChange {
  change: 'create' | 'update' | 'disable' | 'enable' | 'delete' | 'rotate_secret';
  /** null: a deployment-wide endpoint */
  companyId: string | null;
  endpointId: string | null;
  outcome?: AuditOutcome;
  reason?: string | null;
  /** e.g. `{ url, events }`; never the signing secret (a field named `secret` is redacted anyway) */
  details?: Record<string, unknown>;
}

interface AuditQuery {
  companyId?: string;
  action?: string;
  /** occurredAt ≥ from */
  from?: Date;
  /** occurredAt < to */
  to?: Date;
  limit: number;
  /** the cursor: only events older (written earlier) than this id */
  beforeId?: number;
}

/** A short, safe reason for a thrown error: its class (and a bank error's kind), never its message. */
export function failureReason(err: unknown): string {
  if (!(err instanceof Error)) return 'error';
  const kind = (err as { kind?: unknown }).kind;
  return typeof kind === 'string' ? `${err.name}:${kind}` : err.name;
}

const clip = (value: string | null | undefined, max: number): string | null => (value == null ? null : value.length > max ? value.slice(0, max) : value);

/**
 * The audit trail: the one writer of audit_events, append-only (the service never updates or deletes an
 * event). Who and where come from the audit context (src/audit/context.ts): the API key and client of the
 * request, the CLI's operator, or the scheduler. Writing an event never fails the call it records: a
 * write that fails is logged at error level.
 */
export class AuditLog {
  constructor(
    private readonly db: Database,
    private readonly clock: Clock,
    private readonly environment: string,
    private readonly log: Logger,
  ) {}

  async record(entry: AuditEntry): Promise<void> {
    const ctx = currentAuditContext();
    const actor: Actor = ctx.actor ?? SCHEDULER;
    const row = Object.assign(new AuditEvent(), {
      environment: this.environment,
      occurredAt: this.clock.now(),
      actorType: actor.type,
      actorId: clip(actor.type === 'browser' ? null : actor.id, 100),
      actorName: clip(actor.type === 'api_key' ? actor.name : null, 100),
      action: entry.action,
      companyId: entry.companyId ?? null,
      resourceId: clip(entry.resourceId, 128),
      outcome: entry.outcome,
      reason: clip(entry.reason, 255),
      clientIp: clip(ctx.clientIp, 64),
      requestId: clip(ctx.requestId, 64),
      details: entry.details ? JSON.stringify(redact(entry.details)) : null,
    });
    try {
      await this.db.single((em) => insertRows(em, AuditEvent, [row]));
    } catch (err) {
      this.log.error('audit event could not be written', { action: entry.action, companyId: row.companyId, resourceId: row.resourceId, outcome: entry.outcome, err });
    }
  }

  /**
   * Runs `work` and records one event for it: `succeeded` with what `onSuccess` adds (return null to
   * record nothing, e.g. an idempotent replay that changed nothing), or `failed` with the error's class.
   */
  async track<T>(
    action: AuditAction,
    companyId: string | null,
    work: () => Promise<T>,
    onSuccess: (result: T) => Omit<AuditEntry, 'action'> | null = () => ({ companyId, outcome: 'succeeded' }),
    resourceId: string | null = null,
  ): Promise<T> {
    let result: T;
    try {
      result = await work();
    } catch (err) {
      await this.record({ action, companyId, resourceId, outcome: 'failed', reason: failureReason(err) });
      throw err;
    }
    const entry = onSuccess(result);
    if (entry) await this.record({ companyId, resourceId, ...entry, action });
    return result;
  }

  /**
   * For the webhooks feature: one event per change of a webhook endpoint (create, update, disable, enable,
   * delete, secret rotation), with the actor of the current request or CLI command. Never pass the signing
   * secret. (A redelivery: `record({ action: 'webhook_delivery.redeliver', companyId, resourceId, outcome })`.)
   */
  recordWebhookEndpointChange(change: WebhookEndpointChange): Promise<void> {
    return this.record({
      action: `webhook_endpoint.${change.change}`,
      companyId: change.companyId,
      resourceId: change.endpointId,
      outcome: change.outcome ?? 'succeeded',
      reason: change.reason ?? null,
      details: change.details,
    });
  }

  /** Newest first (by id: the order they were written in), at most `limit`, and the cursor of the next page. */
  async list(q: AuditQuery): Promise<{ items: AuditEvent[]; nextCursor: number | null }> {
    const where: FindOptionsWhere<AuditEvent> = { environment: this.environment };
    if (q.companyId !== undefined) where.companyId = q.companyId;
    if (q.action !== undefined) where.action = q.action;
    if (q.beforeId !== undefined) where.id = LessThan(q.beforeId);
    if (q.from && q.to) where.occurredAt = And(MoreThanOrEqual(q.from), LessThan(q.to));
    else if (q.from) where.occurredAt = MoreThanOrEqual(q.from);
    else if (q.to) where.occurredAt = LessThan(q.to);
    const rows = await this.db.manager.find(AuditEvent, { where, order: { id: 'DESC' }, take: q.limit + 1 });
    const items = rows.slice(0, q.limit);
    return { items, nextCursor: rows.length > q.limit ? items[items.length - 1].id : null };
  }
}

/** How the API and the CLI show an event. */
interface AuditEventView {
  id: number;
  occurredAt: string;
  actor: { type: Actor['type']; id: string | null; name: string | null };
  action: string;
  companyId: string | null;
  resourceId: string | null;
  outcome: AuditOutcome;
  reason: string | null;
  clientIp: string | null;
  requestId: string | null;
  details: Record<string, unknown> | null;
}

export function auditEventView(e: AuditEvent): AuditEventView {
  return {
    id: e.id,
    occurredAt: e.occurredAt.toISOString(),
    actor: { type: e.actorType as Actor['type'], id: e.actorId, name: e.actorName },
    action: e.action,
    companyId: e.companyId,
    resourceId: e.resourceId,
    outcome: e.outcome as AuditOutcome,
    reason: e.reason,
    clientIp: e.clientIp,
    requestId: e.requestId,
    details: e.details ? (JSON.parse(e.details) as Record<string, unknown>) : null,
  };
}
