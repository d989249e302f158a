import { randomBytes, randomUUID } from 'node:crypto';
import type { EntityManager } from 'typeorm';
import type { Clock } from '../clock';
import { sealingAad, type Cipher, type Sealed } from '../crypto/cipher';
import { reencryptEach, type ReencryptResult } from '../crypto/reencrypt';
import type { Database } from '../db/database';
import { DomainError } from '../domain/errors';
import type { Logger } from '../log';
import type { EventType } from './events';
import { checkReceiverUrl, type ReceiverPolicy } from './receiverAddress';
import { WebhookEndpoint } from './webhookEndpoint.entity';

/** The id deliveries to WEBHOOK_URL carry: the deployment's default receiver, configured by environment. */
const DEFAULT_ENDPOINT_ID = 'default';
/** The endpoints that may want an event: the deployment's, and the company's (the same SQL on SQLite and MySQL). */
const SUBSCRIBERS_OF_ALL = "SELECT id, eventTypes FROM webhook_endpoints WHERE environment = ? AND status = 'active' AND companyId IS NULL";
const SUBSCRIBERS_OF_COMPANY = "SELECT id, eventTypes FROM webhook_endpoints WHERE environment = ? AND status = 'active' AND (companyId IS NULL OR companyId = ?)";

/** How long the secret before a rotation still signs (receivers verify either during the switch). */
const ROTATION_GRACE_MS = 24 * 3600 * 1000;

export class WebhookEndpointNotFoundError extends DomainError {
  constructor() {
    super('No such webhook endpoint.');
  }
}

/** Where and how one delivery is sent. */
interface DeliveryTarget {
  url: string;
  active: boolean;
  /** every secret that signs now (Standard Webhooks: several signatures during a rotation) */
  secrets: string[];
}

export interface EndpointView {
  id: string;
  url: string;
  companyId: string | null;
  eventTypes: string[] | null;
  status: 'active' | 'disabled';
  previousSecretUntil: string | null;
  createdAt: string;
  updatedAt: string;
}

export function endpointView(e: WebhookEndpoint): EndpointView {
  return {
    id: e.id,
    url: e.url,
    companyId: e.companyId,
    eventTypes: e.eventTypes ? (JSON.parse(e.eventTypes) as string[]) : null,
    status: e.status,
    previousSecretUntil: e.previousSecretUntil?.toISOString() ?? null,
    createdAt: e.createdAt.toISOString(),
    updatedAt: e.updatedAt.toISOString(),
  };
}

/** A Standard Webhooks secret: `whsec_` + base64 of 32 random bytes. */
function newSecret(): string {
  return `whsec_${randomBytes(32).toString('base64')}`;
}

/** The only writer of `webhook_endpoints`; secrets sealed at rest like tokens, shown once. */
export class WebhookEndpoints {
  constructor(
    private readonly db: Database,
    private readonly cipher: Cipher,
    private readonly clock: Clock,
    private readonly environment: string,
    private readonly policy: ReceiverPolicy,
    private readonly defaultEndpoint: { url: string; secret: string } | null,
    private readonly log: Logger,
  ) {}

  private aad(id: string): string {
    return sealingAad(this.environment, id, 'webhook_secret');
  }

  private seal(id: string, secret: string): string {
    return JSON.stringify(this.cipher.seal(secret, this.aad(id)));
  }

  private open(id: string, sealed: string): string {
    return this.cipher.open(JSON.parse(sealed) as Sealed, this.aad(id));
  }

  async create(input: { url: string; companyId: string | null; eventTypes: EventType[] | null }): Promise<{ endpoint: EndpointView; secret: string }> {
    checkReceiverUrl(input.url, this.policy);
    const now = this.clock.now();
    const id = randomUUID();
    const secret = newSecret();
    const row = Object.assign(new WebhookEndpoint(), {
      id,
      environment: this.environment,
      companyId: input.companyId,
      url: input.url,
      eventTypes: input.eventTypes ? JSON.stringify(input.eventTypes) : null,
      status: 'active' as const,
      secret: this.seal(id, secret),
      previousSecret: null,
      previousSecretUntil: null,
      createdAt: now,
      updatedAt: now,
    });
    await this.db.transaction((em) => em.insert(WebhookEndpoint, row));
    return { endpoint: endpointView(row), secret };
  }

  /** `companyId` given: that company's endpoints only (a company-scoped key sees no others). */
  async list(companyId?: string): Promise<EndpointView[]> {
    const rows = await this.db.manager.find(WebhookEndpoint, {
      where: { environment: this.environment, ...(companyId !== undefined ? { companyId } : {}) },
      order: { createdAt: 'ASC' },
    });
    return rows.map(endpointView);
  }

  async get(id: string, companyId?: string): Promise<WebhookEndpoint> {
    const row = await this.db.manager.findOneBy(WebhookEndpoint, { environment: this.environment, id });
    if (!row || (companyId !== undefined && row.companyId !== companyId)) throw new WebhookEndpointNotFoundError();
    return row;
  }

  async setStatus(id: string, status: 'active' | 'disabled', companyId?: string): Promise<EndpointView> {
    const row = await this.get(id, companyId);
    const updatedAt = this.clock.now();
    await this.db.transaction((em) => em.update(WebhookEndpoint, { id: row.id }, { status, updatedAt }));
    return endpointView(Object.assign(row, { status, updatedAt }));
  }

  /** A new secret, shown once; the old one keeps signing for a day so receivers can switch without a gap. */
  async rotateSecret(id: string, companyId?: string): Promise<{ endpoint: EndpointView; secret: string }> {
    const row = await this.get(id, companyId);
    const now = this.clock.now();
    const secret = newSecret();
    const changes = { secret: this.seal(row.id, secret), previousSecret: row.secret, previousSecretUntil: new Date(now.getTime() + ROTATION_GRACE_MS), updatedAt: now };
    await this.db.transaction((em) => em.update(WebhookEndpoint, { id: row.id }, changes));
    return { endpoint: endpointView(Object.assign(row, changes)), secret };
  }

  /** The endpoints (ids) that want this event, read in the transaction that records it. */
  async subscribers(em: EntityManager, type: EventType, companyId: string | null): Promise<string[]> {
    // in every event's transaction: plain SQL, not the query builder (see db/rowSql.ts)
    const rows = (await em.query(companyId ? SUBSCRIBERS_OF_COMPANY : SUBSCRIBERS_OF_ALL, companyId ? [this.environment, companyId] : [this.environment])) as Array<
      Pick<WebhookEndpoint, 'id' | 'eventTypes'>
    >;
    const wanted = rows.filter((r) => !r.eventTypes || (JSON.parse(r.eventTypes) as string[]).includes(type)).map((r) => r.id);
    return this.defaultEndpoint && type !== 'ping' ? [DEFAULT_ENDPOINT_ID, ...wanted] : wanted;
  }

  async target(endpointId: string): Promise<DeliveryTarget | undefined> {
    if (endpointId === DEFAULT_ENDPOINT_ID) {
      return this.defaultEndpoint ? { url: this.defaultEndpoint.url, active: true, secrets: [this.defaultEndpoint.secret] } : undefined;
    }
    const row = await this.db.manager.findOneBy(WebhookEndpoint, { environment: this.environment, id: endpointId });
    if (!row) return undefined;
    const secrets = [this.open(row.id, row.secret)];
    if (row.previousSecret && row.previousSecretUntil && row.previousSecretUntil.getTime() > this.clock.now().getTime()) {
      secrets.push(this.open(row.id, row.previousSecret));
    }
    return { url: row.url, active: row.status === 'active', secrets };
  }

  /** Re-seals every endpoint secret under the active key (key rotation); failures counted per row. */
  async reencryptAll(): Promise<ReencryptResult> {
    const rows = await this.db.manager.find(WebhookEndpoint, { where: { environment: this.environment } });
    return reencryptEach(
      rows,
      async (row) => {
        const changes = {
          secret: this.seal(row.id, this.open(row.id, row.secret)),
          previousSecret: row.previousSecret ? this.seal(row.id, this.open(row.id, row.previousSecret)) : null,
        };
        await this.db.transaction((em) => em.update(WebhookEndpoint, { id: row.id }, changes));
      },
      (row, err) => this.log.error('webhook secret could not be re-encrypted', { endpointId: row.id, err }),
    );
  }
}
