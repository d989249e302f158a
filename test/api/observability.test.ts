import { readFileSync, existsSync } from 'node:fs';
import request from 'supertest';
import { BankToken } from '../../src/tokens/bankToken.entity';
import { bearer, connectCompany } from '../support/connect';
import { DATABASES } from '../support/databases';
import { startHarness, type Harness } from '../support/harness';

const SELLER = { bankCode: '0005', branchCode: '001', accountType: 'ordinary', accountNumber: '1234567', name: 'ﾔﾏﾀﾞ ﾀﾛｳ' };

describe.each(DATABASES)('metrics and request logs carry route patterns only, on %s', (kind) => {
  let h: Harness;
  let key: string;
  beforeAll(async () => {
    h = await startHarness(kind);
    ({ key } = await connectCompany(h, 'TENANT-7'));
  });
  afterAll(async () => {
    await h?.close();
  });

  test('every status is counted under the route pattern: no company id, no account number in /metrics', async () => {
    await request(h.app).get('/v1/companies/TENANT-7/transfers').set(...bearer(key)).expect(200);
    await request(h.app).get('/v1/companies/TENANT-8/transfers').set(...bearer(key)).expect(404);
    await request(h.app).get('/v1/companies/TENANT-7/transfers').expect(401);
    await request(h.app).get('/v1/companies/TENANT-7/accounts/101011234567/balance').expect(401);
    await request(h.app).get('/v1/companies/TENANT-7/transfers?limit=0').set(...bearer(key)).expect(400);
    await request(h.app).get('/no/such/101011234567').expect(404);
    const text = (await request(h.app).get('/metrics').expect(200)).text;
    const route = '/v1/companies/:companyId/transfers';
    for (const status of ['2xx', '4xx']) {
      expect(text).toContain(`gbi_http_requests_total{method="GET",route="${route}",status="${status}"}`);
      expect(text).toContain(`gbi_http_request_duration_seconds_count{method="GET",route="${route}",status="${status}"}`);
    }
    expect(text).toContain('route="/v1/companies/:companyId/accounts/:accountId/balance",status="4xx"');
    expect(text).toContain('route="unmatched",status="4xx"');
    for (const leak of ['TENANT-7', 'TENANT-8', '101011234567', 'companies/T']) expect(text).not.toContain(leak);
  });

  test('a request refused before its route ran logs the pattern, never the path with an account id', async () => {
    await request(h.app).get('/v1/companies/TENANT-7/accounts/101019876543/balance').expect(401);
    await request(h.app).get('/v1/companies/TENANT-7/accounts/101019876543/nothing-here').set(...bearer(key)).expect(404);
    const lines = h.logs.filter((l) => l.includes('"message":"request"')).map((l) => JSON.parse(l));
    expect(lines.some((l) => l.route === '/v1/companies/:companyId/accounts/:accountId/balance' && l.status === 401)).toBe(true);
    expect(h.logs.join('\n')).not.toContain('101019876543');
  });

  test('ids and counts stay readable in the logs: the key that made a transfer, the purge counts', async () => {
    await request(h.app).post('/v1/companies/TENANT-7/transfers').set(...bearer(key)).set('idempotency-key', 'obs-1').send({ amount: 900, beneficiary: SELLER }).expect(201);
    const stored = h.logs.map((l) => JSON.parse(l)).find((l) => l.message === 'transfer stored; submitting');
    expect(stored.apiKeyId).toMatch(/^[0-9a-f-]{36}$/);
    await h.services.purger.run();
    const purged = h.logs.map((l) => JSON.parse(l)).find((l) => l.message === 'purge finished');
    expect(purged).toMatchObject({ deletedTokens: expect.any(Number), deletedConnectSessions: expect.any(Number) });
  });
});

describe('SQLite: a purged token leaves no ciphertext in the database file or its WAL (Sec-37)', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness('sqlite');
  });
  afterAll(async () => {
    await h?.close();
  });

  test('secure_delete is on, and the WAL is checkpointed after the purge', async () => {
    const [{ secure_delete: on }] = await h.services.db.dataSource.query('PRAGMA secure_delete');
    expect(on).toBe(1);
    await connectCompany(h, 'GONE');
    const rows = await h.services.db.manager.findBy(BankToken, { companyId: 'GONE' });
    const ciphertexts = rows.map((r) => r.ciphertext);
    expect(ciphertexts).toHaveLength(2);
    h.clock.advanceSeconds(91 * 86_400);
    expect((await h.services.purger.run()).tokens).toBeGreaterThanOrEqual(2);
    const file = h.database.url.slice('sqlite:'.length);
    const bytes = [file, `${file}-wal`].filter(existsSync).map((f) => readFileSync(f).toString('latin1'));
    for (const c of ciphertexts) for (const b of bytes) expect(b.includes(c)).toBe(false);
  });
});
