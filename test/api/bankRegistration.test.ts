import request from 'supertest';
import { SCOPES } from '../../src/apiKeys/scopes';
import { BankConnection } from '../../src/connections/bankConnection.entity';
import { bearer, connectCompany } from '../support/connect';
import { DATABASES } from '../support/databases';
import { ALL_SCOPES, startHarness, type Harness } from '../support/harness';

const OWN = { clientId: 'own-client-via-api', clientSecret: 'own-api-secret-9f8e7d6c5b4a', authMethod: 'basic' as const, scopes: ALL_SCOPES };
const path = (companyId: string) => `/v1/companies/${companyId}/bank-registration`;

describe.each(DATABASES)("the bank-registration API (a company's own GMO app) on %s", (kind) => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness(kind, { extraClients: [{ ...OWN, pkceRequired: true }] });
  });
  afterAll(async () => {
    await h?.close();
  });

  const adminKey = async (companyId: string | null) => (await h.services.apiKeys.create('admin', companyId, { scopes: SCOPES })).key;
  const storedRows = async () => JSON.stringify(await h.services.db.dataSource.query('SELECT * FROM bank_app_registrations'));
  const noSecretAnywhere = async (secret: string) => {
    expect(await storedRows()).not.toContain(secret);
    expect(h.logs.join('\n')).not.toContain(secret);
  };

  test('PUT stores it (201, then 200 on a replacement), GET shows it, the secret is sealed and never comes back; the company connects with it', async () => {
    const key = await adminKey('OWNAPI');
    await request(h.app).get(path('OWNAPI')).set(...bearer(key)).expect(404);

    const created = await request(h.app).put(path('OWNAPI')).set(...bearer(key)).send({ ...OWN, pkce: true }).expect(201);
    expect(created.body).toEqual({
      companyId: 'OWNAPI',
      environment: 'simulator',
      clientId: OWN.clientId,
      authMethod: 'basic',
      scopes: ALL_SCOPES,
      pkce: true,
      createdAt: h.clock.now().toISOString(),
      updatedAt: h.clock.now().toISOString(),
    });
    const shown = await request(h.app).get(path('OWNAPI')).set(...bearer(key)).expect(200);
    expect(shown.body).toEqual(created.body);
    for (const res of [created, shown]) expect(res.text).not.toContain(OWN.clientSecret);
    expect(await storedRows()).toContain(OWN.clientId);
    await noSecretAnywhere(OWN.clientSecret);
    expect((await h.services.registrations.resolve('OWNAPI')).clientSecret).toBe(OWN.clientSecret);

    // the flow uses it: Basic auth and PKCE, which the simulator requires of this client
    const { page } = await connectCompany(h, 'OWNAPI');
    expect(page.body).toContain('銀行口座の連携が完了しました');
    expect((await h.services.db.manager.findOneByOrFail(BankConnection, { companyId: 'OWNAPI' })).clientId).toBe(OWN.clientId);

    h.clock.advanceSeconds(60);
    const replaced = await request(h.app).put(path('OWNAPI')).set(...bearer(key)).send({ ...OWN, clientSecret: 'a-newer-secret-1234', pkce: true }).expect(200);
    expect(replaced.body).toMatchObject({ createdAt: created.body.createdAt, updatedAt: h.clock.now().toISOString() });
    expect(replaced.text).not.toContain('a-newer-secret-1234');
    await noSecretAnywhere('a-newer-secret-1234');
  });

  test('defaults as the CLI: auth post, BANK_SCOPES, no PKCE', async () => {
    const key = await adminKey(null);
    const res = await request(h.app).put(path('DEFAULTS')).set(...bearer(key)).send({ clientId: 'c-defaults', clientSecret: 's-defaults-123' }).expect(201);
    expect(res.body).toMatchObject({ authMethod: 'post', scopes: h.config.bank.scopes, pkce: false });
  });

  test.each([
    ['no clientId', { clientSecret: 'x-secret-000' }, 'clientId'],
    ['a clientId with spaces', { clientId: 'has spaces', clientSecret: 'x-secret-000' }, 'clientId'],
    ['no clientSecret', { clientId: 'c1' }, 'clientSecret'],
    ['an empty clientSecret', { clientId: 'c1', clientSecret: '' }, 'clientSecret'],
    ['a control character in the secret', { clientId: 'c1', clientSecret: 'x-secret\u0007' }, 'clientSecret'],
    ['an unknown authMethod', { clientId: 'c1', clientSecret: 'x-secret-000', authMethod: 'digest' }, 'authMethod'],
    ['scopes without offline_access', { clientId: 'c1', clientSecret: 'x-secret-000', scopes: ['openid', 'private:account'] }, 'scopes'],
    ['scopes as a string', { clientId: 'c1', clientSecret: 'x-secret-000', scopes: 'openid offline_access' }, 'scopes'],
    ['an empty scope list', { clientId: 'c1', clientSecret: 'x-secret-000', scopes: [] }, 'scopes'],
    ['pkce as a string', { clientId: 'c1', clientSecret: 'x-secret-000', pkce: 'yes' }, 'pkce'],
    ['an unknown field', { clientId: 'c1', clientSecret: 'x-secret-000', clientSecretHint: 'x' }, '(body)'],
  ])('%s → 400 naming %s; nothing stored, the secret not echoed', async (_what, body, field) => {
    const key = await adminKey('BADREG');
    const before = await storedRows();
    const res = await request(h.app).put(path('BADREG')).set(...bearer(key)).send(body).expect(400);
    expect(res.headers['content-type']).toContain('application/problem+json');
    expect(res.body.type).toBe('https://gmo-bank-integrator/problems/validation-error');
    expect(res.body.errors.map((e: { field: string }) => e.field)).toContain(field);
    expect(res.text).not.toContain('x-secret');
    expect(await storedRows()).toBe(before);
    await request(h.app).get(path('BADREG')).set(...bearer(key)).expect(404);
  });

  test('no body, malformed JSON, a form: 400/415, nothing stored', async () => {
    const key = await adminKey('BADREG2');
    const before = await storedRows();
    await request(h.app).put(path('BADREG2')).set(...bearer(key)).expect(400);
    await request(h.app).put(path('BADREG2')).set(...bearer(key)).set('content-type', 'application/json').send('{"clientId":').expect(400);
    await request(h.app).put(path('BADREG2')).set(...bearer(key)).type('form').send('clientId=c1&clientSecret=s').expect(415);
    expect(await storedRows()).toBe(before);
  });

  test('DELETE removes it (204); then GET and DELETE are 404: the vendor registration applies again', async () => {
    const key = await adminKey('GONE');
    await request(h.app).put(path('GONE')).set(...bearer(key)).send({ clientId: 'c-gone', clientSecret: 's-gone-1234' }).expect(201);
    const removed = await request(h.app).delete(path('GONE')).set(...bearer(key)).expect(204);
    expect(removed.text).toBe('');
    await request(h.app).get(path('GONE')).set(...bearer(key)).expect(404);
    await request(h.app).delete(path('GONE')).set(...bearer(key)).expect(404);
    expect((await h.services.registrations.resolve('GONE')).owner).toBe('vendor');
  });

  test("an admin key of company A cannot see or change B's registration (404); a key without admin gets 403", async () => {
    const b = await adminKey('REG-B');
    await request(h.app).put(path('REG-B')).set(...bearer(b)).send({ clientId: 'c-b', clientSecret: 's-b-123456' }).expect(201);
    const a = await adminKey('REG-A');
    for (const req of [request(h.app).get(path('REG-B')), request(h.app).delete(path('REG-B')), request(h.app).put(path('REG-B')).send({ clientId: 'evil', clientSecret: 'evil-secret' })]) {
      const res = await req.set(...bearer(a));
      expect(res.status).toBe(404);
    }
    const plain = await h.apiKey('REG-B');
    const refused = await request(h.app).get(path('REG-B')).set(...bearer(plain)).expect(403);
    expect(refused.body.requiredScope).toBe('admin');
    expect((await request(h.app).get(path('REG-B')).set(...bearer(b)).expect(200)).body.clientId).toBe('c-b');
  });
});
