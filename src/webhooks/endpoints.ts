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
/** Every active endpoint of the environment: what an event's subscribers are chosen from (the same SQL on SQLite and MySQL). */
const ACTIVE_ENDPOINTS = "SELECT id, companyId, eventTypes FROM webhook_endpoints WHERE environment = ? AND status = 'active'";

interface ActiveEndpoint {
  id: string;
  /** null: the types it wants are every type */
  eventTypes: Set<string> | null;
}

/** The active endpoints by the company they serve (null: every company), and when they were read (clock ms). */
interface ActiveEndpoints {
  byCompany: Map<string | null, ActiveEndpoint[]>;
  readAt: number;
}

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
    /** WEBHOOK_ENDPOINT_CACHE_SECONDS in ms: how long an event's subscribers are chosen from one read (0: every event reads) */
    private readonly cacheMs: number,
  ) {}

  /** The active endpoints as last read; every change made here forgets them at once (another instance's, within cacheMs). */
  private active: ActiveEndpoints | undefined;
  /** counts the changes made here: a read that was under way during one is used once, never kept */
  private changes = 0;

  private changed(): void {
    this.changes += 1;
    this.active = undefined;
  }

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
    this.changed();
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
    this.changed();
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

  /**
   * The endpoints (ids) that want this event, for the transaction that records it. Chosen from the active
   * endpoints as read at most WEBHOOK_ENDPOINT_CACHE_SECONDS ago: every event is a statement fewer (issue 12),
   * and an endpoint created, disabled or enabled on another instance or by the CLI takes effect here within
   * that bound (at once when the change was made here).
   */
  async subscribers(em: EntityManager, type: EventType, companyId: string | null): Promise<string[]> {
    const { byCompany } = await this.activeEndpoints(em);
    const candidates = [...(byCompany.get(null) ?? []), ...(companyId !== null ? (byCompany.get(companyId) ?? []) : [])];
    const wanted = candidates.filter((e) => !e.eventTypes || e.eventTypes.has(type)).map((e) => e.id);
    return this.defaultEndpoint && type !== 'ping' ? [DEFAULT_ENDPOINT_ID, ...wanted] : wanted;
  }

  private async activeEndpoints(em: EntityManager): Promise<ActiveEndpoints> {
    const now = this.clock.now().getTime();
    if (this.active && now - this.active.readAt < this.cacheMs && now >= this.active.readAt) return this.active;
    const changesBefore = this.changes;
    const rows = (await em.query(ACTIVE_ENDPOINTS, [this.environment])) as Array<Pick<WebhookEndpoint, 'id' | 'companyId' | 'eventTypes'>>;
    const byCompany = new Map<string | null, ActiveEndpoint[]>();
    for (const r of rows) {
      const list = byCompany.get(r.companyId) ?? [];
      list.push({ id: r.id, eventTypes: r.eventTypes ? new Set(JSON.parse(r.eventTypes) as string[]) : null });
      byCompany.set(r.companyId, list);
    }
    const read = { byCompany, readAt: now };
    // a change made here while this read was under way may be missing from it: kept, it would outlive the change
    if (this.changes === changesBefore) this.active = read;
    return read;
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
