import { request as httpRequest } from 'node:http';
// better-sqlite3 ships no types; a second writer holding the lock is all this test needs of it
const Sqlite = require('better-sqlite3') as new (path: string) => { exec(sql: string): void; close(): void };
import request from 'supertest';
import { createApp } from '../../src/app';
import { ConnectSession } from '../../src/connections/connectSession.entity';
import { buildServices } from '../../src/services';
import { Transfer } from '../../src/transfers/transfer.entity';
import { Browser } from '../support/browser';
import { bearer, connectCompany } from '../support/connect';
import { DATABASES } from '../support/databases';
import { startHarness, type Harness } from '../support/harness';

const SELLER = { bankCode: '0005', branchCode: '001', accountType: 'ordinary', accountNumber: '1234567', name: 'ﾔﾏﾀﾞ ﾀﾛｳ' };
const transferBody = { amount: 1200, beneficiary: SELLER };

/** A raw request: the path goes on the wire exactly as written (malformed escapes included). */
function raw(baseUrl: string, method: string, path: string, headers: Record<string, string> = {}, body?: Buffer | string) {
  return new Promise<{ status: number; type: string; text: string; headers: Record<string, unknown> }>((resolve, reject) => {
    const u = new URL(baseUrl);
    const req = httpRequest({ host: u.hostname, port: u.port, method, path, headers: { ...headers, ...(body ? { 'content-length': String(Buffer.byteLength(body)) } : {}) } }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c) => (text += c));
      res.on('end', () => resolve({ status: res.statusCode!, type: String(res.headers['content-type'] ?? ''), text, headers: res.headers }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

describe.each(DATABASES)('malformed input is a 4xx problem (or a Japanese page), never a 500, on %s', (kind) => {
  let h: Harness;
  let key: string;
  beforeAll(async () => {
    h = await startHarness(kind);
    ({ key } = await connectCompany(h, 'SHOP'));
  });
  afterAll(async () => {
    await h?.close();
  });

  const stored = async () => ({
    transfers: await h.services.db.manager.count(Transfer),
    sessions: await h.services.db.manager.count(ConnectSession),
    bank: h.sim.state.stats().transferRequests,
  });

  test.each([
    ['a latin1 charset', { 'content-type': 'application/json; charset=latin1' }, JSON.stringify(transferBody), 415],
    ['a utf-16 charset and a body that is not', { 'content-type': 'application/json; charset=utf-16' }, JSON.stringify(transferBody), 400],
    ['gzip that is not gzip', { 'content-type': 'application/json', 'content-encoding': 'gzip' }, JSON.stringify(transferBody), 400],
    ['deflate that is not deflate', { 'content-type': 'application/json', 'content-encoding': 'deflate' }, JSON.stringify(transferBody), 400],
    ['an unknown content encoding', { 'content-type': 'application/json', 'content-encoding': 'zstd-ish' }, JSON.stringify(transferBody), 415],
  ])('POST /transfers with %s', async (_name, headers, body, status) => {
    const before = await stored();
    const res = await raw(h.baseUrl, 'POST', '/v1/companies/SHOP/transfers', { ...headers, authorization: `Bearer ${key}`, 'idempotency-key': `enc-${status}-${_name.length}` }, body);
    expect(res.status).toBe(status);
    expect(res.type).toContain('application/problem+json');
    expect(JSON.parse(res.text)).toMatchObject({ status, type: expect.any(String), title: expect.any(String) });
    expect(await stored()).toEqual(before);
  });

  test.each([['not a url'], ['//evil.example'], [''], ['javascript:alert(1)'], ['https://']])('a connect session with returnUrl %j is a 400 naming returnUrl', async (returnUrl) => {
    const before = await stored();
    const res = await request(h.app).post('/v1/companies/SHOP/connect-sessions').set(...bearer(key)).send({ returnUrl }).expect(400);
    expect(res.body.errors.map((e: { field: string }) => e.field)).toEqual(['returnUrl']);
    expect(await stored()).toEqual(before);
  });

  test.each([['/v1/companies/SHOP/transfers/%E0%A4%A'], ['/v1/companies/%zz/connection'], ['/v1/companies/SHOP/accounts/%/balance']])(
    'a malformed %%-escape in %s is a 400 problem',
    async (path) => {
      const res = await raw(h.baseUrl, 'GET', path, { authorization: `Bearer ${key}` });
      expect(res.status).toBe(400);
      expect(res.type).toContain('application/problem+json');
      expect(JSON.parse(res.text).status).toBe(400);
    },
  );

  test.each([['/connect/%E0%A4%A'], ['/refresh_token/%zz?state=x&code=y']])('a malformed %%-escape on the browser route %s is a Japanese page', async (path) => {
    const res = await raw(h.baseUrl, 'GET', path);
    expect(res.status).toBe(400);
    expect(res.type).toContain('text/html');
    expect(res.text).toContain('lang="ja"');
  });

  test('a malformed gbi_connect cookie on the callback: the state is consumed and the store owner gets the Japanese page', async () => {
    const created = await request(h.app).post('/v1/companies/SHOP/connect-sessions').set(...bearer(key)).send({}).expect(201);
    const browser = new Browser();
    const login = await browser.get(created.body.url);
    const redirect = await browser.submit(login, '同意する', '/refresh_token/');
    const callback = new URL(redirect.url);
    const res = await raw(h.baseUrl, 'GET', `${callback.pathname}${callback.search}`, { cookie: 'gbi_connect=%E0%A4%A' });
    expect(res.status).toBe(400);
    expect(res.type).toContain('text/html');
    expect(res.text).toContain('連携を開始したブラウザと異なります');
    const again = await raw(h.baseUrl, 'GET', `${callback.pathname}${callback.search}`, { cookie: 'gbi_connect=%E0%A4%A' });
    expect(again.text).toContain('この連携はすでに処理されています');
  });

  test('/favicon.ico is an icon, so the store owner’s pages raise no console error', async () => {
    const res = await request(h.app).get('/favicon.ico').expect(200);
    expect(res.headers['content-type']).toContain('image/x-icon');
    const icon = res.body as Buffer;
    expect([icon.readUInt16LE(0), icon.readUInt16LE(2), icon.readUInt16LE(4)]).toEqual([0, 1, 1]);
    expect(icon.readUInt32LE(18) + icon.readUInt32LE(14)).toBe(icon.length);
  });

  test('a refresh lease another instance holds too long: 503 try-again with Retry-After, nothing stored or sent', async () => {
    const impatient = buildServices(h.config, h.services.db, h.clock, h.services.log, { instanceId: 'impatient', sleep: async () => undefined });
    const app = createApp(impatient);
    const { key: leaseKey } = await connectCompany(h, 'LEASED');
    h.clock.advanceSeconds(30 * 86_400);
    expect(await h.anotherInstance().leases.tryAcquire('refresh-token:simulator:LEASED', 3600)).toBe(true);
    const before = await stored();
    for (const call of [
      request(app).get('/v1/companies/LEASED/accounts'),
      request(app).post('/v1/companies/LEASED/transfers').set('idempotency-key', 'leased-1').send(transferBody),
    ]) {
      const res = await call.set(...bearer(leaseKey)).expect(503);
      expect(res.body).toMatchObject({ type: expect.stringContaining('try-again'), status: 503 });
      expect(res.headers['retry-after']).toBe('2');
    }
    expect(await stored()).toEqual(before);
  });
});

describe('MariaDB down: every API call is a 503 with Retry-After, and the service recovers without a restart', () => {
  let h: Harness;
  let key: string;
  beforeAll(async () => {
    h = await startHarness('mariadb', { databaseRelay: true });
    ({ key } = await connectCompany(h, 'SHOP'));
  });
  afterAll(async () => {
    await h?.close();
  });

  test('down, then back', async () => {
    h.databaseRelay!.cut();
    for (const call of [
      request(h.app).get('/v1/companies/SHOP/transfers').set(...bearer(key)),
      request(h.app).get('/v1/companies/SHOP/connection').set(...bearer(key)),
      request(h.app).post('/v1/companies/SHOP/transfers').set(...bearer(key)).set('idempotency-key', 'db-down-1').send(transferBody),
      request(h.app).post('/v1/companies/SHOP/connect-sessions').set(...bearer(key)).send({}),
    ]) {
      const res = await call;
      expect(res.status).toBe(503);
      expect(res.body).toMatchObject({ type: expect.stringContaining('database-unavailable'), status: 503 });
      expect(res.headers['retry-after']).toBe('5');
    }
    await request(h.app).get('/readyz').expect(503);
    const page = await raw(h.baseUrl, 'GET', '/refresh_token/SHOP?state=s&code=c');
    expect(page.status).toBe(503);
    expect(page.text).toContain('lang="ja"');
    expect(h.sim.state.stats().transferRequests).toBe(0);

    h.databaseRelay!.restore();
    await request(h.app).get('/readyz').expect(200);
    await request(h.app).get('/v1/companies/SHOP/transfers').set(...bearer(key)).expect(200);
    await request(h.app).post('/v1/companies/SHOP/transfers').set(...bearer(key)).set('idempotency-key', 'db-down-1').send(transferBody).expect(201);
  });
});

describe('SQLite locked by another writer: a payout is a 503 with Retry-After, nothing stored or sent', () => {
  let h: Harness;
  let key: string;
  beforeAll(async () => {
    h = await startHarness('sqlite');
    ({ key } = await connectCompany(h, 'SHOP'));
  });
  afterAll(async () => {
    await h?.close();
  });

  test('locked, then free', async () => {
    const other = new Sqlite(h.database.url.slice('sqlite:'.length));
    other.exec('BEGIN IMMEDIATE');
    try {
      const res = await request(h.app).post('/v1/companies/SHOP/transfers').set(...bearer(key)).set('idempotency-key', 'locked-1').send(transferBody);
      expect(res.status).toBe(503);
      expect(res.body).toMatchObject({ type: expect.stringContaining('database-unavailable') });
      expect(res.headers['retry-after']).toBe('5');
    } finally {
      other.exec('ROLLBACK');
      other.close();
    }
    expect(await h.services.db.manager.count(Transfer)).toBe(0);
    expect(h.sim.state.stats().transferRequests).toBe(0);
    await request(h.app).post('/v1/companies/SHOP/transfers').set(...bearer(key)).set('idempotency-key', 'locked-1').send(transferBody).expect(201);
  }, 20_000);
});
