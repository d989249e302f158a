import { createServer, type AddressInfo, type Socket } from 'node:net';
import request from 'supertest';
import { createApp } from '../../src/app';
import type { BankProxySettings } from '../../src/bank/egress';
import type { Config } from '../../src/config';
import { buildServices, type Services } from '../../src/services';
import { Transfer } from '../../src/transfers/transfer.entity';
import { bearer, connectCompany } from '../support/connect';
import { DATABASES } from '../support/databases';
import { startForwardProxy, type ForwardProxy } from '../support/forwardProxy';
import { startHarness, type Harness } from '../support/harness';
import { expectMoneyInvariant } from '../support/moneyInvariant';
import { startWebhookReceiver, type WebhookReceiver } from '../support/webhookReceiver';

/**
 * The service in `staging` mode (the simulator on 127.0.0.1 stands in for GMO's staging host) reaching the
 * bank through a real forward proxy: which calls the proxy relays, what a refusing or dead proxy is
 * answered as, and that webhooks keep their own way out.
 */
const USER = 'gbi-egress';
/** characters that must be percent-encoded in the proxy URL */
const PASSWORD = 'pa:ss@w/rd%1';
const WRONG_PASSWORD = 'not-the-pa55word';
const ACCESS_TOKEN_TTL = 3600;
const BANK_TIMEOUT_MS = 1000;
const SELLER = { bankCode: '0005', branchCode: '001', accountType: 'ordinary', accountNumber: '2468024', name: 'ｽｽﾞｷ ｲﾁﾛｳ' };
const SECRET = `whsec_${Buffer.alloc(32, 9).toString('base64')}`;
/** the settling loop: at most this many poller passes, each after this many seconds of clock */
const SETTLE_PASSES = 10;
const SETTLE_STEP = 300;
/** where a payout settles once sent: accepted, or already paid by the time the poller looks */
const AT_THE_BANK = ['submitted', 'completed'];

const staging = (env: Record<string, string>) => ({
  BANK_ENV: 'staging',
  BANK_TIMEOUT_MS: String(BANK_TIMEOUT_MS),
  TOKEN_REFRESH_MARGIN_SECONDS: '60',
  ...env,
});

/** "POST /token", "GET /accounts": a relayed request without the bank's base path and query. */
const call = (r: { method: string; path: string }) => `${r.method} ${r.path.replace(/^\/ganb\/api\/(auth|corporation)\/v1/, '').replace(/\?.*$/, '')}`;

let instances = 0;
/** Another instance on the same database and bank whose configuration differs by `change`. */
function instanceWith(h: Harness, change: (c: Config) => Config): Services {
  return buildServices(change(h.config), h.services.db, h.clock, h.services.log, { instanceId: `variant-${++instances}` });
}
const withBankProxy = (proxy: BankProxySettings) => (c: Config): Config => ({ ...c, bank: { ...c.bank, proxy } });

describe.each(DATABASES)('every bank call through the egress proxy on %s', (kind) => {
  let h: Harness;
  let proxy: ForwardProxy;
  let key: string;
  let simAuthority: string;
  /** a port nothing listens on: a bank that is down */
  let closedPort: number;
  let amount = 3_000;

  beforeAll(async () => {
    proxy = await startForwardProxy({ credentials: { user: USER, password: PASSWORD } });
    h = await startHarness(kind, {
      env: staging({ BANK_PROXY_URL: proxy.urlWith(USER, PASSWORD) }),
      simulator: { accessTokenTtlSeconds: ACCESS_TOKEN_TTL, hangMs: BANK_TIMEOUT_MS + 500, bankCalendar: false },
    });
    key = await h.apiKey(null);
    simAuthority = new URL(h.simUrl).host;
    const spare = createServer();
    await new Promise<void>((resolve) => spare.listen(0, '127.0.0.1', resolve));
    closedPort = (spare.address() as AddressInfo).port;
    await new Promise((resolve) => spare.close(resolve));
  });
  afterAll(async () => {
    await h?.close();
    await proxy?.close();
  });

  /** the calls the bank served to the service: every route but the consent page, which the store owner's browser opens */
  const simCalls = () =>
    Object.entries(h.sim.state.stats().apiCalls)
      .filter(([route]) => route !== 'authorization')
      .reduce((sum, [, n]) => sum + n, 0);
  const pay = (app: Parameters<typeof request>[0], companyId: string, idem: string) =>
    request(app).post(`/v1/companies/${companyId}/transfers`).set(...bearer(key)).set('idempotency-key', idem).send({ amount: ++amount, beneficiary: SELLER });
  const accounts = (app: Parameters<typeof request>[0], companyId: string) => request(app).get(`/v1/companies/${companyId}/accounts`).set(...bearer(key));
  const row = (id: string) => h.services.db.manager.findOneByOrFail(Transfer, { id });
  const bookedFor = (id: string) => h.sim.state.transfers().filter((b) => b.idempotencyKey === id);
  async function settle(id: string): Promise<Transfer> {
    let t = await row(id);
    for (let pass = 0; pass < SETTLE_PASSES && (t.status === 'pending' || t.status === 'unknown'); pass++) {
      h.clock.advanceSeconds(SETTLE_STEP);
      await h.services.poller.runOnce();
      t = await row(id);
    }
    return t;
  }
  const secretsInLogs = () => h.logs.filter((l) => [PASSWORD, encodeURIComponent(PASSWORD), WRONG_PASSWORD].some((s) => l.includes(s)));

  test('connect, exchange code, accounts, transfer request, status, refresh: every one through the proxy, with its credentials', async () => {
    const { page } = await connectCompany(h, 'SHOP', { key });
    expect(page.body).toContain('銀行口座の連携が完了しました');
    const created = await pay(h.app, 'SHOP', 'through-1').expect(201);
    h.clock.advanceSeconds(60);
    await h.services.poller.runOnce();
    expect((await row(created.body.id)).status).toBe('completed');
    h.clock.advanceSeconds(ACCESS_TOKEN_TTL);
    await accounts(h.app, 'SHOP').expect(200);

    const calls = proxy.requests.map(call);
    // the fee is quoted alongside the request: the two may reach the proxy in either order
    expect([...calls.slice(2, 4)].sort()).toEqual(['POST /transfer/request', 'POST /transfer/transferfee']);
    expect([...calls.slice(0, 2), ...calls.slice(4)]).toEqual([
      'POST /token',
      'GET /accounts',
      'GET /transfer/status',
      'POST /token',
      'GET /accounts',
    ]);
    // nothing reached the bank around the proxy
    expect(proxy.requests).toHaveLength(simCalls());
    expect(h.sim.state.stats().tokenRequests).toEqual({ authorization_code: 1, refresh_token: 1 });
    expect(new Set(proxy.connects)).toEqual(new Set([simAuthority]));
    expect(proxy.refused).toBe(0);
    expect(h.logs.some((l) => l.includes('bank egress') && l.includes('BANK_PROXY_URL') && l.includes('***@127.0.0.1'))).toBe(true);
    expect(secretsInLogs()).toEqual([]);
  });

  test('NO_PROXY bypasses the environment’s proxy; without it the same variables send the calls through', async () => {
    const direct = createApp(instanceWith(h, withBankProxy({ httpProxy: proxy.urlWith(USER, PASSWORD), noProxy: `example.org,${new URL(h.simUrl).hostname}` })));
    const [relayed, reached] = [proxy.requests.length, simCalls()];
    await accounts(direct, 'SHOP').expect(200);
    expect({ relayed: proxy.requests.length - relayed, reached: simCalls() - reached }).toEqual({ relayed: 0, reached: 1 });

    const proxied = createApp(instanceWith(h, withBankProxy({ httpProxy: proxy.urlWith(USER, PASSWORD), noProxy: 'example.org' })));
    await accounts(proxied, 'SHOP').expect(200);
    expect(proxy.requests.slice(relayed).map(call)).toEqual(['GET /accounts']);
  });

  test('a wrong proxy password is answered (503, or a pending payout), never a crash; the poller sends the payout once', async () => {
    const wrong = instanceWith(h, withBankProxy({ explicit: proxy.urlWith(USER, WRONG_PASSWORD) }));
    const app = createApp(wrong);
    const [refused, reached] = [proxy.refused, simCalls()];

    const read = await accounts(app, 'SHOP').expect(503);
    expect(read.body).toMatchObject({ type: expect.stringContaining('bank-unavailable'), bankError: 'network' });
    const payout = await pay(app, 'SHOP', 'wrong-password-1').expect(202);
    expect(payout.body.status).toBe('pending');
    // the refresh takes the same way out and fails the same way
    h.clock.advanceSeconds(ACCESS_TOKEN_TTL);
    expect((await accounts(app, 'SHOP').expect(503)).body.bankError).toBe('token_network');
    await wrong.poller.runOnce();
    expect((await row(payout.body.id)).status).toBe('pending');
    // the read, the payout's request and the fee quote alongside it, the refresh, the poller's refresh
    expect({ refused: proxy.refused - refused, reached: simCalls() - reached }).toEqual({ refused: 5, reached: 0 });

    // the right credentials: the poller sends it, exactly once
    expect(AT_THE_BANK).toContain((await settle(payout.body.id)).status);
    expect(bookedFor(payout.body.id)).toHaveLength(1);
    await expectMoneyInvariant(h);
    expect(secretsInLogs()).toEqual([]);
  });

  test('a dead proxy answers as a dead bank: 503 for reads, a payout certainly not sent is pending, sent once the proxy is back', async () => {
    await proxy.down();
    try {
      const reached = simCalls();
      const read = await accounts(h.app, 'SHOP').expect(503);
      expect(read.body).toMatchObject({ type: expect.stringContaining('bank-unavailable'), bankError: 'network' });
      expect(read.headers['retry-after']).toBe('5');
      const payout = await pay(h.app, 'SHOP', 'dead-proxy-1').expect(202);
      expect(payout.body.status).toBe('pending');
      // the token endpoint too, and the poller keeps the payout pending while the proxy is down
      h.clock.advanceSeconds(ACCESS_TOKEN_TTL);
      expect((await accounts(h.app, 'SHOP').expect(503)).body.bankError).toBe('token_network');
      h.clock.advanceSeconds(60);
      await h.services.poller.runOnce();
      expect((await row(payout.body.id)).status).toBe('pending');
      expect(simCalls()).toBe(reached);

      await proxy.up();
      expect(AT_THE_BANK).toContain((await settle(payout.body.id)).status);
      expect(bookedFor(payout.body.id)).toHaveLength(1);
      await expectMoneyInvariant(h);
    } finally {
      await proxy.up();
    }
  });

  test('a proxy that takes the connection and never answers the CONNECT: a read times out (503), a payout is unknown, then reconciled to one transfer', async () => {
    const held = new Set<Socket>();
    const mute = createServer((s) => {
      held.add(s);
      s.on('error', () => undefined);
    });
    await new Promise<void>((resolve) => mute.listen(0, '127.0.0.1', resolve));
    try {
      const app = createApp(instanceWith(h, withBankProxy({ explicit: `http://127.0.0.1:${(mute.address() as AddressInfo).port}` })));
      const reached = simCalls();
      const read = await accounts(app, 'SHOP').expect(503);
      expect(read.body).toMatchObject({ type: expect.stringContaining('bank-unavailable'), bankError: 'timeout' });
      // the bank never saw it, but a timeout cannot tell: the payout is reconciled before anything is resent
      const payout = await pay(app, 'SHOP', 'mute-proxy-1').expect(202);
      expect(payout.body.status).toBe('unknown');
      expect(simCalls()).toBe(reached);
      expect(held.size).toBeGreaterThanOrEqual(1);

      expect(AT_THE_BANK).toContain((await settle(payout.body.id)).status);
      expect(bookedFor(payout.body.id)).toHaveLength(1);
      await expectMoneyInvariant(h);
    } finally {
      for (const s of held) s.destroy();
      await new Promise((resolve) => mute.close(resolve));
    }
  });

  test('a bank the proxy cannot reach (502 to the CONNECT) is answered as a dead bank: the payout is pending, not unknown', async () => {
    const unreachable = instanceWith(h, (c) => ({ ...c, bank: { ...c.bank, apiUrl: `http://127.0.0.1:${closedPort}/ganb/api/corporation/v1` } }));
    const app = createApp(unreachable);
    const read = await accounts(app, 'SHOP').expect(503);
    expect(read.body).toMatchObject({ type: expect.stringContaining('bank-unavailable'), bankError: 'network' });
    const payout = await pay(app, 'SHOP', 'unreachable-1').expect(202);
    expect(payout.body.status).toBe('pending');
    expect(AT_THE_BANK).toContain((await settle(payout.body.id)).status);
    expect(bookedFor(payout.body.id)).toHaveLength(1);
    await expectMoneyInvariant(h);
  });

  test('a bank timeout inside the tunnel stays unknown, and is reconciled to one transfer', async () => {
    h.sim.state.injectFault({ target: 'transfer.request', kind: 'timeout_after_commit' });
    const relayed = proxy.requests.length;
    const payout = await pay(h.app, 'SHOP', 'tunnel-timeout-1').expect(202);
    expect(payout.body.status).toBe('unknown');
    expect(proxy.requests.slice(relayed).map(call).sort()).toEqual(['POST /transfer/request', 'POST /transfer/transferfee']);
    expect(AT_THE_BANK).toContain((await settle(payout.body.id)).status);
    expect(bookedFor(payout.body.id)).toHaveLength(1);
    await expectMoneyInvariant(h);
  });
});

describe.each(DATABASES)('webhooks keep their own way out on %s', (kind) => {
  let h: Harness;
  let bankProxy: ForwardProxy;
  let hookProxy: ForwardProxy;
  let receiver: WebhookReceiver;
  let key: string;

  beforeAll(async () => {
    bankProxy = await startForwardProxy();
    hookProxy = await startForwardProxy({ credentials: { user: USER, password: PASSWORD } });
    receiver = await startWebhookReceiver();
    h = await startHarness(kind, {
      env: staging({ HTTPS_PROXY: bankProxy.url, HTTP_PROXY: bankProxy.url, WEBHOOK_URL: receiver.url, WEBHOOK_SECRET: SECRET }),
    });
    key = await h.apiKey(null);
  });
  afterAll(async () => {
    await h?.close();
    await Promise.all([bankProxy?.close(), hookProxy?.close(), receiver?.close()]);
  });

  const receiverAuthority = () => new URL(receiver.url).host;
  const connectedEvents = (companyId: string) =>
    receiver.received.map((r) => JSON.parse(r.body) as { type: string; data: { companyId?: string } }).filter((e) => e.type === 'connection.connected' && e.data.companyId === companyId);

  test('with HTTPS_PROXY/HTTP_PROXY set the bank goes through the proxy and webhooks still go direct', async () => {
    await connectCompany(h, 'HOOK-DIRECT', { key });
    expect(bankProxy.requests.map((r) => r.authority)).toContain(new URL(h.simUrl).host);
    expect((await h.services.dispatcher.runOnce()).delivered).toBeGreaterThanOrEqual(1);
    expect(connectedEvents('HOOK-DIRECT')).toHaveLength(1);
    expect(bankProxy.connects).not.toContain(receiverAuthority());
    expect(hookProxy.connects).toEqual([]);
  });

  test('with WEBHOOK_PROXY_URL they go through it (CONNECT, with its credentials), never through the bank’s proxy', async () => {
    const proxied = instanceWith(h, (c) => ({ ...c, webhooks: { ...c.webhooks, proxyUrl: hookProxy.urlWith(USER, PASSWORD) } }));
    await connectCompany(h, 'HOOK-PROXY', { key });
    expect((await proxied.dispatcher.runOnce()).delivered).toBeGreaterThanOrEqual(1);
    expect(connectedEvents('HOOK-PROXY')).toHaveLength(1);
    expect(hookProxy.connects).toContain(receiverAuthority());
    expect(hookProxy.requests).toContainEqual({ authority: receiverAuthority(), method: 'POST', path: new URL(receiver.url).pathname });
    expect(hookProxy.refused).toBe(0);
    expect(bankProxy.connects).not.toContain(receiverAuthority());
    expect(h.logs.filter((l) => l.includes(PASSWORD) || l.includes(encodeURIComponent(PASSWORD)))).toEqual([]);
  });
});
