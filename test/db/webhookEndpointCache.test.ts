import request from 'supertest';
import type { EntityManager } from 'typeorm';
import { WebhookDelivery } from '../../src/webhooks/webhookDelivery.entity';
import { bearer, connectCompany } from '../support/connect';
import { DATABASES } from '../support/databases';
import { startHarness, type Harness } from '../support/harness';

const SELLER = { bankCode: '0005', branchCode: '001', accountType: 'ordinary', accountNumber: '2468024', name: 'ｻﾄｳ ﾊﾅｺ' };
/** a receiver nobody needs to run: these tests count the deliveries written, not sent */
const RECEIVER = 'http://127.0.0.1:9/hooks';

/**
 * Events choose their receivers from the active endpoints as read at most WEBHOOK_ENDPOINT_CACHE_SECONDS (5 s)
 * ago: a statement fewer per event (issue 12). A change made on this instance takes effect at once; one made on
 * another instance (or by the CLI) within the bound, never later. Time is the harness's manual clock.
 */
describe.each(DATABASES)('webhook endpoints as events see them, on %s', (kind) => {
  let h: Harness;
  let key: string;
  let n = 0;
  beforeAll(async () => {
    h = await startHarness(kind, { simulator: { bankCalendar: false } });
    ({ key } = await connectCompany(h, 'SHOP'));
  });
  afterAll(async () => {
    await h?.close();
  });

  let paidWith = 0;
  /** a payout (its transfer.submitted event); the endpoints that got a delivery of it (`paidWith`: its statements) */
  const pay = async (): Promise<string[]> => {
    const before = h.services.db.statementsSent;
    const t = (await request(h.app).post('/v1/companies/SHOP/transfers').set(...bearer(key)).set('idempotency-key', `cache-${++n}`).send({ amount: 1000, beneficiary: SELLER }).expect(201)).body;
    paidWith = h.services.db.statementsSent - before;
    const deliveries = await h.services.db.manager.find(WebhookDelivery, { where: { resourceId: t.id, eventType: 'transfer.submitted' } });
    return deliveries.map((d) => d.endpointId);
  };

  test('an endpoint created on this instance gets the very next event; a second event within the bound reads no endpoint', async () => {
    const { endpoint } = await h.services.webhookEndpoints.create({ url: RECEIVER, companyId: 'SHOP', eventTypes: null });
    // a quote that fails writes nothing: the statements are exact (see statementCount.test.ts)
    h.sim.state.injectFault({ target: 'transfer.fee', kind: 'error500', count: 2 });
    expect(await pay()).toEqual([endpoint.id]);
    const read = paidWith;
    expect(await pay()).toEqual([endpoint.id]);
    // the same payout less the read of the endpoints
    expect(paidWith).toBe(read - 1);
    await h.services.webhookEndpoints.setStatus(endpoint.id, 'disabled');
    expect(await pay()).toEqual([]);
  });

  test('an endpoint created on another instance takes effect here within WEBHOOK_ENDPOINT_CACHE_SECONDS, and one disabled there stops within it', async () => {
    expect(await pay()).toEqual([]); // this instance has just read the endpoints
    const other = h.anotherInstance();
    const { endpoint } = await other.webhookEndpoints.create({ url: RECEIVER, companyId: null, eventTypes: ['transfer.submitted'] });
    h.clock.advanceSeconds(4);
    expect(await pay()).toEqual([]);
    h.clock.advanceSeconds(1);
    expect(await pay()).toEqual([endpoint.id]);
    await other.webhookEndpoints.setStatus(endpoint.id, 'disabled');
    expect(await pay()).toEqual([endpoint.id]);
    h.clock.advanceSeconds(5);
    expect(await pay()).toEqual([]);
  });

  test('a read of the endpoints under way while this instance changes one is not kept: the change applies to the next event at once', async () => {
    const endpoints = h.services.webhookEndpoints;
    h.clock.advanceSeconds(5);
    let created = '';
    // an event transaction's SELECT whose answer comes back after this instance committed a new endpoint
    const straddling = {
      query: async (sql: string, params: unknown[]) => {
        const rows: unknown = await h.services.db.manager.query(sql, params);
        created = (await endpoints.create({ url: RECEIVER, companyId: 'SHOP', eventTypes: null })).endpoint.id;
        return rows;
      },
    } as unknown as EntityManager;
    expect(await endpoints.subscribers(straddling, 'transfer.submitted', 'SHOP')).toEqual([]);
    expect(await endpoints.subscribers(h.services.db.manager, 'transfer.submitted', 'SHOP')).toEqual([created]);
    await endpoints.setStatus(created, 'disabled');
  });

  test('an endpoint of another company, or for other event types, gets nothing', async () => {
    const a = await h.services.webhookEndpoints.create({ url: RECEIVER, companyId: 'ELSEWHERE', eventTypes: null });
    const b = await h.services.webhookEndpoints.create({ url: RECEIVER, companyId: 'SHOP', eventTypes: ['transfer.completed'] });
    const c = await h.services.webhookEndpoints.create({ url: RECEIVER, companyId: 'SHOP', eventTypes: ['transfer.failed', 'transfer.submitted'] });
    expect(await pay()).toEqual([c.endpoint.id]);
    for (const e of [a, b, c]) await h.services.webhookEndpoints.setStatus(e.endpoint.id, 'disabled');
  });
});

describe.each(DATABASES)('WEBHOOK_ENDPOINT_CACHE_SECONDS=0 on %s', (kind) => {
  let h: Harness;
  let key: string;
  beforeAll(async () => {
    h = await startHarness(kind, { env: { WEBHOOK_ENDPOINT_CACHE_SECONDS: '0' }, simulator: { bankCalendar: false } });
    ({ key } = await connectCompany(h, 'SHOP'));
  });
  afterAll(async () => {
    await h?.close();
  });

  test('every event reads the endpoints: one created on another instance gets the next event', async () => {
    const { endpoint } = await h.anotherInstance().webhookEndpoints.create({ url: RECEIVER, companyId: 'SHOP', eventTypes: null });
    const t = (await request(h.app).post('/v1/companies/SHOP/transfers').set(...bearer(key)).set('idempotency-key', 'no-cache').send({ amount: 1000, beneficiary: SELLER }).expect(201)).body;
    const deliveries = await h.services.db.manager.find(WebhookDelivery, { where: { resourceId: t.id } });
    expect(deliveries.map((d) => d.endpointId)).toEqual([endpoint.id]);
  });
});
