import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { IsNull } from 'typeorm';
import type { Clock } from '../clock';
import type { Database } from '../db/database';
import { ApiKey } from './apiKey.entity';

export const API_KEY_PREFIX = 'gbi_';

export function hashApiKey(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex');
}

export interface ApiPrincipal {
  keyId: string;
  name: string;
  /** null: every company */
  companyId: string | null;
}

export class ApiKeyService {
  constructor(
    private readonly db: Database,
    private readonly clock: Clock,
  ) {}

  /** Returns the plaintext key once; only its hash is stored. */
  async create(name: string, companyId: string | null): Promise<{ id: string; key: string }> {
    const key = `${API_KEY_PREFIX}${randomBytes(32).toString('base64url')}`;
    const row = Object.assign(new ApiKey(), {
      id: randomUUID(),
      name,
      keyHash: hashApiKey(key),
      companyId,
      createdAt: this.clock.now(),
      revokedAt: null,
    });
    await this.db.transaction((em) => em.save(row));
    return { id: row.id, key };
  }

  async authenticate(key: string): Promise<ApiPrincipal | undefined> {
    const row = await this.db.manager.findOneBy(ApiKey, { keyHash: hashApiKey(key), revokedAt: IsNull() });
    return row ? { keyId: row.id, name: row.name, companyId: row.companyId } : undefined;
  }

  async revoke(id: string): Promise<boolean> {
    const result = await this.db.transaction((em) =>
      em.update(ApiKey, { id, revokedAt: IsNull() }, { revokedAt: this.clock.now() }),
    );
    return (result.affected ?? 0) > 0;
  }

  list(): Promise<ApiKey[]> {
    return this.db.manager.find(ApiKey, { order: { createdAt: 'ASC' } });
  }
}
