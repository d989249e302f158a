import { createSimulator } from '../../src/simulator/app';
import { startSimulator } from '../../src/simulator/server';
import {
  API,
  AUTH,
  CORPORATE_ACCOUNT,
  POST_CLIENT,
  TestClock,
  connect,
  newSim,
  redirectUriFor,
  tokenRequest,
  transferBody,
  type TestSim,
  type Tokens,
} from './helpers';

let sim: TestSim;
beforeEach(() => {
  sim = newSim();
});
afterEach(() => sim.close());

const accounts = (token: string) => sim.http.get(`${API}/accounts`).set('x-access-token', token);
const refresh = (t: Tokens) => tokenRequest(sim.app, { grant_type: 'refresh_token', refresh_token: t.refresh_token as string });
const connectCompany = (companyId: string) => connect(sim.app, { redirectUri: redirectUriFor(companyId) });

describe('/_sim/stats', () => {
  test('counts token grants, booked transfers (not replays) and API calls by route', async () => {
    const tokens = await connect(sim.app);
    await refresh(tokens).expect(200);
    const send = () =>
      sim.http.post(`${API}/transfer/request`).set('x-access-token', tokens.access_token).set('Idempotency-Key', 'k').send(transferBody()).expect(201);
    await send();
    await send();
    await accounts(tokens.access_token).expect(200);
    const res = await sim.http.get('/_sim/stats').expect(200);
    expect(res.body).toEqual({
      tokenRequests: { authorization_code: 1, refresh_token: 1 },
      transferRequests: 1,
      bulkTransferRequests: 0,
      apiCalls: { authorization: 1, token: 2, 'transfer.request': 2, accounts: 1 },
      clients: { 'sim-client': { maxPerSecond: expect.any(Number), rateLimited: 0 } },
    });
  });
});

describe('/_sim/tokens', () => {
  test('expire: access tokens of one company only; its refresh token still works', async () => {
    const a = await connectCompany('company-a');
    const b = await connectCompany('company-b');
    const res = await sim.http.post('/_sim/tokens/expire').send({ companyId: 'company-a', kind: 'access' }).expect(200);
    expect(res.body).toEqual({ expired: 1 });
    expect((await accounts(a.access_token)).body.errorMessage).toBe('アクセストークンの有効期限が切れています。');
    await accounts(b.access_token).expect(200);
    await refresh(a).expect(200);
  });

  test('expire refresh: the next refresh is invalid_grant while the access token still works', async () => {
    const a = await connectCompany('company-a');
    await sim.http.post('/_sim/tokens/expire').send({ companyId: 'company-a', kind: 'refresh' }).expect(200);
    expect((await refresh(a)).body.error).toBe('invalid_grant');
    await accounts(a.access_token).expect(200);
  });

  test('expire all without companyId affects every company', async () => {
    const a = await connectCompany('company-a');
    const b = await connectCompany('company-b');
    expect((await sim.http.post('/_sim/tokens/expire').send({ kind: 'all' })).body).toEqual({ expired: 4 });
    await accounts(a.access_token).expect(401);
    expect((await refresh(b)).body.error).toBe('invalid_grant');
  });

  test('revoke: every token of the company stops working', async () => {
    const a = await connectCompany('company-a');
    const b = await connectCompany('company-b');
    expect((await sim.http.post('/_sim/tokens/revoke').send({ companyId: 'company-a' })).body).toEqual({ revoked: 2 });
    expect((await accounts(a.access_token)).body.errorMessage).toBe('アクセストークンが無効です。');
    expect((await refresh(a)).body.error).toBe('invalid_grant');
    await accounts(b.access_token).expect(200);
  });

  test('kind is required', async () => {
    expect((await sim.http.post('/_sim/tokens/expire').send({})).status).toBe(400);
  });
});

describe('/_sim/config', () => {
  test('changes behaviour at run time and refuses unknown settings', async () => {
    const res = await sim.http.post('/_sim/config').send({ approvalMode: 'manual', accessTokenTtlSeconds: 60 }).expect(200);
    expect(res.body).toMatchObject({ approvalMode: 'manual', accessTokenTtlSeconds: 60, rotateRefreshTokens: true, settleAfterSeconds: 60 });
    expect((await sim.http.get('/_sim/config')).body.approvalMode).toBe('manual');
    const tokens = await connect(sim.app);
    expect(tokens.expires_in).toBe(60);
    const booked = await sim.http.post(`${API}/transfer/request`).set('x-access-token', tokens.access_token).send(transferBody()).expect(201);
    expect(booked.body.resultCode).toBe('2');
    expect((await sim.http.post('/_sim/config').send({ approvalMode: 'sometimes' })).status).toBe(400);
    expect((await sim.http.post('/_sim/config').send({ colour: 'blue' })).status).toBe(400);
  });
});

describe('/_sim/transfers', () => {
  test('lists what the simulator holds, for tests', async () => {
    const tokens = await connect(sim.app, { redirectUri: redirectUriFor('shop-7') });
    await sim.http
      .post(`${API}/transfer/request`)
      .set('x-access-token', tokens.access_token)
      .set('Idempotency-Key', 'payout-1')
      .send(transferBody({}, [{ transferAmount: '2500', beneficiaryBankCode: '0005', beneficiaryBranchCode: '001', accountTypeCode: '1', accountNumber: '7654321', beneficiaryName: 'ﾔﾏﾀﾞ ﾊﾅｺ', ediInfo: 'REF123' }]))
      .expect(201);
    const res = await sim.http.get('/_sim/transfers').expect(200);
    expect(res.body.transfers).toEqual([
      {
        applyNo: '2026112400000001',
        accountId: CORPORATE_ACCOUNT,
        userId: 'corporate-user',
        companyId: 'shop-7',
        status: '12',
        statusName: '手続中',
        transferDesignatedDate: '2026-11-24',
        remitterName: 'ｱｵｿﾞﾗﾃｽﾄｼﾖｳｼﾞ(ｶ',
        amount: 2500,
        fee: 145,
        beneficiary: { bankCode: '0005', branchCode: '001', accountTypeCode: '1', accountNumber: '7654321', name: 'ﾔﾏﾀﾞ ﾊﾅｺ' },
        ediInfo: 'REF123',
        items: [
          {
            itemId: '1',
            amount: 2500,
            fee: 145,
            ediInfo: 'REF123',
            beneficiaryBankCode: '0005',
            beneficiaryBranchCode: '001',
            accountTypeCode: '1',
            accountNumber: '7654321',
            beneficiaryName: 'ﾔﾏﾀﾞ ﾊﾅｺ',
          },
        ],
        idempotencyKey: 'payout-1',
        acceptNo: '2026112400000001',
        createdAt: '2026-11-24T01:00:00.000Z',
      },
    ]);
  });
});

describe('/_sim/reset and unknown control routes', () => {
  test('reset brings back the seed: balances, no tokens, no transfers, no faults, the original config', async () => {
    const tokens = await connect(sim.app);
    await sim.http.post(`${API}/transfer/request`).set('x-access-token', tokens.access_token).send(transferBody()).expect(201);
    sim.clock.advance(60);
    await sim.http.post('/_sim/config').send({ approvalMode: 'manual' }).expect(200);
    await sim.http.post('/_sim/faults').send({ target: 'accounts', kind: 'error500' }).expect(201);

    await sim.http.post('/_sim/reset').expect(204);
    expect(sim.state.stats().apiCalls).toEqual({});
    expect(sim.state.transfers()).toEqual([]);
    expect(sim.state.pendingFaults()).toEqual([]);
    expect(sim.state.config.approvalMode).toBe('auto');
    await accounts(tokens.access_token).expect(401);
    const fresh = await connect(sim.app);
    const balances = await sim.http.get(`${API}/accounts/balances`).set('x-access-token', fresh.access_token).expect(200);
    expect(balances.body.balances[0].balance).toBe('50000000');
  });

  test('an unknown control route is a 404', async () => {
    expect((await sim.http.get('/_sim/nothing')).status).toBe(404);
  });
});

describe('in-process control through state methods', () => {
  test('the same operations are methods of sim.state', async () => {
    const tokens = await connect(sim.app);
    sim.state.configure({ approvalMode: 'manual' });
    const booked = await sim.http.post(`${API}/transfer/request`).set('x-access-token', tokens.access_token).send(transferBody()).expect(201);
    expect(sim.state.approveTransfer(booked.body.applyNo).status).toBe('12');
    expect(sim.state.forceTransferStatus(booked.body.applyNo, '40').status).toBe('40');
    sim.state.injectFault({ target: 'accounts', kind: 'maintenance' });
    await accounts(tokens.access_token).expect(503);
    expect(sim.state.expireTokens({ kind: 'access' })).toBe(1);
    await accounts(tokens.access_token).expect(401);
    expect(sim.state.revokeTokens()).toBe(2);
    sim.state.reset();
    expect(sim.state.transfers()).toEqual([]);
  });
});

describe('createSimulator and startSimulator', () => {
  test('refuse a misconfigured client at once', () => {
    expect(() => createSimulator({ clients: [] })).toThrow(/at least one client/);
    expect(() => createSimulator({ clients: [{ ...POST_CLIENT, redirectUris: ['http://x/{companyId}/{companyId}'] }] })).toThrow(/more than one/);
    expect(() => createSimulator({ clients: [POST_CLIENT, POST_CLIENT] })).toThrow(/duplicate/);
  });

  test('startSimulator listens on 127.0.0.1 and stops cleanly', async () => {
    const lines: string[] = [];
    const running = await startSimulator({ clock: new TestClock(), clients: [POST_CLIENT], logger: (l) => lines.push(l) });
    expect(running.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const tokens = await connect(running.sim.app);
    const res = await fetch(`${running.url}${API}/accounts`, { headers: { 'x-access-token': tokens.access_token }, signal: AbortSignal.timeout(5000) });
    expect(res.status).toBe(200);
    await running.stop();
    await expect(fetch(`${running.url}${API}/accounts`, { signal: AbortSignal.timeout(5000) })).rejects.toThrow();

    const log = lines.join('\n');
    expect(lines.every((l) => JSON.parse(l).component === 'gmo-simulator')).toBe(true);
    expect(log).toContain(`"path":"${AUTH}/token"`);
    for (const secret of [tokens.access_token, tokens.refresh_token as string, POST_CLIENT.clientSecret]) expect(log).not.toContain(secret);
  });
});
