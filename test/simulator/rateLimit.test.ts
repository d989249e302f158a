import request from 'supertest';
import { ClientWindows } from '../../src/simulator/rateLimit';
import { startSimulator, type RunningSimulator } from '../../src/simulator/server';
import { API, BASIC_CLIENT, POST_CLIENT, TestClock, connect, tokenRequest, transferBody, type Tokens } from './helpers';

const LIMITED = { errorCode: 'WG_ERR_154', errorMessage: 'APIの利用上限を超過しています。' };

describe('the per-client window', () => {
  test('accepts up to the limit within one second, then refuses until the oldest request is a second old', () => {
    const w = new ClientWindows();
    expect([0, 100, 200].map((t) => w.admit('a', 3, t))).toEqual([true, true, true]);
    expect(w.admit('a', 3, 999)).toBe(false);
    // the request at 0 is out of the window (t - 1000, t] at 1000
    expect(w.admit('a', 3, 1000)).toBe(true);
    expect(w.admit('a', 3, 1001)).toBe(false);
    expect(w.snapshot()).toEqual({ a: { maxPerSecond: 3, rateLimited: 2 } });
  });

  test('each client id has its own window; without a limit it only measures', () => {
    const w = new ClientWindows();
    for (let t = 0; t < 5; t++) expect(w.admit('a', 2, t)).toBe(t < 2);
    expect(w.admit('b', 2, 4)).toBe(true);
    for (let t = 0; t < 7; t++) expect(w.admit('c', 0, t * 100)).toBe(true);
    expect(w.snapshot()).toEqual({
      a: { maxPerSecond: 2, rateLimited: 3 },
      b: { maxPerSecond: 1, rateLimited: 0 },
      c: { maxPerSecond: 7, rateLimited: 0 },
    });
  });
});

describe('rateLimitPerSecond over real HTTP', () => {
  let running: RunningSimulator;
  let post: Tokens;
  let basic: Tokens;
  beforeEach(async () => {
    running = await startSimulator({ clock: new TestClock(), clients: [POST_CLIENT, BASIC_CLIENT] });
    post = await connect(running.sim.app);
    basic = await connect(running.sim.app, { client: BASIC_CLIENT, redirectUri: BASIC_CLIENT.redirectUris[0] });
  });
  afterEach(() => running.stop());

  const accounts = (token: string) => fetch(`${running.url}${API}/accounts`, { headers: { 'x-access-token': token } });

  test('a burst past the limit: the surplus is answered 429 WG_ERR_154; the busiest second never exceeds the limit', async () => {
    await request(running.sim.app).post('/_sim/config').send({ rateLimitPerSecond: 3 }).expect(200);
    const answers = await Promise.all(Array.from({ length: 8 }, () => accounts(post.access_token)));
    const refused = answers.filter((r) => r.status === 429);
    expect(answers.every((r) => r.status === 200 || r.status === 429)).toBe(true);
    // the token request of connect() may still be in the window: 2 or 3 of the 8 get through
    expect(refused.length).toBeGreaterThanOrEqual(5);
    for (const r of refused) expect(await r.json()).toEqual(LIMITED);
    const stats = (await request(running.sim.app).get('/_sim/stats').expect(200)).body;
    expect(stats.clients['sim-client']).toEqual({ maxPerSecond: 3, rateLimited: refused.length });
    // API calls count for the client their token was issued to, not for another one
    expect((await accounts(basic.access_token)).status).toBe(200);
  });

  test('the token endpoint counts by the client id it names, in the body or the Basic header', async () => {
    running.sim.state.configure({ rateLimitPerSecond: 1 });
    const refreshes = await Promise.all(
      Array.from({ length: 3 }, () => tokenRequest(running.sim.app, { grant_type: 'refresh_token', refresh_token: basic.refresh_token as string }, BASIC_CLIENT)),
    );
    const refused = refreshes.filter((r) => r.status === 429);
    expect(refused.length).toBeGreaterThanOrEqual(2);
    for (const r of refused) expect(r.body).toEqual(LIMITED);
    expect(running.sim.state.stats().clients['basic-client'].rateLimited).toBe(refused.length);
  });

  test('the rate_limit fault answers the same body as the limit', async () => {
    await request(running.sim.app).post('/_sim/faults').send({ target: 'accounts', kind: 'rate_limit' }).expect(201);
    const res = await accounts(post.access_token);
    expect(res.status).toBe(429);
    expect(await res.json()).toEqual(LIMITED);
    expect(running.sim.state.stats().clients['sim-client'].rateLimited).toBe(0);
  });

  test('no limit by default; /_sim/config sets one, refuses a negative one, and reset clears it', async () => {
    const answers = await Promise.all(Array.from({ length: 12 }, () => accounts(post.access_token)));
    expect(answers.map((r) => r.status)).toEqual(Array(12).fill(200));
    expect(running.sim.state.stats().clients['sim-client'].maxPerSecond).toBeGreaterThanOrEqual(12);
    expect((await request(running.sim.app).post('/_sim/config').send({ rateLimitPerSecond: -1 })).status).toBe(400);
    expect((await request(running.sim.app).post('/_sim/config').send({ rateLimitPerSecond: 5 }).expect(200)).body.rateLimitPerSecond).toBe(5);
    await request(running.sim.app).post('/_sim/reset').expect(204);
    expect(running.sim.state.config.rateLimitPerSecond).toBe(0);
    expect(running.sim.state.stats().clients).toEqual({});
  });

  test('a transfer request refused by the limit books nothing', async () => {
    running.sim.state.configure({ rateLimitPerSecond: 1 });
    const send = (key: string) =>
      fetch(`${running.url}${API}/transfer/request`, {
        method: 'POST',
        headers: { 'x-access-token': post.access_token, 'content-type': 'application/json', 'idempotency-key': key },
        body: JSON.stringify(transferBody()),
      });
    const answers = await Promise.all(['k1', 'k2', 'k3'].map(send));
    const booked = answers.filter((r) => r.status === 201).length;
    expect(answers.filter((r) => r.status === 429).length).toBe(3 - booked);
    expect(running.sim.state.stats().transferRequests).toBe(booked);
  });
});
