import request from 'supertest';
import { Transfer } from '../../src/transfers/transfer.entity';
import { bearer, connectCompany } from '../support/connect';
import { DATABASES } from '../support/databases';
import { startHarness, type Harness } from '../support/harness';

const SELLER = { bankCode: '0005', branchCode: '001', accountType: 'ordinary', accountNumber: '1234567', name: 'ﾔﾏﾀﾞ ﾀﾛｳ' };
const TABLES = ['api_keys', 'bank_app_registrations', 'connect_sessions', 'bank_connections', 'bank_tokens', 'job_leases', 'transfers', 'bulk_transfers', 'bulk_transfer_items', 'webhook_endpoints', 'webhook_events', 'webhook_deliveries', 'audit_events', 'service_instances'];

/** Company ids, idempotency keys and hashes are identities: they compare byte for byte on every database. */
describe.each(DATABASES)('identities compare exactly on %s', (kind) => {
  let h: Harness;
  let upperKey: string;
  beforeAll(async () => {
    h = await startHarness(kind);
    ({ key: upperKey } = await connectCompany(h, 'ACME1'));
  });
  afterAll(async () => {
    await h?.close();
  });

  const post = (key: string, idem: string, amount: number) =>
    request(h.app).post('/v1/companies/ACME1/transfers').set(...bearer(key)).set('idempotency-key', idem).send({ amount, beneficiary: SELLER });

  test("a key scoped to acme1 sees nothing of ACME1's connection or transfers, and cannot disconnect it", async () => {
    const made = await post(upperKey, 'acme-upper-1', 1500).expect(201);
    const lowerKey = await h.apiKey('acme1');
    const as = (method: 'get' | 'delete', path: string) => request(h.app)[method](`/v1/companies/acme1${path}`).set(...bearer(lowerKey));

    await as('get', '/connection').expect(404);
    expect((await as('get', '/transfers').expect(200)).body.items).toEqual([]);
    expect((await as('get', '/transfers?idempotencyKey=acme-upper-1').expect(200)).body.items).toEqual([]);
    await as('get', `/transfers/${made.body.id}`).expect(404);
    await as('delete', '/connection').expect(404);

    const upper = await request(h.app).get('/v1/companies/ACME1/connection').set(...bearer(upperKey)).expect(200);
    expect(upper.body.status).toBe('connected');
  });

  test('Idempotency-Keys that differ only in case are two purchases: both stored, both paid, both readable', async () => {
    const before = h.sim.state.stats().transferRequests;
    const first = await post(upperKey, 'Buy-1-a', 2000).expect(201);
    const second = await post(upperKey, 'BUY-1-A', 2000).expect(201);
    expect(second.headers['idempotent-replayed']).toBeUndefined();
    expect(second.body.id).not.toBe(first.body.id);
    expect(h.sim.state.stats().transferRequests - before).toBe(2);
    for (const t of [first.body, second.body]) {
      const read = await request(h.app).get(`/v1/companies/ACME1/transfers/${t.id}`).set(...bearer(upperKey)).expect(200);
      expect(read.body.idempotencyKey).toBe(t.idempotencyKey);
    }
    const found = await request(h.app).get('/v1/companies/ACME1/transfers?idempotencyKey=BUY-1-A').set(...bearer(upperKey)).expect(200);
    expect(found.body.items.map((t: { id: string }) => t.id)).toEqual([second.body.id]);
    expect(await h.services.db.manager.countBy(Transfer, { companyId: 'ACME1', idempotencyKey: 'buy-1-a' })).toBe(0);
  });

  test('no string column of any table compares case-insensitively', async () => {
    const ds = h.services.db.dataSource;
    if (kind === 'mariadb') {
      const columns: Array<{ table: string; column: string; collation: string; charset: string }> = await ds.query(
        `SELECT TABLE_NAME AS \`table\`, COLUMN_NAME AS \`column\`, COLLATION_NAME AS collation, CHARACTER_SET_NAME AS charset
           FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME IN (?) AND COLLATION_NAME IS NOT NULL`,
        [TABLES],
      );
      expect(columns.length).toBeGreaterThan(40);
      const loose = columns.filter((c) => c.collation !== 'utf8mb4_bin' || c.charset !== 'utf8mb4');
      expect(loose).toEqual([]);
      const [{ same }] = await ds.query("SELECT COUNT(*) AS same FROM transfers WHERE idempotencyKey = 'buy-1-a'");
      expect(Number(same)).toBe(0);
    } else {
      const tables: Array<{ sql: string }> = await ds.query("SELECT sql FROM sqlite_master WHERE type IN ('table', 'index') AND sql IS NOT NULL");
      expect(tables.length).toBeGreaterThan(TABLES.length);
      expect(tables.filter((t) => /NOCASE/i.test(t.sql))).toEqual([]);
    }
  });
});

describe('a MariaDB database created CHARACTER SET latin1', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness('mariadb', { databaseCharset: 'latin1' });
  });
  afterAll(async () => {
    await h?.close();
  });

  test('the consent callback stores the Japanese account names and the store owner sees the success page', async () => {
    const { page, key } = await connectCompany(h, 'LATIN');
    expect(page.status).toBe(200);
    expect(page.body).toContain('銀行口座の連携が完了しました');
    const conn = await request(h.app).get('/v1/companies/LATIN/connection').set(...bearer(key)).expect(200);
    expect(conn.body.accounts[0].accountName).toBe('あおぞらテスト商事株式会社');
    const [{ charset }] = await h.services.db.dataSource.query(
      "SELECT CHARACTER_SET_NAME AS charset FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = 'bank_connections' AND COLUMN_NAME = 'accounts'",
    );
    expect(charset).toBe('utf8mb4');
  });
});
