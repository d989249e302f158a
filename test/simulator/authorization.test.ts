import request from 'supertest';
import {
  AUTH,
  BASIC_CLIENT,
  PKCE_CLIENT,
  authorizationQuery,
  hiddenAuthorizationId,
  newSim,
  redirectUriFor,
  type TestSim,
} from './helpers';

let sim: TestSim;
beforeEach(() => {
  sim = newSim();
});
afterEach(() => sim.close());

function errorOf(location: string): Record<string, string> {
  return Object.fromEntries(new URL(location).searchParams);
}

describe('GET /authorization: problems the client must not be redirected for', () => {
  test('an unknown client_id gets a 400 page and no redirect', async () => {
    const res = await sim.http.get(`${AUTH}/authorization`).query(authorizationQuery({ extra: { client_id: 'nobody' } }));
    expect(res.status).toBe(400);
    expect(res.headers.location).toBeUndefined();
    expect(res.text).toContain('クライアントIDが不正です');
  });

  test.each([
    ['an unregistered URI', 'http://evil.example/refresh_token/acme'],
    ['a trailing slash', `${redirectUriFor('acme')}/`],
    ['another port', 'http://localhost:3001/refresh_token/acme'],
    ['a companyId with a slash', 'http://localhost:3000/refresh_token/a/b'],
    ['a companyId over 64 characters', redirectUriFor('x'.repeat(65))],
  ])('%s is a 403 Forbidden page, never a redirect', async (_name, redirectUri) => {
    const res = await sim.http.get(`${AUTH}/authorization`).query(authorizationQuery({ redirectUri }));
    expect(res.status).toBe(403);
    expect(res.headers.location).toBeUndefined();
    expect(res.text).toContain('Forbidden');
  });

  test('an exact (non-template) registration matches only itself', async () => {
    const ok = await sim.http.get(`${AUTH}/authorization`).query(authorizationQuery({ redirectUri: 'https://app.example/callback' }));
    expect(ok.status).toBe(200);
    const bad = await sim.http.get(`${AUTH}/authorization`).query(authorizationQuery({ redirectUri: 'https://app.example/callback?x=1' }));
    expect(bad.status).toBe(403);
  });
});

describe('GET /authorization: problems reported back to the client', () => {
  test.each([
    ['an unknown scope', { scope: 'private:account corp:account' }, 'invalid_scope'],
    ['a scope the client was not registered for', { scope: 'private:account admin' }, 'invalid_scope'],
    ['an empty scope', { scope: '' }, 'invalid_request'],
    ['response_type=token', { extra: { response_type: 'token' } }, 'unsupported_response_type'],
    ['no response_type', { extra: { response_type: '' } }, 'invalid_request'],
    ['a plain PKCE method', { extra: { code_challenge: 'a'.repeat(43), code_challenge_method: 'plain' } }, 'invalid_request'],
  ])('%s → error=%s with the state echoed', async (_name, options, error) => {
    const res = await sim.http.get(`${AUTH}/authorization`).query(authorizationQuery(options));
    expect(res.status).toBe(302);
    expect(res.headers.location.startsWith(redirectUriFor('acme'))).toBe(true);
    expect(errorOf(res.headers.location)).toMatchObject({ error, state: 'state-123' });
  });

  test('a missing or over-long state is invalid_request and is not echoed', async () => {
    for (const state of ['', 's'.repeat(129)]) {
      const res = await sim.http.get(`${AUTH}/authorization`).query(authorizationQuery({ state }));
      expect(res.status).toBe(302);
      const params = errorOf(res.headers.location);
      expect(params.error).toBe('invalid_request');
      expect(params.state).toBeUndefined();
    }
  });

  test('a client registered with pkceRequired must send a code_challenge', async () => {
    const res = await sim.http.get(`${AUTH}/authorization`).query(authorizationQuery({ client: PKCE_CLIENT }));
    expect(errorOf(res.headers.location).error).toBe('invalid_request');
  });
});

describe('the login and consent page', () => {
  test('is Japanese, offers the 法人 user first and preselected and a 個人 user, and shows the scopes', async () => {
    const res = await sim.http.get(`${AUTH}/authorization`).query(authorizationQuery()).expect(200);
    expect(res.headers['content-type']).toMatch(/text\/html/);
    expect(res.text).toContain('GMOあおぞらネット銀行 シミュレーター');
    const radios = [...res.text.matchAll(/<input type="radio" name="userId" value="([^"]+)"([^>]*)>([^<]*)</g)];
    expect(radios.map((r) => r[1])).toEqual(['corporate-user', 'personal-user']);
    expect(radios[0][2]).toContain('checked');
    expect(radios[0][3]).toContain('法人');
    expect(radios[1][3]).toContain('個人');
    for (const scope of ['private:account', 'private:transfer', 'offline_access']) expect(res.text).toContain(scope);
    expect(res.text).toContain('>同意する</button>');
    expect(res.text).toContain('>拒否する</button>');
  });

  test('carries only a server-side id in hidden fields, never the raw parameters', async () => {
    const res = await sim.http.get(`${AUTH}/authorization`).query(authorizationQuery()).expect(200);
    const hidden = [...res.text.matchAll(/<input type="hidden" name="([^"]+)"/g)].map((m) => m[1]);
    expect(hidden).toEqual(['authorizationId']);
    expect(res.text).not.toContain('state-123');
    expect(res.text).not.toContain(redirectUriFor('acme'));
  });

  test('works under a strict CSP: no script, one nonce style, form-action open to the client origin', async () => {
    const res = await sim.http.get(`${AUTH}/authorization`).query(authorizationQuery()).expect(200);
    const csp = res.headers['content-security-policy'];
    expect(csp).not.toContain('unsafe-inline');
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("form-action 'self' http://localhost:3000");
    const nonce = /style-src 'nonce-([^']+)'/.exec(csp)?.[1];
    expect(res.text).toContain(`<style nonce="${nonce}">`);
    expect(res.text).not.toMatch(/<script|\sstyle="|\son\w+="/i);
  });
});

describe('POST /authorization (the login form)', () => {
  async function openPage(options = {}): Promise<string> {
    const res = await sim.http.get(`${AUTH}/authorization`).query(authorizationQuery(options)).expect(200);
    return hiddenAuthorizationId(res.text);
  }

  test('consent redirects with a 32-character alphanumeric code and the state', async () => {
    const authorizationId = await openPage();
    const res = await sim.http.post(`${AUTH}/authorization`).type('form').send({ authorizationId, userId: 'corporate-user', decision: 'approve' });
    expect(res.status).toBe(302);
    const params = errorOf(res.headers.location);
    expect(params.code).toMatch(/^[A-Za-z0-9]{32}$/);
    expect(params.state).toBe('state-123');
    expect(res.headers.location.startsWith(`${redirectUriFor('acme')}?`)).toBe(true);
  });

  test('refusal redirects with error=access_denied and the state', async () => {
    const authorizationId = await openPage();
    const res = await sim.http.post(`${AUTH}/authorization`).type('form').send({ authorizationId, decision: 'deny' });
    expect(res.status).toBe(302);
    expect(errorOf(res.headers.location)).toMatchObject({ error: 'access_denied', state: 'state-123' });
    expect(errorOf(res.headers.location).code).toBeUndefined();
  });

  test('a pending authorization can be submitted once only', async () => {
    const authorizationId = await openPage();
    const form = { authorizationId, userId: 'corporate-user', decision: 'approve' };
    await sim.http.post(`${AUTH}/authorization`).type('form').send(form).expect(302);
    const again = await sim.http.post(`${AUTH}/authorization`).type('form').send(form);
    expect(again.status).toBe(400);
    expect(again.text).toContain('有効期限が切れています');
  });

  test('an unknown user or decision is a 400 page, and the pending authorization stays usable', async () => {
    const authorizationId = await openPage();
    await sim.http.post(`${AUTH}/authorization`).type('form').send({ authorizationId, userId: 'nobody', decision: 'approve' }).expect(400);
    await sim.http.post(`${AUTH}/authorization`).type('form').send({ authorizationId, userId: 'corporate-user', decision: 'maybe' }).expect(400);
    await sim.http.post(`${AUTH}/authorization`).type('form').send({ authorizationId, userId: 'personal-user', decision: 'approve' }).expect(302);
  });

  test('keeps a query the registered redirect URI already has', async () => {
    const client = { ...BASIC_CLIENT, redirectUris: ['https://basic.example/cb?tenant=1'] };
    const local = newSim({ clients: [client] });
    const page = await request(local.app).get(`${AUTH}/authorization`).query(authorizationQuery({ client })).expect(200);
    const res = await request(local.app)
      .post(`${AUTH}/authorization`)
      .type('form')
      .send({ authorizationId: hiddenAuthorizationId(page.text), userId: 'corporate-user', decision: 'approve' });
    expect(errorOf(res.headers.location)).toMatchObject({ tenant: '1', state: 'state-123' });
    local.close();
  });
});
