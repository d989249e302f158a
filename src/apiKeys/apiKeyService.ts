import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { IsNull } from 'typeorm';
import type { AuditLog } from '../audit/auditLog';
import type { Clock } from '../clock';
import type { Database } from '../db/database';
import { ApiKey } from './apiKey.entity';
import { DEFAULT_SCOPES, deserializeScopes, serializeScopes, type Scope } from './scopes';

const API_KEY_PREFIX = 'gbi_';

export function hashApiKey(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex');
}

export interface ApiPrincipal {
  keyId: string;
  name: string;
  /** null: every company */
  companyId: string | null;
  scopes: Scope[];
}

interface CreateKeyOptions {
  /** default: every scope but `admin` */
  scopes?: readonly Scope[];
  /** default: never expires */
  expiresAt?: Date | null;
}

interface CreatedKey {
  id: string;
  /** shown once; only its hash is stored */
  key: string;
  name: string;
  companyId: string | null;
  scopes: Scope[];
  expiresAt: Date | null;
}

type RotateResult =
  | { rotated: true; created: CreatedKey; oldKeyId: string; oldKeyExpiresAt: Date }
  | { rotated: false; reason: 'not_found' | 'revoked' | 'expired' | 'already_rotated' };

/** What `api-key list` shows of a key: never the key nor its hash. */
interface ApiKeyView {
  id: string;
  name: string;
  companyId: string | null;
  scopes: Scope[];
  status: 'active' | 'expired' | 'revoked';
  createdAt: string;
  expiresAt: string | null;
  revokedAt: string | null;
  replacedById: string | null;
}

/** Past this many cached lookups the cache starts again, so a flood of made-up keys cannot grow it. */
const CACHE_ENTRIES = 10_000;

/** The owner of api_keys: create, authenticate, revoke, rotate; each change leaves an audit event. */
export class ApiKeyService {
  /**
   * Key hash → its row (or null: no such key) as read at `readAt`. Every request presents a key, and a
   * database read per request cost more than the request's own work; a row is reused for `cacheMs`, so a key
   * revoked or rotated by another instance or by the CLI stops working within that bound, and one revoked
   * or rotated here stops at once (the cache is dropped). Expiry is checked on every request, cached or not.
   */
  private readonly cache = new Map<string, { row: ApiKey | null; readAt: number }>();

  constructor(
    private readonly db: Database,
    private readonly clock: Clock,
    private readonly audit: AuditLog,
    private readonly cacheMs: number,
  ) {}

  private newRow(name: string, companyId: string | null, scopes: readonly Scope[], expiresAt: Date | null): { row: ApiKey; key: string } {
    const key = `${API_KEY_PREFIX}${randomBytes(32).toString('base64url')}`;
    const row = Object.assign(new ApiKey(), {
      id: randomUUID(),
      name,
      keyHash: hashApiKey(key),
      companyId,
      scopes: serializeScopes(scopes),
      createdAt: this.clock.now(),
      expiresAt,
      revokedAt: null,
      replacedById: null,
    });
    return { row, key };
  }

  private created(row: ApiKey, key: string): CreatedKey {
    return { id: row.id, key, name: row.name, companyId: row.companyId, scopes: deserializeScopes(row.scopes), expiresAt: row.expiresAt };
  }

  /** Returns the plaintext key once; only its hash is stored. */
  async create(name: string, companyId: string | null, options: CreateKeyOptions = {}): Promise<CreatedKey> {
    const { row, key } = this.newRow(name, companyId, options.scopes ?? DEFAULT_SCOPES, options.expiresAt ?? null);
    await this.db.transaction((em) => em.insert(ApiKey, row));
    await this.audit.record({
      action: 'api_key.create',
      companyId,
      resourceId: row.id,
      outcome: 'succeeded',
      details: { name, scopes: row.scopes, expiresAt: row.expiresAt?.toISOString() ?? null },
    });
    return this.created(row, key);
  }

  /** The key's principal, or undefined when it is unknown, revoked or expired (all three are the same 401). */
  async authenticate(key: string): Promise<ApiPrincipal | undefined> {
    const row = await this.activeRow(hashApiKey(key));
    if (!row || this.status(row) !== 'active') return undefined;
    return { keyId: row.id, name: row.name, companyId: row.companyId, scopes: deserializeScopes(row.scopes) };
  }

  private async activeRow(keyHash: string): Promise<ApiKey | null> {
    const now = this.clock.now().getTime();
    const cached = this.cache.get(keyHash);
    if (cached && now - cached.readAt < this.cacheMs && now >= cached.readAt) return cached.row;
    const row = await this.db.manager.findOneBy(ApiKey, { keyHash, revokedAt: IsNull() });
    if (this.cacheMs > 0) {
      if (this.cache.size >= CACHE_ENTRIES) this.cache.clear();
      this.cache.set(keyHash, { row, readAt: now });
    }
    return row;
  }

  private status(row: ApiKey): ApiKeyView['status'] {
    if (row.revokedAt) return 'revoked';
    if (row.expiresAt && row.expiresAt.getTime() <= this.clock.now().getTime()) return 'expired';
    return 'active';
  }

  async revoke(id: string): Promise<boolean> {
    const row = await this.db.manager.findOneBy(ApiKey, { id });
    const result = await this.db.transaction((em) => em.update(ApiKey, { id, revokedAt: IsNull() }, { revokedAt: this.clock.now() }));
    this.cache.clear();
    const done = (result.affected ?? 0) > 0;
    await this.audit.record({
      action: 'api_key.revoke',
      companyId: row?.companyId ?? null,
      resourceId: row ? id : null,
      outcome: done ? 'succeeded' : 'failed',
      reason: done ? null : row ? 'already_revoked' : 'not_found',
    });
    return done;
  }

  /**
   * A new key with the same name, company and scopes; the old one keeps working for `graceSeconds`
   * (never longer than it would have anyway), so callers can switch without an outage. The new key
   * lives as long as the old one was meant to (from now), unless `expiresAt` says otherwise.
   */
  async rotate(id: string, options: { graceSeconds: number; expiresAt?: Date | null }): Promise<RotateResult> {
    const result = await this.rotateOnce(id, options);
    this.cache.clear();
    const old = result.rotated ? undefined : await this.db.manager.findOneBy(ApiKey, { id });
    await this.audit.record(
      result.rotated
        ? {
            action: 'api_key.rotate',
            companyId: result.created.companyId,
            resourceId: id,
            outcome: 'succeeded',
            details: { newKeyId: result.created.id, oldKeyExpiresAt: result.oldKeyExpiresAt.toISOString(), newKeyExpiresAt: result.created.expiresAt?.toISOString() ?? null },
          }
        : { action: 'api_key.rotate', companyId: old?.companyId ?? null, resourceId: old ? id : null, outcome: 'failed', reason: result.reason },
    );
    return result;
  }

  private async rotateOnce(id: string, options: { graceSeconds: number; expiresAt?: Date | null }): Promise<RotateResult> {
    const now = this.clock.now();
    return this.db.transaction(async (em): Promise<RotateResult> => {
      const old = await em.findOneBy(ApiKey, { id });
      if (!old) return { rotated: false, reason: 'not_found' };
      const status = this.status(old);
      if (status !== 'active') return { rotated: false, reason: status };
      if (old.replacedById) return { rotated: false, reason: 'already_rotated' };

      const lifetimeMs = old.expiresAt ? old.expiresAt.getTime() - old.createdAt.getTime() : null;
      const expiresAt = options.expiresAt !== undefined ? options.expiresAt : lifetimeMs !== null ? new Date(now.getTime() + lifetimeMs) : null;
      const { row, key } = this.newRow(old.name, old.companyId, deserializeScopes(old.scopes), expiresAt);
      const graceEnd = new Date(now.getTime() + options.graceSeconds * 1000);
      const oldKeyExpiresAt = old.expiresAt && old.expiresAt.getTime() < graceEnd.getTime() ? old.expiresAt : graceEnd;
      // only an active key that nobody rotated meanwhile
      const claimed = await em.update(ApiKey, { id, revokedAt: IsNull(), replacedById: IsNull() }, { replacedById: row.id, expiresAt: oldKeyExpiresAt });
      if ((claimed.affected ?? 0) !== 1) return { rotated: false, reason: 'already_rotated' };
      await em.insert(ApiKey, row);
      return { rotated: true, created: this.created(row, key), oldKeyId: id, oldKeyExpiresAt };
    });
  }

  async list(): Promise<ApiKeyView[]> {
    const rows = await this.db.manager.find(ApiKey, { order: { createdAt: 'ASC', id: 'ASC' } });
    return rows.map((row) => ({
      id: row.id,
      name: row.name,
      companyId: row.companyId,
      scopes: deserializeScopes(row.scopes),
      status: this.status(row),
      createdAt: row.createdAt.toISOString(),
      expiresAt: row.expiresAt?.toISOString() ?? null,
      revokedAt: row.revokedAt?.toISOString() ?? null,
      replacedById: row.replacedById,
    }));
  }
}
