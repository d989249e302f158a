import request from 'supertest';
import { Webhook } from 'standardwebhooks';
import { PassThrough, Readable } from 'node:stream';
import { EXIT, runCli } from '../../src/cli/program';
import { buildServices } from '../../src/services';
import { RETRY_FOR_MS } from '../../src/webhooks/outbox';
import { WebhookDelivery } from '../../src/webhooks/webhookDelivery.entity';
import { WebhookEvent } from '../../src/webhooks/webhookEvent.entity';
import { bearer, connectCompany } from '../support/connect';
import { DATABASES } from '../support/databases';
import { startHarness, type Harness } from '../support/harness';
import { startWebhookReceiver, type ReceivedHook, type WebhookReceiver } from '../support/webhookReceiver';

const SECRET = `whsec_${Buffer.alloc(32, 7).toString('base64')}`;
const SELLER = { bankCode: '0005', branchCode: '001', accountType: 'ordinary', accountNumber: '1357913', name: 'ｶﾄｳ ｼﾞﾛｳ' };

describe.each(DATABASES)('webhooks to ReCORE on %s', (kind) => {
  let h: Harness;
  let receiver: WebhookReceiver;
  let key: string;
  beforeAll(async () => {
    receiver = await startWebhookReceiver();
    h = await startHarness(kind, { env: { WEBHOOK_URL: receiver.url, WEBHOOK_SECRET: SECRET, WEBHOOK_TIMEOUT_MS: '1000' } });
    ({ key } = await connectCompany(h, 'SHOP'));
  });
  afterAll(async () => {
    await h?.close();
    await receiver?.close();
  });

  const deliver = () => h.services.dispatcher.runOnce();
  const pay = (idem: string, amount = 5_000) =>
    request(h.app).post('/v1/companies/SHOP/transfers').set(...bearer(key)).set('idempotency-key', idem).send({ amount, beneficiary: SELLER }).expect(201);
  const events = (hooks: ReceivedHook[]) => hooks.map((r) => JSON.parse(r.body) as { id: string; type: string; data: Record<string, unknown> });
  const since = (n: number) => receiver.received.slice(n);

  test('state changes arrive as signed events that verify with the standardwebhooks verifier, secrets never in them', async () => {
    const before = receiver.received.length;
    const t = (await pay('wh-1')).body;
    h.clock.advanceSeconds(20);
    await h.services.poller.runOnce();
    h.clock.advanceSeconds(120);
    await h.services.poller.runOnce();
    await deliver();
    const hooks = since(before);
    const verifier = new Webhook(SECRET);
    for (const hook of hooks) {
      const verified = verifier.verify(hook.body, hook.headers as Record<string, string>) as { id: string };
      expect(verified.id).toBe(hook.headers['webhook-id']);
      expect(hook.headers['webhook-signature']).toMatch(/^v1,/);
    }
    const mine = events(hooks).filter((e) => (e.data as { id?: string }).id === t.id);
    expect(mine.map((e) => e.type)).toEqual(['transfer.submitted', 'transfer.completed']);
    expect(mine[1].data).toMatchObject({ status: 'completed', amount: 5_000, beneficiary: { accountNumber: '***7913' } });
    const all = hooks.map((r) => r.body).join('\n');
    expect(all).not.toContain('1357913');
    // the company's own account: neither its number nor the accountId that contains it
    expect(all).not.toContain('1234567');
    expect(mine[1].data).toMatchObject({ accountId: '10101***4567' });
    expect(all).not.toContain(SECRET);
    const access = await h.services.vault.accessToken('SHOP');
    expect(all).not.toContain(access);
  });

  test('connection events carry the connection as the API shows it (account numbers masked)', async () => {
    const before = receiver.received.length;
    const other = await connectCompany(h, 'SHOP2');
    await request(h.app).delete('/v1/companies/SHOP2/connection').set(...bearer(other.key)).expect(200);
    await deliver();
    const types = events(since(before)).filter((e) => e.data.companyId === 'SHOP2');
    expect(types.map((e) => e.type)).toEqual(['connection.connected', 'connection.disconnected']);
    const connected = types[0].data as { accounts: Array<{ accountNumber: string }>; refreshTokenExpiresAt: string };
    expect(connected.accounts[0].accountNumber).toMatch(/^\*\*\*\d{4}$/);
    expect(connected.refreshTokenExpiresAt).toEqual(expect.any(String));
    expect(types[1].data).toMatchObject({ status: 'disconnected', accounts: [] });
  });

  test('a receiver that answers 500 twice, then 200, gets the event three times (same webhook-id); then it is delivered', async () => {
    const before = receiver.received.length;
    receiver.answerWith(500, 500);
    const t = (await pay('wh-retry')).body;
    await deliver();
    for (let i = 0; i < 5 && receiver.received.length - before < 3; i++) {
      h.clock.advanceSeconds(120);
      await deliver();
    }
    const hooks = since(before);
    expect(hooks.map((r) => r.status)).toEqual([500, 500, 200]);
    expect(new Set(hooks.map((r) => r.headers['webhook-id'])).size).toBe(1);
    const [delivery] = await h.services.db.manager.findBy(WebhookDelivery, { eventId: String(hooks[0].headers['webhook-id']) });
    expect(delivery).toMatchObject({ status: 'delivered', attempts: 3, lastError: null });
    expect(JSON.parse(delivery.attemptLog).map((a: { status: number }) => a.status)).toEqual([500, 500, 200]);
    expect(events(hooks)[0].data).toMatchObject({ id: t.id });
  });

  test('a receiver that is down for a while gets everything after it comes back, in order per transfer', async () => {
    await receiver.down();
    const t = (await pay('wh-down')).body;
    h.sim.state.forceTransferStatus(t.applyNo, '40');
    h.clock.advanceSeconds(20);
    await h.services.poller.runOnce();
    for (let i = 0; i < 3; i++) {
      await deliver();
      h.clock.advanceSeconds(600);
    }
    const before = receiver.received.length;
    await receiver.up();
    for (let i = 0; i < 4; i++) {
      h.clock.advanceSeconds(3600);
      await deliver();
    }
    const mine = events(since(before)).filter((e) => (e.data as { id?: string }).id === t.id);
    expect(mine.map((e) => e.type)).toEqual(['transfer.submitted', 'transfer.failed']);
  });

  test('an event written before a crash is delivered by the next instance; a crashed sender’s claim lapses', async () => {
    const before = receiver.received.length;
    const t = (await pay('wh-crash')).body;
    // this instance "dies" here: it never delivers. Another process starts on the same database.
    const [pending] = await h.services.db.manager.findBy(WebhookDelivery, { status: 'pending' });
    expect(pending).toBeDefined();
    await h.services.db.manager.update(WebhookDelivery, { id: pending.id }, { leaseHolder: 'dead-instance', leaseUntil: new Date(h.clock.now().getTime() + 30_000) });
    const restarted = buildServices(h.config, h.services.db, h.clock, h.services.log, { instanceId: 'restarted' });
    await restarted.dispatcher.runOnce();
    const held = since(before).length;
    h.clock.advanceSeconds(31);
    await restarted.dispatcher.runOnce();
    const mine = events(since(before)).filter((e) => (e.data as { id?: string }).id === t.id);
    expect(mine.map((e) => e.type)).toEqual(['transfer.submitted']);
    expect(held).toBe(since(before).length - 1);
  });

  test('two instances delivering at once send every attempt once', async () => {
    const before = receiver.received.length;
    for (let i = 0; i < 12; i++) await pay(`wh-two-${i}`, 6_000 + i);
    const other = h.anotherInstance();
    await Promise.all([deliver(), other.dispatcher.runOnce(), deliver(), other.dispatcher.runOnce()]);
    const ids = since(before).map((r) => r.headers['webhook-id']);
    expect(ids).toHaveLength(12);
    expect(new Set(ids).size).toBe(12);
  });

  test('an instance with a stale copy cannot claim an attempt another instance already made', async () => {
    receiver.answerWith(500);
    await pay('wh-stale');
    const [stale] = await h.services.outbox.due(1);
    expect(await h.services.outbox.claim(stale, 'instance-a', 10_000)).toBe(true);
    await h.services.outbox.attempted(stale, { at: h.clock.now().toISOString(), status: 500, ms: 1 }, false, 'instance-a');
    h.clock.advanceSeconds(3600);
    expect(await h.services.outbox.claim(stale, 'instance-b', 10_000)).toBe(false);
    await deliver();
  });

  test('a state change that rolls back leaves no event behind', async () => {
    const events = () => h.services.db.manager.count(WebhookEvent);
    const before = await events();
    await expect(
      h.services.db.transaction(async (em) => {
        await h.services.outbox.record(em, { type: 'transfer.completed', companyId: 'SHOP', resourceId: 'rolled-back', data: {} });
        throw new Error('the state change failed');
      }),
    ).rejects.toThrow('the state change failed');
    expect(await events()).toBe(before);
  });

  test('after 24 hours of failures a delivery is failed (logged), and can be redelivered', async () => {
    await receiver.down();
    try {
      await pay('wh-fail');
      for (let elapsed = 0; elapsed <= RETRY_FOR_MS / 1000 + 3600; elapsed += 3600) {
        await deliver();
        h.clock.advanceSeconds(3600);
      }
      await deliver();
      const [failed] = await h.services.db.manager.find(WebhookDelivery, { where: { status: 'failed' } });
      expect(failed).toMatchObject({ status: 'failed', nextAttemptAt: null });
      // hourly ticks; retries back off to about an hour (±20 % jitter), so some ticks find nothing due
      expect(failed.attempts).toBeGreaterThanOrEqual(15);
      expect(failed.lastError).toMatch(/ECONNREFUSED/);
      expect(h.logs.some((l) => l.includes('webhook delivery failed for good') && l.includes(failed.id))).toBe(true);
      await receiver.up();
      const again = await h.services.outbox.redeliver(failed.id);
      expect(again.status).toBe('pending');
      await deliver();
      expect((await h.services.db.manager.findOneByOrFail(WebhookDelivery, { id: failed.id })).status).toBe('delivered');
    } finally {
      await receiver.up().catch(() => undefined);
    }
  });

  describe('the admin API', () => {
    let admin: string;
    let shopAdmin: string;
    beforeAll(async () => {
      admin = (await h.services.apiKeys.create('ops', null, { scopes: ['admin'] })).key;
      shopAdmin = (await h.services.apiKeys.create('shop-ops', 'SHOP', { scopes: ['admin'] })).key;
    });
    const api = (method: 'get' | 'post', path: string, apiKey = admin) => request(h.app)[method](path).set(...bearer(apiKey));

    test.each([
      ['a private address', 'https://10.1.2.3/hooks', 'private or reserved'],
      ['link-local metadata', 'http://169.254.169.254/latest', 'private or reserved'],
      ['credentials in the URL', 'https://user:pw@recore.example/hooks', 'credentials'],
      ['not a URL', 'recore hooks', 'absolute URL'],
    ])('refuses %s as a receiver (422 naming url), stores nothing', async (_what, url, reason) => {
      const before = (await api('get', '/v1/webhook-endpoints').expect(200)).body.items.length;
      const res = await api('post', '/v1/webhook-endpoints').send({ url }).expect(422);
      expect(res.body).toMatchObject({ type: expect.stringContaining('receiver-not-allowed'), errors: [{ field: 'url', reason: expect.stringContaining(reason) }] });
      expect((await api('get', '/v1/webhook-endpoints').expect(200)).body.items).toHaveLength(before);
    });

    test('bad fields are a 400 naming them', async () => {
      const res = await api('post', '/v1/webhook-endpoints').send({ url: receiver.url, eventTypes: ['transfer.exploded'] }).expect(400);
      expect(res.body.errors[0].field).toBe('eventTypes.0');
      await api('post', '/v1/webhook-endpoints/not-an-id/disable').expect(400);
      await api('get', '/v1/webhook-deliveries?status=lost').expect(400);
    });

    test('a company endpoint for some event types gets only those, of its company; its secret is shown once and verifies', async () => {
      const shopHooks = await startWebhookReceiver('/shop');
      try {
        const created = await api('post', '/v1/webhook-endpoints', shopAdmin).send({ url: shopHooks.url, companyId: 'OTHER', eventTypes: ['transfer.submitted'] }).expect(201);
        // a company-scoped key's endpoint is its company's, whatever the body says
        expect(created.body.endpoint).toMatchObject({ companyId: 'SHOP', eventTypes: ['transfer.submitted'], status: 'active' });
        expect(created.body.secret).toMatch(/^whsec_/);
        const listed = await api('get', '/v1/webhook-endpoints', shopAdmin).expect(200);
        expect(JSON.stringify(listed.body)).not.toContain(created.body.secret);
        await connectCompany(h, 'ELSEWHERE');
        await pay('wh-company');
        await deliver();
        expect(shopHooks.received.map((r) => JSON.parse(r.body).type)).toEqual(['transfer.submitted']);
        new Webhook(created.body.secret).verify(shopHooks.received[0].body, shopHooks.received[0].headers as Record<string, string>);

        // rotation: both secrets sign for a day
        const rotated = await api('post', `/v1/webhook-endpoints/${created.body.endpoint.id}/rotate-secret`, shopAdmin).expect(200);
        await pay('wh-rotated');
        await deliver();
        const last = shopHooks.received[shopHooks.received.length - 1];
        expect(String(last.headers['webhook-signature']).split(' ')).toHaveLength(2);
        for (const secret of [created.body.secret, rotated.body.secret]) new Webhook(secret).verify(last.body, last.headers as Record<string, string>);

        // ping, disable, enable
        const ping = await api('post', `/v1/webhook-endpoints/${created.body.endpoint.id}/ping`, shopAdmin).expect(200);
        expect(ping.body).toMatchObject({ eventType: 'ping', status: 'delivered', attempts: 1 });
        await api('post', `/v1/webhook-endpoints/${created.body.endpoint.id}/disable`, shopAdmin).expect(200);
        const count = shopHooks.received.length;
        await pay('wh-disabled');
        await deliver();
        expect(shopHooks.received).toHaveLength(count);
        await api('post', `/v1/webhook-endpoints/${created.body.endpoint.id}/enable`, shopAdmin).expect(200);

        // a company's admin key sees deliveries to its own endpoints only, not to the deployment's
        const own = (await api('get', '/v1/webhook-deliveries?limit=200', shopAdmin).expect(200)).body.items as Array<{ endpointId: string }>;
        expect(own.length).toBeGreaterThan(0);
        expect(own.every((d) => d.endpointId === created.body.endpoint.id)).toBe(true);
        // another company's admin key sees none of it
        const otherAdmin = (await h.services.apiKeys.create('other-ops', 'OTHER', { scopes: ['admin'] })).key;
        expect((await api('get', '/v1/webhook-endpoints', otherAdmin).expect(200)).body.items).toEqual([]);
        await api('post', `/v1/webhook-endpoints/${created.body.endpoint.id}/disable`, otherAdmin).expect(404);
        expect((await api('get', `/v1/webhook-deliveries?endpointId=${created.body.endpoint.id}`, otherAdmin).expect(200)).body.items).toEqual([]);
      } finally {
        await shopHooks.close();
      }
    });

    test('deliveries are listed with their attempts and last error, and one can be redelivered', async () => {
      receiver.answerWith(503);
      await pay('wh-list');
      await deliver();
      const pending = await api('get', '/v1/webhook-deliveries?status=pending&endpointId=default').expect(200);
      const d = pending.body.items[0];
      expect(d).toMatchObject({ status: 'pending', attempts: 1, lastError: 'HTTP 503', attemptLog: [{ status: 503 }] });
      const again = await api('post', `/v1/webhook-deliveries/${d.id}/redeliver`).expect(202);
      expect(again.body).toMatchObject({ id: d.id, status: 'pending' });
      await deliver();
      expect((await api('get', '/v1/webhook-deliveries?status=delivered&limit=200').expect(200)).body.items.map((x: { id: string }) => x.id)).toContain(d.id);
    });

    test('every endpoint change is audited with its actor, and never its secret', async () => {
      const created = await api('post', '/v1/webhook-endpoints').send({ url: receiver.url.replace('/hooks', '/audited') }).expect(201);
      await api('post', `/v1/webhook-endpoints/${created.body.endpoint.id}/rotate-secret`).expect(200);
      const rows: Array<{ action: string; actorName: string; resourceId: string; details: string | null }> = await h.services.db.dataSource.query(
        "SELECT action, actorName, resourceId, details FROM audit_events WHERE action LIKE 'webhook_endpoint.%' AND resourceId = ?",
        [created.body.endpoint.id],
      );
      expect(rows.map((r) => [r.action, r.actorName])).toEqual([
        ['webhook_endpoint.create', 'ops'],
        ['webhook_endpoint.rotate_secret', 'ops'],
      ]);
      expect(JSON.stringify(rows)).not.toContain(created.body.secret);
      await api('post', `/v1/webhook-endpoints/${created.body.endpoint.id}/disable`).expect(200);
    });
  });

  test('a transfer still unknown after the threshold is announced once (transfer.outcome_unknown)', async () => {
    const before = receiver.received.length;
    h.sim.state.injectFault({ target: 'transfer.request', kind: 'error500' });
    const t = (await request(h.app).post('/v1/companies/SHOP/transfers').set(...bearer(key)).set('idempotency-key', 'wh-unknown').send({ amount: 7_700, beneficiary: SELLER }).expect(202)).body;
    h.sim.state.injectFault({ target: 'transfer.status', kind: 'error500', count: 10 });
    for (let i = 0; i < 4; i++) {
      h.clock.advanceSeconds(15 * 60);
      await h.services.reconciler.poll(await h.services.transferStore.get('SHOP', t.id));
    }
    h.sim.state.clearFaults();
    await deliver();
    const unknown = events(since(before)).filter((e) => e.type === 'transfer.outcome_unknown');
    expect(unknown).toHaveLength(1);
    expect(unknown[0].data).toMatchObject({ id: t.id, status: 'unknown' });
  });

  test('connection.reauthorization_required when the bank refuses the refresh token; connection.expiring once when it nears its end', async () => {
    const before = receiver.received.length;
    const { key: k } = await connectCompany(h, 'LAPSING');
    h.clock.advanceSeconds(80 * 86_400);
    const watch = (await h.services.jobs.find((j) => j.name === 'watch-connection-expiry')!.run()) as { announced: number };
    expect(watch.announced).toBeGreaterThanOrEqual(1);
    expect(await h.services.jobs.find((j) => j.name === 'watch-connection-expiry')!.run()).toMatchObject({ announced: 0 });
    h.sim.state.injectFault({ target: 'token', kind: 'invalid_grant' });
    await request(h.app).get('/v1/companies/LAPSING/accounts').set(...bearer(k)).expect(409);
    await deliver();
    const mine = events(since(before)).filter((e) => e.data.companyId === 'LAPSING');
    expect(mine.map((e) => e.type)).toEqual(['connection.connected', 'connection.expiring', 'connection.reauthorization_required']);
  });

  test('the CLI adds, lists, pings and lists deliveries of an endpoint; a change needs an operator', async () => {
    const cli = async (...argv: string[]) => {
      const stdout = new PassThrough();
      const stderr = new PassThrough();
      let out = '';
      let err = '';
      stdout.on('data', (c) => (out += String(c)));
      stderr.on('data', (c) => (err += String(c)));
      const status = await runCli(async () => h.services, argv, { stdout, stderr, stdin: Readable.from([]), env: {} });
      return { status, out, err };
    };
    expect((await cli('webhook', 'add', '--url', receiver.url)).status).toBe(EXIT.usage);
    const added = await cli('--operator', 'ops-anna', 'webhook', 'add', '--url', receiver.url.replace('/hooks', '/cli'), '--events', 'transfer.completed,transfer.failed');
    expect(added.status).toBe(EXIT.ok);
    const { endpoint, secret } = JSON.parse(added.out);
    expect(secret).toMatch(/^whsec_/);
    expect((await cli('webhook', 'add', '--operator', 'x', '--url', receiver.url, '--events', 'transfer.exploded')).status).toBe(EXIT.usage);
    const listed = await cli('webhook', 'list');
    expect(JSON.parse(listed.out).map((e: { id: string }) => e.id)).toContain(endpoint.id);
    expect(listed.out).not.toContain(secret);
    const ping = await cli('webhook', 'ping', endpoint.id);
    expect(ping.status).toBe(EXIT.ok);
    expect(JSON.parse(ping.out)).toMatchObject({ eventType: 'ping', status: 'delivered' });
    const deliveries = await cli('webhook', 'deliveries', '--endpoint', endpoint.id, '--status', 'delivered');
    expect(JSON.parse(deliveries.out)).toHaveLength(1);
    expect((await cli('--operator', 'ops-anna', 'webhook', 'disable', endpoint.id)).status).toBe(EXIT.ok);
  });
});
