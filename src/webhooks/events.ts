import type { EntityManager } from 'typeorm';

/** Every event a receiver can get; an endpoint may choose a subset. `ping` is sent only on request. */
export const EVENT_TYPES = [
  'transfer.submitted',
  'transfer.completed',
  'transfer.failed',
  'transfer.cancelled',
  'transfer.returned',
  'transfer.outcome_unknown',
  'bulk_transfer.submitted',
  'bulk_transfer.completed',
  'bulk_transfer.failed',
  'bulk_transfer.cancelled',
  'bulk_transfer.outcome_unknown',
  'bulk_transfer.item_failed',
  'bulk_transfer.item_returned',
  'connection.connected',
  'connection.reauthorization_required',
  'connection.disconnected',
  'connection.expiring',
] as const;
export type EventType = (typeof EVENT_TYPES)[number] | 'ping';

/** What a state change hands the outbox, inside its own transaction. */
export interface NewEvent {
  type: EventType;
  companyId: string | null;
  /** deliveries of one resource (a transfer, a company's connection) go out in order */
  resourceId: string;
  /** the resource as the API shows it (no token, no full account number) */
  data: unknown;
}

/** The JSON a receiver gets; `id` is also the `webhook-id` header, the key to dedupe on. */
export interface EventEnvelope {
  id: string;
  type: EventType;
  timestamp: string;
  companyId: string | null;
  data: unknown;
}

/** Where a state change records its event, in its own transaction (the outbox). */
export interface EventSink {
  record(em: EntityManager, event: NewEvent): Promise<string>;
  hasEvent(type: EventType, resourceId: string, since?: Date): Promise<boolean>;
}
