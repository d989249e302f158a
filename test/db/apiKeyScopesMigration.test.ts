import { migrations } from '../../migrations';
import { AuditEvents1732820000000 } from '../../migrations/1732820000000-AuditEvents';
import { hashApiKey } from '../../src/apiKeys/apiKeyService';
import { DEFAULT_SCOPES, SCOPES } from '../../src/apiKeys/scopes';
import { createDataSource } from '../../src/db/dataSource';
import { openDatabase } from '../../src/schema';
import { buildServices } from '../../src/services';
import { loadConfig } from '../../src/config';
import { createLogger } from '../../src/log';
import { ManualClock } from '../support/clock';
import { createEmptyDatabase, DATABASES } from '../support/databases';
import { TEST_KEYS } from '../support/harness';

/**
 * Keys made before scopes existed keep what they could do: a company's key every scope but admin, a key
 * of every company (the operator's) every scope including admin. Expiry and rotation start empty.
 */
describe.each(DATABASES)('the scopes migration on %s', (kind) => {
  test('existing keys get the scopes they implicitly had and keep working', async () => {
    const empty = await createEmptyDatabase(kind);
    try {
      const before = createDataSource(empty.url, { entities: [], migrations: migrations.filter((m) => m !== AuditEvents1732820000000) });
      await before.initialize();
      await before.runMigrations({ transaction: 'each' });
      const insert = 'INSERT INTO api_keys (id, name, keyHash, companyId, createdAt, revokedAt) VALUES (?, ?, ?, ?, ?, NULL)';
      await before.query(insert, ['k-company', 'pos', hashApiKey('gbi_companyKeyBeforeScopes0001'), 'C1', '2026-11-01 00:00:00.000']);
      await before.query(insert, ['k-all', 'ops', hashApiKey('gbi_allCompaniesKeyBeforeScopes1'), null, '2026-11-01 00:00:00.000']);
      await before.destroy();

      const db = await openDatabase(empty.url, { migrate: true });
      try {
        const rows: Array<{ id: string; scopes: string; expiresAt: unknown; replacedById: unknown }> = await db.dataSource.query(
          'SELECT id, scopes, expiresAt, replacedById FROM api_keys ORDER BY id',
        );
        expect(rows).toEqual([
          { id: 'k-all', scopes: SCOPES.join(' '), expiresAt: null, replacedById: null },
          { id: 'k-company', scopes: DEFAULT_SCOPES.join(' '), expiresAt: null, replacedById: null },
        ]);
        const config = loadConfig({ BANK_ENV: 'simulator', DATABASE_URL: empty.url, TOKEN_ENCRYPTION_KEYS: TEST_KEYS });
        const services = buildServices(config, db, new ManualClock(), createLogger({ level: 'error' }));
        expect(await services.apiKeys.authenticate('gbi_companyKeyBeforeScopes0001')).toEqual({ keyId: 'k-company', name: 'pos', companyId: 'C1', scopes: [...DEFAULT_SCOPES] });
        expect(await services.apiKeys.authenticate('gbi_allCompaniesKeyBeforeScopes1')).toEqual({ keyId: 'k-all', name: 'ops', companyId: null, scopes: [...SCOPES] });
        expect(await db.dataSource.query('SELECT COUNT(*) AS n FROM audit_events')).toEqual([{ n: expect.anything() }]);
      } finally {
        await db.dataSource.destroy();
      }
    } finally {
      await empty.drop();
    }
  });
});
