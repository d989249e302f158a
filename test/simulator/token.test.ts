import { createHash } from 'node:crypto';
import {
  API,
  AUTH,
  BASIC_CLIENT,
  PKCE_CLIENT,
  POST_CLIENT,
  authorize,
  connect,
  newSim,
  tokenRequest,
  type TestSim,
} from './helpers';

let sim: TestSim;
beforeEach(() => {
  sim = newSim();
});
afterEach(() => sim.close());

function accounts(token: string) {
  return sim.http.get(`${API}/accounts`).set('x-access-token', token);
}

function refresh(refreshToken: string, client = POST_CLIENT) {
  return tokenRequest(sim.app, { grant_type: 'refresh_token', refresh_token: refreshToken }, client);
}

describe('authorization_code grant', () => {
  test('answers snake_case JSON with a Bearer token, the granted scope and a numeric expires_in, not cached', async () => {
    const { code, redirectUri } = await authorize(sim.app);
    const res = await tokenRequest(sim.app, { grant_type: 'authorization_code', code, redirect_uri: redirectUri }).expect(200);
    expect(res.headers['cache-control']).toBe('no-store');
    expect(Object.keys(res.body).sort()).toEqual(['access_token', 'expires_in', 'refresh_token', 'scope', 'token_type']);
    expect(res.body.access_token).toMatch(/^[A-Za-z0-9]{32}$/);
    expect(res.body.refresh_token).toMatch(/^[A-Za-z0-9]{32}$/);
    expect(res.body).toMatchObject({ token_type: 'Bearer', expires_in: 2592000 });
    expect(res.body.scope.split(' ')).toContain('private:transfer');
  });

  test('expires_in follows accessTokenTtlSeconds', async () => {
    const local = newSim({ accessTokenTtlSeconds: 300 });
    expect((await connect(local.app)).expires_in).toBe(300);
    local.close();
  });

  test('no offline_access, no refresh token', async () => {
    const tokens = await connect(sim.app, { scope: 'private:account' });
    expect(tokens.refresh_token).toBeUndefined();
    expect(tokens.scope).toBe('private:account');
  });

  test('a code is single use; replaying it is invalid_grant and revokes what it issued', async () => {
    const { code, redirectUri } = await authorize(sim.app);
    const form = { grant_type: 'authorization_code', code, redirect_uri: redirectUri };
    const first = await tokenRequest(sim.app, form).expect(200);
    await accounts(first.body.access_token).expect(200);

    const replay = await tokenRequest(sim.app, form);
    expect(replay.status).toBe(400);
    expect(replay.body.error).toBe('invalid_grant');
    expect(replay.headers['cache-control']).toBe('no-store');
    await accounts(first.body.access_token).expect(401);
    expect((await refresh(first.body.refresh_token)).body.error).toBe('invalid_grant');
  });

  test('a code expires after codeTtlSeconds of clock time', async () => {
    const { code, redirectUri } = await authorize(sim.app);
    sim.clock.advance(600);
    const res = await tokenRequest(sim.app, { grant_type: 'authorization_code', code, redirect_uri: redirectUri });
    expect(res.status).toBe(400);
    expect(res.body).toEqual({ error: 'invalid_grant', error_description: 'authorization code expired' });
  });

  test('redirect_uri must equal the one sent to /authorization', async () => {
    const { code } = await authorize(sim.app);
    const res = await tokenRequest(sim.app, { grant_type: 'authorization_code', code, redirect_uri: 'http://localhost:3000/refresh_token/other' });
    expect(res.body.error).toBe('invalid_grant');
  });

  test('a code issued to one client cannot be redeemed by another', async () => {
    const { code, redirectUri } = await authorize(sim.app);
    const res = await tokenRequest(sim.app, { grant_type: 'authorization_code', code, redirect_uri: redirectUri }, BASIC_CLIENT);
    expect(res.body.error).toBe('invalid_grant');
  });

  test.each([
    ['no code', 'invalid_request', { grant_type: 'authorization_code', redirect_uri: 'https://app.example/callback' }],
    ['no grant_type', 'invalid_request', {}],
    ['password grant', 'unsupported_grant_type', { grant_type: 'password' }],
  ])('%s → %s', async (_name, error, form) => {
    const res = await tokenRequest(sim.app, form as Record<string, string>);
    expect(res.status).toBe(400);
    expect(res.body.error).toBe(error);
  });

  test('only application/x-www-form-urlencoded is accepted', async () => {
    const res = await sim.http
      .post(`${AUTH}/token`)
      .send({ grant_type: 'authorization_code', client_id: POST_CLIENT.clientId, client_secret: POST_CLIENT.clientSecret });
    expect(res.status).toBe(400);
    expect(res.body.error).toBe('invalid_request');
  });
});

describe('PKCE (S256)', () => {
  const verifier = 'v'.repeat(20) + 'erifier-0123456789-abcdefghij';
  const challenge = createHash('sha256').update(verifier).digest('base64url');

  test('the verifier must match the challenge', async () => {
    const extra = { code_challenge: challenge, code_challenge_method: 'S256' };
    const wrong = await authorize(sim.app, { client: PKCE_CLIENT, extra });
    const bad = await tokenRequest(sim.app, { grant_type: 'authorization_code', code: wrong.code, redirect_uri: wrong.redirectUri, code_verifier: 'x'.repeat(43) }, PKCE_CLIENT);
    expect(bad.body.error).toBe('invalid_grant');

    const right = await authorize(sim.app, { client: PKCE_CLIENT, extra });
    await tokenRequest(sim.app, { grant_type: 'authorization_code', code: right.code, redirect_uri: right.redirectUri, code_verifier: verifier }, PKCE_CLIENT).expect(200);
  });

  test('a missing verifier is invalid_grant when a challenge was sent', async () => {
    const { code, redirectUri } = await authorize(sim.app, { extra: { code_challenge: challenge, code_challenge_method: 'S256' } });
    const res = await tokenRequest(sim.app, { grant_type: 'authorization_code', code, redirect_uri: redirectUri });
    expect(res.body.error).toBe('invalid_grant');
  });
});

describe('client authentication', () => {
  test('a post client authenticates with client_id and client_secret in the body', async () => {
    await connect(sim.app);
  });

  test('a basic client authenticates with HTTP Basic', async () => {
    const tokens = await connect(sim.app, { client: BASIC_CLIENT });
    expect(tokens.access_token).toBeDefined();
  });

  test('a wrong secret is 401 invalid_client with WWW-Authenticate', async () => {
    const { code, redirectUri } = await authorize(sim.app);
    const res = await tokenRequest(sim.app, { grant_type: 'authorization_code', code, redirect_uri: redirectUri }, { ...POST_CLIENT, clientSecret: 'nope' });
    expect(res.status).toBe(401);
    expect(res.body.error).toBe('invalid_client');
    expect(res.headers['www-authenticate']).toMatch(/^Basic/);
  });

  test('an unknown client and a missing secret are invalid_client', async () => {
    for (const form of [{ client_id: 'nobody', client_secret: 'x' }, { client_id: POST_CLIENT.clientId }, {}]) {
      const res = await sim.http.post(`${AUTH}/token`).type('form').send({ grant_type: 'refresh_token', refresh_token: 'x', ...form });
      expect(res.status).toBe(401);
      expect(res.body.error).toBe('invalid_client');
    }
  });

  test('the other method than the registered one is refused', async () => {
    const { code, redirectUri } = await authorize(sim.app);
    const form = { grant_type: 'authorization_code', code, redirect_uri: redirectUri };
    const basicForPost = await sim.http.post(`${AUTH}/token`).type('form').auth(POST_CLIENT.clientId, POST_CLIENT.clientSecret).send(form);
    expect(basicForPost.status).toBe(401);

    const postForBasic = await sim.http
      .post(`${AUTH}/token`)
      .type('form')
      .send({ ...form, client_id: BASIC_CLIENT.clientId, client_secret: BASIC_CLIENT.clientSecret });
    expect(postForBasic.status).toBe(401);
  });

  test("GMO's Node SDK style (Basic AND client_secret in the body) is accepted, as GMO's server does; strict mode refuses it", async () => {
    const sdkStyle = (code: string, redirectUri: string, secret = BASIC_CLIENT.clientSecret) =>
      sim.http
        .post(`${AUTH}/token`)
        .type('form')
        .auth(BASIC_CLIENT.clientId, BASIC_CLIENT.clientSecret)
        .send({ grant_type: 'authorization_code', code, redirect_uri: redirectUri, client_secret: secret });
    const first = await authorize(sim.app, { client: BASIC_CLIENT });
    const accepted = await sdkStyle(first.code, first.redirectUri).expect(200);
    // the SDK refreshes the same way
    const refreshed = await sim.http
      .post(`${AUTH}/token`)
      .type('form')
      .auth(BASIC_CLIENT.clientId, BASIC_CLIENT.clientSecret)
      .send({ grant_type: 'refresh_token', refresh_token: accepted.body.refresh_token, client_id: BASIC_CLIENT.clientId, client_secret: BASIC_CLIENT.clientSecret })
      .expect(200);
    expect(refreshed.body.access_token).toEqual(expect.any(String));
    // credentials that disagree are refused whatever the mode
    const second = await authorize(sim.app, { client: BASIC_CLIENT });
    expect((await sdkStyle(second.code, second.redirectUri, 'another-secret')).status).toBe(401);

    sim.state.configure({ strictClientAuth: true });
    const third = await authorize(sim.app, { client: BASIC_CLIENT });
    const strict = await sdkStyle(third.code, third.redirectUri);
    expect(strict.status).toBe(401);
    expect(strict.body.error).toBe('invalid_client');
  });
});

describe('refresh_token grant', () => {
  test('returns a new access and refresh token; with rotation the old refresh token is dead, the old access token lives on', async () => {
    const first = await connect(sim.app);
    const second = await refresh(first.refresh_token as string).expect(200);
    expect(second.body.access_token).not.toBe(first.access_token);
    expect(second.body.refresh_token).not.toBe(first.refresh_token);
    expect(second.body.expires_in).toBe(2592000);

    const reused = await refresh(first.refresh_token as string);
    expect(reused.status).toBe(400);
    expect(reused.body.error).toBe('invalid_grant');
    await accounts(first.access_token).expect(200);
    await accounts(second.body.access_token).expect(200);
    await refresh(second.body.refresh_token).expect(200);
  });

  test('without rotation the old refresh token keeps working', async () => {
    const local = newSim({ rotateRefreshTokens: false });
    const first = await connect(local.app);
    const again = () => tokenRequest(local.app, { grant_type: 'refresh_token', refresh_token: first.refresh_token as string });
    const a = await again().expect(200);
    const b = await again().expect(200);
    expect(a.body.refresh_token).not.toBe(b.body.refresh_token);
    local.close();
  });

  test('a refresh token expires after refreshTokenTtlSeconds', async () => {
    const tokens = await connect(sim.app);
    sim.clock.advance(7776000);
    expect((await refresh(tokens.refresh_token as string)).body.error).toBe('invalid_grant');
  });

  test('belongs to the client it was issued to', async () => {
    const tokens = await connect(sim.app);
    expect((await refresh(tokens.refresh_token as string, BASIC_CLIENT)).body.error).toBe('invalid_grant');
  });

  test('may narrow the scope but not widen it', async () => {
    const tokens = await connect(sim.app, { scope: 'offline_access private:account' });
    const widened = await tokenRequest(sim.app, { grant_type: 'refresh_token', refresh_token: tokens.refresh_token as string, scope: 'private:transfer' });
    expect(widened.body.error).toBe('invalid_scope');
    const narrowed = await tokenRequest(sim.app, { grant_type: 'refresh_token', refresh_token: tokens.refresh_token as string, scope: 'private:account' }).expect(200);
    expect(narrowed.body.scope).toBe('private:account');
    expect(narrowed.body.refresh_token).toBeUndefined();
  });
});

describe('access tokens on the corporate API', () => {
  test('an expired access token is 401 ErrorResponse', async () => {
    const tokens = await connect(sim.app);
    sim.clock.advance(2592000);
    const res = await accounts(tokens.access_token);
    expect(res.status).toBe(401);
    expect(res.body).toEqual({ errorCode: 'WG_ERR_101', errorMessage: 'アクセストークンの有効期限が切れています。' });
  });

  test('missing and unknown tokens are 401', async () => {
    expect((await sim.http.get(`${API}/accounts`)).body.errorCode).toBe('WG_ERR_101');
    expect((await accounts('x'.repeat(32))).status).toBe(401);
  });

  test('a token without the API scope is 403', async () => {
    const tokens = await connect(sim.app, { scope: 'private:transfer' });
    const res = await accounts(tokens.access_token);
    expect(res.status).toBe(403);
    expect(res.body.errorCode).toBe('WG_ERR_103');
    const transfer = await connect(sim.app, { scope: 'private:account' });
    const status = await sim.http.get(`${API}/transfer/status`).set('x-access-token', transfer.access_token);
    expect(status.status).toBe(403);
  });
});

describe('GET /userinfo', () => {
  test('answers sub, iss and sup for a Bearer token with openid', async () => {
    const tokens = await connect(sim.app, { userId: 'personal-user' });
    const res = await sim.http.get(`${AUTH}/userinfo`).set('authorization', `Bearer ${tokens.access_token}`).expect(200);
    expect(res.body).toMatchObject({ sub: 'personal-user', sup: 'personal' });
    expect(res.body.iss).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
  });

  test('refuses a missing token (401) and a token without openid (403)', async () => {
    expect((await sim.http.get(`${AUTH}/userinfo`)).status).toBe(401);
    const tokens = await connect(sim.app, { scope: 'private:account' });
    expect((await sim.http.get(`${AUTH}/userinfo`).set('authorization', `Bearer ${tokens.access_token}`)).status).toBe(403);
  });
});
