import request from 'supertest';
import { ConnectSession } from '../../src/connections/connectSession.entity';
import { bearer } from '../support/connect';
import { DATABASES } from '../support/databases';
import { startHarness, type Harness } from '../support/harness';

describe.each(DATABASES)('API keys, errors and probes on %s', (kind) => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness(kind);
  });
  afterAll(async () => {
    await h?.close();
  });

  const sessions = () => h.services.db.manager.count(ConnectSession);

  test('keys are stored as SHA-256 hashes only', async () => {
    const { key } = await h.services.apiKeys.create('recore', null);
    const rows = await h.services.db.dataSource.query('SELECT * FROM api_keys');
    expect(JSON.stringify(rows)).not.toContain(key);
  });

  test.each([
    ['no Authorization header', undefined, 'A valid API key is required'],
    ['a malformed header', 'Basic abc', 'A valid API key is required'],
    ['an unknown key', 'Bearer gbi_thisKeyDoesNotExistAnywhere', 'unknown or revoked'],
  ])('%s → 401 problem+json, nothing created', async (_what, header, message) => {
    const before = await sessions();
    const req = request(h.app).post('/v1/companies/C1/connect-sessions').send({});
    const res = await (header ? req.set('authorization', header) : req);
    expect(res.status).toBe(401);
    expect(res.headers['content-type']).toContain('application/problem+json');
    expect(res.body).toMatchObject({ status: 401, title: 'Unauthorized' });
    expect(res.body.detail).toContain(message);
    expect(await sessions()).toBe(before);
  });

  test('a revoked key is refused', async () => {
    const { id, key } = await h.services.apiKeys.create('old', null);
    expect(await h.services.apiKeys.revoke(id)).toBe(true);
    const res = await request(h.app).get('/v1/companies/C1/connection').set(...bearer(key));
    expect(res.status).toBe(401);
    expect(res.body.detail).toContain('revoked');
  });

  test('a key revoked on another instance or by the CLI stops working within API_KEY_CACHE_SECONDS (5 s); one revoked here at once', async () => {
    const elsewhere = await h.services.apiKeys.create('revoked-elsewhere', null);
    const here = await h.services.apiKeys.create('revoked-here', null);
    // authenticated: the company has no connection (404); refused: 401
    const probe = (key: string) => request(h.app).get('/v1/companies/C1/connection').set(...bearer(key));
    await probe(elsewhere.key).expect(404);
    await probe(here.key).expect(404);

    expect(await h.anotherInstance().apiKeys.revoke(elsewhere.id)).toBe(true);
    // this instance read the key under a second ago: it may still take it, for at most the bound
    h.clock.advanceSeconds(4);
    await probe(elsewhere.key).expect(404);
    h.clock.advanceSeconds(1);
    expect((await probe(elsewhere.key).expect(401)).body.detail).toContain('revoked');

    expect(await h.services.apiKeys.revoke(here.id)).toBe(true);
    await probe(here.key).expect(401);
  });

  test('an expired key is refused at its expiry, even when its lookup is cached', async () => {
    const { key } = await h.services.apiKeys.create('short', null, { expiresAt: new Date(h.clock.now().getTime() + 2_000) });
    const probe = () => request(h.app).get('/v1/companies/C1/connection').set(...bearer(key));
    await probe().expect(404);
    h.clock.advanceSeconds(2);
    await probe().expect(401);
  });

  test("a key scoped to company A gets 404 for company B's resources and creates nothing", async () => {
    const key = await h.apiKey('A');
    const before = await sessions();
    for (const [method, path] of [
      ['post', '/v1/companies/B/connect-sessions'],
      ['get', '/v1/companies/B/connection'],
      ['delete', '/v1/companies/B/connection'],
      ['get', '/v1/companies/B/accounts'],
      ['get', '/v1/companies/B/transfers'],
    ] as const) {
      const res = await request(h.app)[method](path).set(...bearer(key));
      expect({ path, status: res.status, detail: res.body.detail }).toEqual({ path, status: 404, detail: 'No such company.' });
    }
    expect(await sessions()).toBe(before);
  });

  test('malformed JSON → 400, wrong content type → 415, unknown field → 400; nothing created', async () => {
    const key = await h.apiKey('C1');
    const before = await sessions();
    const bad = await request(h.app).post('/v1/companies/C1/connect-sessions').set(...bearer(key)).set('content-type', 'application/json').send('{"returnUrl":');
    expect(bad.status).toBe(400);
    expect(bad.body).toMatchObject({ title: 'Malformed JSON', status: 400 });
    const form = await request(h.app).post('/v1/companies/C1/connect-sessions').set(...bearer(key)).type('form').send('returnUrl=x');
    expect(form.status).toBe(415);
    const extra = await request(h.app).post('/v1/companies/C1/connect-sessions').set(...bearer(key)).send({ returnUrl: 'https://recore.example/x', admin: true });
    expect(extra.status).toBe(400);
    expect(extra.body.errors[0].field).toBe('(body)');
    expect(await sessions()).toBe(before);
  });

  test('an invalid company id → 400 naming the field', async () => {
    const key = await h.apiKey(null);
    const res = await request(h.app).get('/v1/companies/bad%20id!/connection').set(...bearer(key));
    expect(res.status).toBe(400);
    expect(res.body.errors).toEqual([{ field: 'companyId', reason: 'must be 1-64 characters of A-Z a-z 0-9 _ -' }]);
  });

  test('unknown company: no connection yet → 404', async () => {
    const key = await h.apiKey(null);
    const res = await request(h.app).get('/v1/companies/NEVER/connection').set(...bearer(key));
    expect(res.status).toBe(404);
    expect(res.body.detail).toContain('no bank connection');
  });

  test('health and readiness need no key; helmet headers and a request id on every response', async () => {
    const health = await request(h.app).get('/healthz').expect(200);
    expect(health.body).toEqual({ status: 'ok' });
    expect(health.headers['x-content-type-options']).toBe('nosniff');
    expect(health.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    expect((await request(h.app).get('/readyz').expect(200)).body).toEqual({ status: 'ready', database: 'ok' });
    const echoed = await request(h.app).get('/healthz').set('x-request-id', 'pos-req-000123');
    expect(echoed.headers['x-request-id']).toBe('pos-req-000123');
    const logged = h.logs.map((l) => JSON.parse(l)).find((l) => l.requestId === 'pos-req-000123');
    expect(logged).toMatchObject({ message: 'request', route: '/healthz', status: 200 });
  });

  test('unknown routes are a problem+json 404', async () => {
    const res = await request(h.app).get('/nope');
    expect(res.status).toBe(404);
    expect(res.headers['content-type']).toContain('application/problem+json');
  });
});

describe('readiness when the database is gone', () => {
  test('readyz answers 503', async () => {
    const h = await startHarness('sqlite');
    try {
      await h.services.db.dataSource.destroy();
      const res = await request(h.app).get('/readyz');
      expect(res.status).toBe(503);
      expect(res.body).toEqual({ status: 'unavailable', database: 'unreachable' });
      await h.services.db.dataSource.initialize();
    } finally {
      await h.close();
    }
  });
});
