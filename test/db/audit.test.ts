import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import request from 'supertest';
import { MoreThan } from 'typeorm';
import { SCOPES } from '../../src/apiKeys/scopes';
import { AuditEvent } from '../../src/audit/auditEvent.entity';
import type { AuditAction } from '../../src/audit/auditLog';
import { withAuditContext } from '../../src/audit/context';
import { jstDate } from '../../src/bank/jst';
import { nextBusinessDay } from '../../src/calendar/businessDays';
import { EXIT, runCli, type CliIo } from '../../src/cli/program';
import { sealingAad } from '../../src/crypto/cipher';
import { Scheduler } from '../../src/jobs/scheduler';
import { BankToken } from '../../src/tokens/bankToken.entity';
import { Browser } from '../support/browser';
import { bearer, connectCompany } from '../support/connect';
import { DATABASES } from '../support/databases';
import { ALL_SCOPES, SIM_CLIENT, startHarness, type Harness } from '../support/harness';

const SELLER = { bankCode: '0005', branchCode: '001', accountType: 'ordinary', accountNumber: '1234567', name: 'ﾔﾏﾀﾞ ﾀﾛｳ' };
const OWN = { clientId: 'audit-own-client', clientSecret: 'audit-own-secret-5e4d3c2b1a', authMethod: 'post' as const, scopes: ALL_SCOPES };

/**
 * The audit trail: every state-changing call leaves exactly one event with its actor (the API key, the
 * CLI's operator, the browser at the bank's redirect back, or the scheduler), its outcome and where it
 * came from; the API and the CLI list it; and no secret is ever in it.
 */
describe.each(DATABASES)('the audit trail on %s', (kind) => {
  let h: Harness;
  /** every secret this file sees: none may be in audit_events */
  const secrets = new Set<string>();
  beforeAll(async () => {
    h = await startHarness(kind, { extraClients: [OWN] });
    secrets.add(SIM_CLIENT.clientSecret);
    secrets.add(OWN.clientSecret);
  });
  afterAll(async () => {
    await h?.close();
  });

  const lastId = async () => (await h.services.db.manager.find(AuditEvent, { order: { id: 'DESC' }, take: 1 }))[0]?.id ?? 0;

  /** Runs `work` and returns the one event it wrote (failing unless it wrote exactly one, of `action`). */
  async function oneEvent(action: AuditAction, work: () => Promise<unknown>): Promise<AuditEvent> {
    const before = await lastId();
    await work();
    const rows = await h.services.db.manager.find(AuditEvent, { where: { id: MoreThan(before) }, order: { id: 'ASC' } });
    expect(rows.map((r) => r.action)).toEqual([action]);
    return rows[0];
  }

  async function noEvent(work: () => Promise<unknown>): Promise<void> {
    const before = await lastId();
    await work();
    expect(await lastId()).toBe(before);
  }

  async function keyFor(companyId: string | null, scopes: readonly (typeof SCOPES)[number][] = SCOPES, name = 'pos') {
    const created = await h.services.apiKeys.create(name, companyId, { scopes });
    secrets.add(created.key);
    return created;
  }

  async function cli(argv: string[], options: { env?: NodeJS.ProcessEnv; stdin?: string } = {}) {
    const stdout = new PassThrough();
    const stderr = new PassThrough();
    const chunks = { out: '', err: '' };
    stdout.on('data', (c) => (chunks.out += String(c)));
    stderr.on('data', (c) => (chunks.err += String(c)));
    const stdin = options.stdin === undefined ? Readable.from([]) : Readable.from([Buffer.from(options.stdin)]);
    const io: CliIo = { stdout, stderr, stdin, env: options.env ?? {} };
    const status = await runCli(async () => h.services, argv, io);
    for (const m of chunks.out.matchAll(/"key": "(gbi_[^"]+)"/g)) secrets.add(m[1]);
    return { status, ...chunks };
  }

  /** Connects a company in a browser, remembering the code, the state and the tokens as secrets. */
  async function connect(companyId: string) {
    const result = await connectCompany(h, companyId);
    secrets.add(result.key);
    for (const url of result.page.trail) {
      const q = new URL(url).searchParams;
      for (const name of ['code', 'state']) if (q.get(name)) secrets.add(q.get(name)!);
    }
    for (const row of await h.services.db.manager.find(BankToken, { where: { companyId } })) {
      secrets.add(h.services.cipher.open({ ciphertext: row.ciphertext, iv: row.iv, tag: row.tag, keyId: row.keyId }, sealingAad(row.environment, row.companyId, row.kind)));
    }
    const accounts = (await request(h.app).get(`/v1/companies/${companyId}/connection`).set(...bearer(result.key)).expect(200)).body.accounts as Array<{ accountNumber: string }>;
    for (const a of accounts) secrets.add(a.accountNumber);
    return result;
  }

  test('a connect session: one event, the API key as actor, with the client address and the request id', async () => {
    const { id, key } = await keyFor('AUD-1', ['connections:write'], 'recore-prod');
    let sessionId = '';
    const event = await oneEvent('connect_session.create', async () => {
      const res = await request(h.app).post('/v1/companies/AUD-1/connect-sessions').set(...bearer(key)).set('x-request-id', 'audit-req-0001').send({}).expect(201);
      sessionId = res.body.id;
    });
    expect(event).toMatchObject({
      actorType: 'api_key',
      actorId: id,
      actorName: 'recore-prod',
      companyId: 'AUD-1',
      resourceId: sessionId,
      outcome: 'succeeded',
      requestId: 'audit-req-0001',
      environment: 'simulator',
      occurredAt: h.clock.now(),
    });
    expect(event.clientIp).toMatch(/127\.0\.0\.1$/);
  });

  test('the bank redirecting back: one event, the browser as actor, succeeded or failed with the failure', async () => {
    const { key } = await keyFor('AUD-CB', ['connections:write', 'connections:read']);
    const session = async () => (await request(h.app).post('/v1/companies/AUD-CB/connect-sessions').set(...bearer(key)).send({}).expect(201)).body as { id: string; url: string };

    const denied = await session();
    let browser = new Browser();
    const login = await browser.get(denied.url);
    const failed = await oneEvent('connection.callback', () => browser.submit(login, '拒否する'));
    expect(failed).toMatchObject({ actorType: 'browser', actorId: null, companyId: 'AUD-CB', resourceId: denied.id, outcome: 'failed', reason: 'access_denied' });

    const good = await session();
    browser = new Browser();
    const page2 = await browser.get(good.url);
    let trail: string[] = [];
    const ok = await oneEvent('connection.callback', async () => {
      trail = (await browser.submit(page2, '同意する')).trail;
    });
    expect(ok).toMatchObject({ actorType: 'browser', companyId: 'AUD-CB', resourceId: good.id, outcome: 'succeeded', reason: 'connected' });
    expect(ok.clientIp).toMatch(/127\.0\.0\.1$/);
    for (const url of trail) for (const v of new URL(url).searchParams.values()) secrets.add(v);

    // a state that finds no session changed nothing: no event
    await noEvent(() => request(h.app).get('/refresh_token/AUD-CB?code=abc&state=forged-state-value').expect(400));
  });

  test('transfers: create (accepted) and cancel are one event each with the key; a replay is none; a refusal is a failed event', async () => {
    const { key } = await connect('AUD-T');
    const { id: keyId } = (await h.services.apiKeys.list()).find((k) => k.companyId === 'AUD-T')!;
    const post = (idem: string, extra: Record<string, unknown> = {}) =>
      request(h.app).post('/v1/companies/AUD-T/transfers').set(...bearer(key)).set('idempotency-key', idem).send({ amount: 5_000, beneficiary: SELLER, ...extra });
    // a later business day: 予約中 at the bank, so it can be cancelled
    const tomorrow = nextBusinessDay(jstDate(h.clock.now()));

    let transferId = '';
    const created = await oneEvent('transfer.create', async () => {
      transferId = (await post('audit-t-1', { designatedDate: tomorrow }).expect(201)).body.id;
    });
    expect(created).toMatchObject({ actorType: 'api_key', actorId: keyId, companyId: 'AUD-T', resourceId: transferId, outcome: 'succeeded', reason: 'accepted' });
    await noEvent(() => post('audit-t-1', { designatedDate: tomorrow }).expect(201));
    const reused = await oneEvent('transfer.create', () => post('audit-t-1', { amount: 6_000 }).expect(422));
    expect(reused).toMatchObject({ outcome: 'failed', reason: 'IdempotencyKeyReusedError', resourceId: null });

    h.clock.advanceSeconds(20);
    await h.services.poller.runOnce();
    const cancelled = await oneEvent('transfer.cancel', () => request(h.app).post(`/v1/companies/AUD-T/transfers/${transferId}/cancel`).set(...bearer(key)).expect(200));
    expect(cancelled).toMatchObject({ actorType: 'api_key', companyId: 'AUD-T', resourceId: transferId, outcome: 'succeeded', reason: 'cancelled' });
    const again = await oneEvent('transfer.cancel', () => request(h.app).post(`/v1/companies/AUD-T/transfers/${transferId}/cancel`).set(...bearer(key)).expect(409));
    expect(again).toMatchObject({ outcome: 'failed', reason: 'TransferNotCancellableError', resourceId: transferId });

    const notConnected = await keyFor('AUD-NC');
    const refused = await oneEvent('transfer.create', () =>
      request(h.app).post('/v1/companies/AUD-NC/transfers').set(...bearer(notConnected.key)).set('idempotency-key', 'nc-1').send({ amount: 100, beneficiary: SELLER }).expect(409),
    );
    expect(refused).toMatchObject({ companyId: 'AUD-NC', outcome: 'failed', reason: 'NotConnectedError' });
    // refused at the edge (validation): nothing happened, no event
    await noEvent(() => post('audit-t-2', { amount: 0 }).expect(400));
  });

  test('disconnect: through the API (the key) and the CLI (the operator); nothing to disconnect is a failed event', async () => {
    const { key } = await connect('AUD-D1');
    const byApi = await oneEvent('connection.disconnect', () => request(h.app).delete('/v1/companies/AUD-D1/connection').set(...bearer(key)).expect(200));
    expect(byApi).toMatchObject({ actorType: 'api_key', companyId: 'AUD-D1', outcome: 'succeeded' });

    await connect('AUD-D2');
    const byCli = await oneEvent('connection.disconnect', async () => expect((await cli(['--operator', 'alice', 'connection', 'disconnect', 'AUD-D2'])).status).toBe(EXIT.ok));
    expect(byCli).toMatchObject({ actorType: 'operator', actorId: 'alice', actorName: null, companyId: 'AUD-D2', outcome: 'succeeded', clientIp: null, requestId: null });

    const nothing = await oneEvent('connection.disconnect', async () => expect((await cli(['connection', 'disconnect', 'NOBODY'], { env: { USER: 'bob' } })).status).toBe(EXIT.failed));
    expect(nothing).toMatchObject({ actorType: 'operator', actorId: 'bob', companyId: 'NOBODY', outcome: 'failed', reason: 'not_found' });
  });

  test('API keys: create, revoke and rotate from the CLI are one event each with the operator; never the key', async () => {
    const create = await oneEvent('api_key.create', async () => {
      const r = await cli(['api-key', 'create', '--name', 'till-3', '--company', 'AUD-K', '--scopes', 'transfers:read,accounts:read', '--operator', 'carol']);
      expect(r.status).toBe(EXIT.ok);
    });
    expect(create).toMatchObject({ actorType: 'operator', actorId: 'carol', companyId: 'AUD-K', outcome: 'succeeded' });
    expect(JSON.parse(create.details!)).toEqual({ name: 'till-3', scopes: 'transfers:read accounts:read', expiresAt: null });
    const keyId = create.resourceId!;

    const rotate = await oneEvent('api_key.rotate', async () => expect((await cli(['api-key', 'rotate', keyId, '--grace-hours', '1'], { env: { USER: 'dave' } })).status).toBe(EXIT.ok));
    expect(rotate).toMatchObject({ actorType: 'operator', actorId: 'dave', resourceId: keyId, companyId: 'AUD-K', outcome: 'succeeded' });
    const newKeyId = JSON.parse(rotate.details!).newKeyId as string;
    const again = await oneEvent('api_key.rotate', async () => expect((await cli(['api-key', 'rotate', keyId, '--operator', 'dave'])).status).toBe(EXIT.failed));
    expect(again).toMatchObject({ outcome: 'failed', reason: 'already_rotated', resourceId: keyId });

    const revoke = await oneEvent('api_key.revoke', async () => expect((await cli(['api-key', 'revoke', newKeyId, '--operator', 'erin'])).status).toBe(EXIT.ok));
    expect(revoke).toMatchObject({ actorType: 'operator', actorId: 'erin', resourceId: newKeyId, companyId: 'AUD-K', outcome: 'succeeded' });
    const unknown = await oneEvent('api_key.revoke', async () => expect((await cli(['api-key', 'revoke', 'no-such-key', '--operator', 'erin'])).status).toBe(EXIT.failed));
    expect(unknown).toMatchObject({ outcome: 'failed', reason: 'not_found', resourceId: null });
  });

  test('a CLI write without --operator or $USER is a usage error: nothing done, no event', async () => {
    const keys = (await h.services.apiKeys.list()).length;
    await noEvent(async () => {
      for (const argv of [
        ['api-key', 'create', '--name', 'nobody'],
        ['api-key', 'revoke', 'x'],
        ['api-key', 'rotate', 'x'],
        ['connection', 'disconnect', 'AUD-T'],
        ['registration', 'remove', '--company', 'AUD-T'],
        ['keys', 'reencrypt'],
        ['purge'],
      ]) {
        const r = await cli(argv, { env: { USER: '' } });
        expect({ argv, status: r.status }).toEqual({ argv, status: EXIT.usage });
        expect(r.err).toContain('--operator');
      }
      const withSecret = await cli(['registration', 'set', '--company', 'AUD-T', '--client-id', 'x'], { stdin: 'a-secret-value', env: {} });
      expect(withSecret.status).toBe(EXIT.usage);
    });
    expect((await h.services.apiKeys.list()).length).toBe(keys);
    // reading needs no operator
    expect((await cli(['audit', 'list', '--limit', '1'])).status).toBe(EXIT.ok);
  });

  test('registrations: set and remove through the API (the key) and the CLI (the operator), never the secret', async () => {
    const admin = await keyFor(null, SCOPES, 'ops-admin');
    const put = await oneEvent('registration.set', () =>
      request(h.app).put('/v1/companies/AUD-R/bank-registration').set(...bearer(admin.key)).send(OWN).expect(201),
    );
    expect(put).toMatchObject({ actorType: 'api_key', actorId: admin.id, actorName: 'ops-admin', companyId: 'AUD-R', outcome: 'succeeded', reason: 'created' });
    expect(JSON.parse(put.details!)).toMatchObject({ clientId: OWN.clientId, authMethod: 'post', pkce: false });
    await noEvent(() => request(h.app).put('/v1/companies/AUD-R/bank-registration').set(...bearer(admin.key)).send({ ...OWN, scopes: ['openid'] }).expect(400));
    const del = await oneEvent('registration.remove', () => request(h.app).delete('/v1/companies/AUD-R/bank-registration').set(...bearer(admin.key)).expect(204));
    expect(del).toMatchObject({ actorType: 'api_key', companyId: 'AUD-R', outcome: 'succeeded', resourceId: put.resourceId });

    const set = await oneEvent('registration.set', async () => {
      const r = await cli(['registration', 'set', '--company', 'AUD-R2', '--client-id', OWN.clientId, '--operator', 'frank'], { stdin: OWN.clientSecret });
      expect(r.status).toBe(EXIT.ok);
    });
    expect(set).toMatchObject({ actorType: 'operator', actorId: 'frank', companyId: 'AUD-R2', outcome: 'succeeded' });
    // the CLI keeps its rules (the same as the API's): a usage error, nothing stored, no event
    await noEvent(async () => {
      const r = await cli(['registration', 'set', '--company', 'AUD-R3', '--client-id', 'x', '--scopes', 'openid', '--operator', 'frank'], { stdin: 'x-secret' });
      expect(r.status).toBe(EXIT.usage);
      expect(r.err).toContain('--scopes must include offline_access');
    });
    const removed = await oneEvent('registration.remove', async () => expect((await cli(['registration', 'remove', '--company', 'AUD-R2', '--operator', 'frank'])).status).toBe(EXIT.ok));
    expect(removed).toMatchObject({ actorType: 'operator', actorId: 'frank', outcome: 'succeeded' });
    const none = await oneEvent('registration.remove', async () => expect((await cli(['registration', 'remove', '--company', 'AUD-R2', '--operator', 'frank'])).status).toBe(EXIT.failed));
    expect(none).toMatchObject({ outcome: 'failed', reason: 'not_found' });
  });

  test('key re-encryption and purge runs: one event each with the counts; the scheduler when no operator ran it', async () => {
    const reencrypt = await oneEvent('keys.reencrypt', async () => expect((await cli(['keys', 'reencrypt', '--operator', 'grace'])).status).toBe(EXIT.ok));
    expect(reencrypt).toMatchObject({ actorType: 'operator', actorId: 'grace', companyId: null, outcome: 'succeeded' });
    expect(JSON.parse(reencrypt.details!)).toMatchObject({ activeKeyId: 'k2', failedTokens: 0, failedClientSecrets: 0 });

    const byCli = await oneEvent('purge.run', async () => expect((await cli(['purge', '--operator', 'heidi'])).status).toBe(EXIT.ok));
    expect(byCli).toMatchObject({ actorType: 'operator', actorId: 'heidi', outcome: 'succeeded' });
    expect(JSON.parse(byCli.details!)).toEqual({ deletedTokens: expect.any(Number), deletedConnectSessions: expect.any(Number), connectionsNeedingConsent: expect.any(Number), complete: true });

    const job = h.services.jobs.find((j) => j.name === 'purge-expired-tokens')!;
    const byCron = await oneEvent('purge.run', () => new Scheduler(h.services.leases, h.services.log).runOnce(job));
    expect(byCron).toMatchObject({ actorType: 'system', actorId: 'scheduler', outcome: 'succeeded' });
  });

  test('webhook endpoint changes: recordWebhookEndpointChange writes one event with the current actor, never the signing secret', async () => {
    const secret = 'whsec_' + Buffer.alloc(32, 7).toString('base64');
    secrets.add(secret);
    const event = await oneEvent('webhook_endpoint.create', () =>
      withAuditContext({ actor: { type: 'operator', id: 'ivan' } }, () =>
        h.services.audit.recordWebhookEndpointChange({ change: 'create', companyId: 'AUD-W', endpointId: 'ep-1', details: { url: 'https://recore.example/hooks', secret } }),
      ),
    );
    expect(event).toMatchObject({ actorType: 'operator', actorId: 'ivan', companyId: 'AUD-W', resourceId: 'ep-1', outcome: 'succeeded' });
    expect(JSON.parse(event.details!)).toEqual({ url: 'https://recore.example/hooks', secret: '[redacted]' });
  });

  test('GET /v1/audit-events: newest first, filters, cursor pages; a key of one company sees only that company', async () => {
    const admin = await keyFor(null, ['admin'], 'auditor');
    const list = (query: Record<string, string | number>, key = admin.key) => request(h.app).get('/v1/audit-events').query(query).set(...bearer(key));

    const all = (await list({ limit: 200 }).expect(200)).body;
    expect(all.items.length).toBeGreaterThan(10);
    const ids = all.items.map((e: { id: number }) => e.id);
    expect(ids).toEqual([...ids].sort((a, b) => b - a));
    for (const e of all.items) {
      expect(Object.keys(e).sort()).toEqual(['action', 'actor', 'clientIp', 'companyId', 'details', 'id', 'occurredAt', 'outcome', 'reason', 'requestId', 'resourceId']);
      expect(Object.keys(e.actor).sort()).toEqual(['id', 'name', 'type']);
      expect(e.outcome).toMatch(/^(succeeded|failed)$/);
    }

    // pages of 3 walk the same events, newest first, without a gap or a repeat
    const walked: number[] = [];
    let cursor: string | null = null;
    do {
      const page: { items: Array<{ id: number }>; nextCursor: string | null } = (await list({ limit: 3, ...(cursor ? { cursor } : {}) }).expect(200)).body;
      walked.push(...page.items.map((e) => e.id));
      cursor = page.nextCursor;
    } while (cursor);
    expect(walked).toEqual(ids);

    const transfers = (await list({ action: 'transfer.create', companyId: 'AUD-T' }).expect(200)).body.items;
    expect(transfers.length).toBe(2);
    expect(transfers.every((e: { action: string; companyId: string }) => e.action === 'transfer.create' && e.companyId === 'AUD-T')).toBe(true);

    const at = h.clock.now().getTime();
    h.clock.advanceSeconds(60);
    await h.services.purger.run();
    const recent = (await list({ from: new Date(at + 1).toISOString() }).expect(200)).body.items;
    expect(recent.map((e: { action: string }) => e.action)).toEqual(['purge.run']);
    const before = (await list({ to: new Date(at + 1).toISOString(), action: 'purge.run' }).expect(200)).body.items;
    expect(before.length).toBeGreaterThanOrEqual(2);
    const window = (await list({ from: new Date(at + 1).toISOString(), to: new Date(at + 60_001).toISOString() }).expect(200)).body.items;
    expect(window.map((e: { action: string }) => e.action)).toEqual(['purge.run']);
    expect((await list({ from: new Date(at + 1).toISOString(), to: new Date(at + 60_000).toISOString() }).expect(200)).body.items).toEqual([]);

    // a key of one company: its events only; another company is absent
    const own = await keyFor('AUD-T', ['admin']);
    const mine = (await list({ limit: 200 }, own.key).expect(200)).body.items;
    expect(mine.length).toBeGreaterThan(0);
    expect(new Set(mine.map((e: { companyId: string }) => e.companyId))).toEqual(new Set(['AUD-T']));
    await list({ companyId: 'AUD-1' }, own.key).expect(404);
    expect((await list({ companyId: 'AUD-T' }, own.key).expect(200)).body.items.length).toBe(mine.length);

    const bad = await list({ cursor: 'not-a-cursor' }).expect(400);
    expect(bad.body.errors).toEqual([{ field: 'cursor', reason: 'is not a cursor this API returned' }]);
    expect((await list({ action: 'everything' }).expect(400)).body.errors[0].field).toBe('action');
    expect((await list({ limit: 0 }).expect(400)).body.errors[0].field).toBe('limit');
    expect((await list({ from: 'yesterday' }).expect(400)).body.errors[0].field).toBe('from');
    await request(h.app).get('/v1/audit-events').set(...bearer((await keyFor(null, SCOPES.filter((s) => s !== 'admin'))).key)).expect(403);
  });

  test('CLI audit list: filters and limit, newest first; bad options are usage errors', async () => {
    const r = await cli(['audit', 'list', '--company', 'AUD-T', '--action', 'transfer.create', '--limit', '1']);
    expect(r.status).toBe(EXIT.ok);
    const events = JSON.parse(r.out);
    expect(events).toEqual([expect.objectContaining({ action: 'transfer.create', companyId: 'AUD-T', outcome: 'failed', reason: 'IdempotencyKeyReusedError' })]);
    const since = await cli(['audit', 'list', '--since', '2999-01-01T00:00:00Z']);
    expect(JSON.parse(since.out)).toEqual([]);
    for (const argv of [
      ['audit', 'list', '--action', 'nope'],
      ['audit', 'list', '--since', 'last tuesday'],
      ['audit', 'list', '--limit', '0'],
      ['audit', 'list', '--company', 'not a company'],
    ]) {
      expect({ argv, status: (await cli(argv)).status }).toEqual({ argv, status: EXIT.usage });
    }
  });

  test('no secret in the table: API keys, client secrets, tokens, codes, states, full account numbers', async () => {
    const dump = JSON.stringify(await h.services.db.dataSource.query('SELECT * FROM audit_events'));
    expect(dump.length).toBeGreaterThan(1000);
    expect(secrets.size).toBeGreaterThan(15);
    const found = [...secrets].filter((s) => s.length >= 6 && dump.includes(s));
    expect(found).toEqual([]);
    for (const s of secrets) if (s.startsWith('gbi_')) expect(dump).not.toContain(s.slice(4, 20));
    expect(dump).not.toMatch(/gbi_[A-Za-z0-9_-]{20}/);
    expect(dump).not.toContain('1234567');
  });

  test('append-only: only AuditLog writes audit_events, and it only inserts', () => {
    const src = join(__dirname, '..', '..', 'src');
    const files = (dir: string): string[] =>
      readdirSync(dir).flatMap((name) => (statSync(join(dir, name)).isDirectory() ? files(join(dir, name)) : name.endsWith('.ts') ? [join(dir, name)] : []));
    const writes = /(insert|insertRows?|update|updateRows|delete|save|remove|softDelete|upsert|increment)\(\s*(em,\s*)?AuditEvent\b|(INSERT\s+INTO|UPDATE|DELETE\s+FROM)\s+`?audit_events/i;
    const writers = files(src).filter((f) => writes.test(readFileSync(f, 'utf8')));
    expect(writers.map((f) => f.slice(src.length + 1))).toEqual(['audit/auditLog.ts']);
    const log = readFileSync(join(src, 'audit', 'auditLog.ts'), 'utf8');
    expect(log).toMatch(/insertRows\(em, AuditEvent, \[row\]\)/);
    expect(log).not.toMatch(/(update|updateRows|delete|save|remove)\(\s*(em,\s*)?AuditEvent/);
  });
});
