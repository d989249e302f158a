import request from 'supertest';
import { ApiKey } from '../../src/apiKeys/apiKey.entity';
import { DEFAULT_SCOPES, SCOPES, type Scope } from '../../src/apiKeys/scopes';
import { appRoutes } from '../../src/http/routePattern';
import { ROUTE_SCOPES, scopeRowFor } from '../../src/http/routeScopes';
import { bearer } from '../support/connect';
import { DATABASES } from '../support/databases';
import { startHarness, type Harness } from '../support/harness';

const COMPANY = 'SCOPE-CO';

/** A concrete request for a route pattern: ids filled in, an empty JSON body where a body may come. */
function concrete(pattern: string): string {
  return pattern
    .replace(':companyId', COMPANY)
    .replace(':accountId', '101011234567')
    .replace(/:[A-Za-z]+/g, '3f1c2a9e-4b7d-4e0a-9c55-1d2e3f4a5b6c');
}

/** Every (method, pattern) of the app under /v1. */
function v1Routes(h: Harness): Array<{ method: string; pattern: string }> {
  return appRoutes(h.expressApp)
    .filter((r) => r.pattern.startsWith('/v1/'))
    .flatMap((r) => [...r.methods].filter((m) => m !== '_ALL').map((method) => ({ method, pattern: r.pattern })));
}

describe.each(DATABASES)('API key scopes on %s', (kind) => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness(kind);
  });
  afterAll(async () => {
    await h?.close();
  });

  const keyWith = async (scopes: readonly Scope[], companyId: string | null = COMPANY, name = 'scoped') =>
    (await h.services.apiKeys.create(name, companyId, { scopes })).key;

  test('every /v1 route has its scope in the one table, and every row of the table is a route', () => {
    const routes = v1Routes(h);
    expect(routes.length).toBeGreaterThanOrEqual(14);
    expect(routes.filter((r) => !scopeRowFor(r.method, r.pattern)).map((r) => `${r.method} ${r.pattern}`)).toEqual([]);
    const stale = ROUTE_SCOPES.filter((row) => !row.prefix && !routes.some((r) => r.pattern === row.pattern && (row.method === '*' || r.method === row.method)));
    expect(stale).toEqual([]);
  });

  test('the scope matrix: each /v1 route × a key without its scope → 403 insufficient-scope naming it; with only that scope → not 403', async () => {
    const seen: string[] = [];
    for (const { method, pattern } of v1Routes(h)) {
      const scope = scopeRowFor(method, pattern)!.scope;
      const path = concrete(pattern);
      const send = (key: string) => {
        const req = request(h.app)[method.toLowerCase() as 'get' | 'post' | 'put' | 'delete' | 'patch'](path).set(...bearer(key));
        return method === 'GET' || method === 'DELETE' ? req : req.send({});
      };
      const without = await send(await keyWith(SCOPES.filter((s) => s !== scope)));
      expect({ route: `${method} ${pattern}`, status: without.status, type: without.body.type, requiredScope: without.body.requiredScope }).toEqual({
        route: `${method} ${pattern}`,
        status: 403,
        type: 'https://gmo-bank-integrator/problems/insufficient-scope',
        requiredScope: scope,
      });
      expect(without.headers['content-type']).toContain('application/problem+json');
      expect(without.body.detail).toContain(`"${scope}"`);
      const withIt = await send(await keyWith([scope]));
      expect({ route: `${method} ${pattern}`, status: withIt.status }).not.toEqual({ route: `${method} ${pattern}`, status: 403 });
      seen.push(`${method} ${pattern}`);
    }
    expect(seen).toEqual(expect.arrayContaining(['POST /v1/companies/:companyId/transfers', 'PUT /v1/companies/:companyId/bank-registration', 'GET /v1/audit-events']));
  });

  test('the scope check creates nothing: a refused POST leaves no connect session and no transfer', async () => {
    const before = await h.services.db.dataSource.query('SELECT COUNT(*) AS n FROM connect_sessions');
    const key = await keyWith(['connections:read', 'transfers:read']);
    await request(h.app).post(`/v1/companies/${COMPANY}/connect-sessions`).set(...bearer(key)).send({}).expect(403);
    expect(await h.services.db.dataSource.query('SELECT COUNT(*) AS n FROM connect_sessions')).toEqual(before);
  });

  test('a key of another company still gets 404 when it has the scope; OPTIONS needs no scope', async () => {
    const other = await keyWith(DEFAULT_SCOPES, 'OTHER-CO');
    await request(h.app).get(`/v1/companies/${COMPANY}/connection`).set(...bearer(other)).expect(404);
    const readOnly = await keyWith(['transfers:read']);
    const options = await request(h.app).options(`/v1/companies/${COMPANY}/connection`).set(...bearer(readOnly));
    expect(options.status).toBe(200);
  });

  test('a key created without scopes has every scope but admin', async () => {
    const { id } = await h.services.apiKeys.create('default', COMPANY);
    const row = await h.services.db.manager.findOneByOrFail(ApiKey, { id });
    expect(row.scopes.split(' ')).toEqual([...DEFAULT_SCOPES]);
    expect(row.scopes).not.toContain('admin');
  });

  test('an expired key is a 401 like a revoked one, from the instant it expires (manual clock)', async () => {
    const { key } = await h.services.apiKeys.create('short-lived', COMPANY, { expiresAt: new Date(h.clock.now().getTime() + 86_400_000) });
    await request(h.app).get(`/v1/companies/${COMPANY}/transfers`).set(...bearer(key)).expect(200);
    h.clock.advanceSeconds(86_400 - 1);
    await request(h.app).get(`/v1/companies/${COMPANY}/transfers`).set(...bearer(key)).expect(200);
    h.clock.advanceSeconds(1);
    const res = await request(h.app).get(`/v1/companies/${COMPANY}/transfers`).set(...bearer(key)).expect(401);
    expect(res.body).toMatchObject({ status: 401, type: 'https://gmo-bank-integrator/problems/unauthorized' });
    expect(res.body.detail).toContain('expired');
    expect((await h.services.apiKeys.list()).find((k) => k.name === 'short-lived')!.status).toBe('expired');
  });

  test('rotation: a new key with the same name, company and scopes; both work during the grace period, then only the new one', async () => {
    const old = await h.services.apiKeys.create('pos-terminal', COMPANY, { scopes: ['transfers:read', 'accounts:read'] });
    const rotated = await h.services.apiKeys.rotate(old.id, { graceSeconds: 2 * 3600 });
    if (!rotated.rotated) throw new Error(`not rotated: ${rotated.reason}`);
    expect(rotated.created).toMatchObject({ name: 'pos-terminal', companyId: COMPANY, scopes: ['transfers:read', 'accounts:read'], expiresAt: null });
    expect(rotated.created.key).not.toBe(old.key);
    expect(rotated.oldKeyExpiresAt.getTime()).toBe(h.clock.now().getTime() + 2 * 3600_000);

    const list = () => request(h.app).get(`/v1/companies/${COMPANY}/transfers`);
    await list().set(...bearer(old.key)).expect(200);
    await list().set(...bearer(rotated.created.key)).expect(200);
    // the new key has the old one's scopes, no more
    await request(h.app).post(`/v1/companies/${COMPANY}/connect-sessions`).set(...bearer(rotated.created.key)).send({}).expect(403);
    h.clock.advanceSeconds(2 * 3600 - 1);
    await list().set(...bearer(old.key)).expect(200);
    h.clock.advanceSeconds(1);
    await list().set(...bearer(old.key)).expect(401);
    await list().set(...bearer(rotated.created.key)).expect(200);

    expect(await h.services.apiKeys.rotate(old.id, { graceSeconds: 0 })).toEqual({ rotated: false, reason: 'expired' });
    expect(await h.services.apiKeys.rotate('no-such-key', { graceSeconds: 0 })).toEqual({ rotated: false, reason: 'not_found' });
    const views = await h.services.apiKeys.list();
    expect(views.find((k) => k.id === old.id)).toMatchObject({ status: 'expired', replacedById: rotated.created.id });
  });

  test('rotation: a key rotated once cannot be rotated again; a grace longer than the old expiry keeps the old expiry; the new key lives as long as the old one did', async () => {
    const now = h.clock.now().getTime();
    const old = await h.services.apiKeys.create('monthly', null, { scopes: ['admin'], expiresAt: new Date(now + 30 * 86_400_000) });
    h.clock.advanceSeconds(29 * 86_400);
    const rotated = await h.services.apiKeys.rotate(old.id, { graceSeconds: 7 * 86_400 });
    if (!rotated.rotated) throw new Error(`not rotated: ${rotated.reason}`);
    expect(rotated.oldKeyExpiresAt.getTime()).toBe(now + 30 * 86_400_000);
    expect(rotated.created.expiresAt!.getTime()).toBe(h.clock.now().getTime() + 30 * 86_400_000);
    expect(await h.services.apiKeys.rotate(old.id, { graceSeconds: 0 })).toEqual({ rotated: false, reason: 'already_rotated' });
    await h.services.apiKeys.revoke(rotated.created.id);
    expect(await h.services.apiKeys.rotate(rotated.created.id, { graceSeconds: 0 })).toEqual({ rotated: false, reason: 'revoked' });
  });

  test('the request log line names the API key, the company of the route, the client address and the route pattern', async () => {
    const { id, key } = await h.services.apiKeys.create('logged', COMPANY);
    await request(h.app).get(`/v1/companies/${COMPANY}/transfers`).set(...bearer(key)).set('x-request-id', 'log-line-0001').expect(200);
    const line = h.logs.map((l) => JSON.parse(l)).find((l) => l.message === 'request' && l.requestId === 'log-line-0001');
    expect(line).toMatchObject({ method: 'GET', route: '/v1/companies/:companyId/transfers', status: 200, apiKeyId: id, companyId: COMPANY });
    expect(line.clientIp).toMatch(/127\.0\.0\.1$/);
    expect(JSON.stringify(line)).not.toContain(key);

    await request(h.app).get(`/v1/companies/${COMPANY}/transfers`).set('x-request-id', 'log-line-0002').expect(401);
    const refused = h.logs.map((l) => JSON.parse(l)).find((l) => l.message === 'request' && l.requestId === 'log-line-0002');
    expect(refused).toMatchObject({ status: 401, apiKeyId: null, route: '/v1/companies/:companyId/transfers' });
  });
});
