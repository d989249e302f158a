import { failureReason, type AuditLog } from '../audit/auditLog';
import type { Database } from '../db/database';
import type { WebhookDispatcher } from './dispatcher';
import { endpointView, type EndpointView, type WebhookEndpoints } from './endpoints';
import type { EventType } from './events';
import { deliveryView, type DeliveryView, type Outbox } from './outbox';
import type { DeliveryStatus } from './webhookDelivery.entity';

/** Whose endpoints a caller may see and change: every company's, or one company's only. */
export type WebhookScope = { allCompanies: true } | { allCompanies: false; companyId: string };

const ownCompany = (scope: WebhookScope) => (scope.allCompanies ? undefined : scope.companyId);

/** What the admin API and the CLI do with webhooks: endpoints, deliveries, redelivery, a test ping. */
export class WebhookAdmin {
  constructor(
    private readonly db: Database,
    private readonly endpoints: WebhookEndpoints,
    private readonly outbox: Outbox,
    private readonly dispatcher: WebhookDispatcher,
    private readonly audit: AuditLog,
  ) {}

  /** A company-scoped caller can only add endpoints for its own company. Every change is audited (never the secret). */
  async create(scope: WebhookScope, input: { url: string; companyId?: string | null; eventTypes?: EventType[] | null }): Promise<{ endpoint: EndpointView; secret: string }> {
    const companyId = scope.allCompanies ? (input.companyId ?? null) : scope.companyId;
    const details = { url: input.url, eventTypes: input.eventTypes ?? null };
    try {
      const created = await this.endpoints.create({ url: input.url, companyId, eventTypes: input.eventTypes ?? null });
      await this.audit.recordWebhookEndpointChange({ change: 'create', companyId, endpointId: created.endpoint.id, details });
      return created;
    } catch (err) {
      await this.audit.recordWebhookEndpointChange({ change: 'create', companyId, endpointId: null, outcome: 'failed', reason: failureReason(err), details });
      throw err;
    }
  }

  list(scope: WebhookScope): Promise<EndpointView[]> {
    return this.endpoints.list(ownCompany(scope));
  }

  async setStatus(scope: WebhookScope, id: string, status: 'active' | 'disabled'): Promise<EndpointView> {
    const endpoint = await this.endpoints.setStatus(id, status, ownCompany(scope));
    await this.audit.recordWebhookEndpointChange({ change: 'update', companyId: endpoint.companyId, endpointId: id, details: { status } });
    return endpoint;
  }

  async rotateSecret(scope: WebhookScope, id: string): Promise<{ endpoint: EndpointView; secret: string }> {
    const rotated = await this.endpoints.rotateSecret(id, ownCompany(scope));
    await this.audit.recordWebhookEndpointChange({ change: 'rotate_secret', companyId: rotated.endpoint.companyId, endpointId: id });
    return rotated;
  }

  /** Records a `ping` for this endpoint only and sends it now; answers with the delivery as it then stands. */
  async ping(scope: WebhookScope, id: string): Promise<DeliveryView> {
    const endpoint = await this.endpoints.get(id, ownCompany(scope));
    const eventId = await this.db.transaction((em) =>
      this.outbox.record(em, { type: 'ping', companyId: endpoint.companyId, resourceId: `ping:${endpoint.id}`, data: { endpoint: endpointView(endpoint) } }, endpoint.id),
    );
    const [delivery] = await this.outbox.deliveriesOf(eventId);
    await this.dispatcher.attemptNow(delivery);
    return deliveryView(await this.outbox.delivery(delivery.id));
  }

  deliveries(scope: WebhookScope, q: { status?: DeliveryStatus; endpointId?: string; eventType?: string; limit: number }): Promise<DeliveryView[]> {
    return this.outbox.list({ ...q, companyId: ownCompany(scope) });
  }

  async redeliver(scope: WebhookScope, deliveryId: string): Promise<DeliveryView> {
    const delivery = await this.outbox.redeliver(deliveryId, ownCompany(scope));
    await this.audit.record({ action: 'webhook_delivery.redeliver', companyId: ownCompany(scope) ?? null, resourceId: deliveryId, outcome: 'succeeded' });
    return delivery;
  }
}
