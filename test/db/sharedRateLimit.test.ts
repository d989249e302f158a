import { createServer, type Server } from 'node:http';
import { PassThrough, Readable, Writable } from 'node:stream';
import { createApp } from '../../src/app';
import { RateLimiter } from '../../src/bank/rateLimiter';
import { EXIT, runCli } from '../../src/cli/program';
import type { Database } from '../../src/db/database';
import { InstanceHeartbeat } from '../../src/instances/heartbeat';
import { InstanceRegistry } from '../../src/instances/instanceRegistry';
import { ServiceInstance } from '../../src/instances/serviceInstance.entity';
import { createLogger } from '../../src/log';
import { openDatabase } from '../../src/schema';
import type { Services } from '../../src/services';
import { ManualClock } from '../support/clock';
import { connectCompany, postTransfer } from '../support/connect';
import { DATABASES, openTestDatabase, type TestDatabase } from '../support/databases';
import { startHarness, type Harness } from '../support/harness';
import { expectMoneyInvariant, moneyInvariant } from '../support/moneyInvariant';

const settle = () => new Promise((resolve) => setImmediate(resolve));

/** This process's share as its bank calls see it: requests per second, or 'held' while they wait. */
async function shareOf(i: { limiter: RateLimiter; heartbeat: InstanceHeartbeat }): Promise<number | null | 'held'> {
  let open = false;
  void i.limiter.ready().then(() => (open = true));
  await settle();
  return open ? i.heartbeat.status().perSecond : 'held';
}

/**
 * The share rule on the manual clock, one beat at a time (the tests call `beat()` where the timer would):
 * BANK_MAX_RPS 12, a beat every 10 s, an instance counted while its last beat is at most 30 s old.
 */
describe.each(DATABASES)('the share of BANK_MAX_RPS, beat by beat, on %s', (kind) => {
  const LIMIT = 12;
  const INTERVAL = 10;
  const clock = new ManualClock();
  const logs: string[] = [];
  const log = createLogger({
    level: 'debug',
    stream: new Writable({
      write(chunk, _enc, done) {
        logs.push(String(chunk));
        done();
      },
    }),
  });
  let database: TestDatabase;
  beforeAll(async () => {
    database = await openTestDatabase(kind);
  });
  afterAll(async () => {
    await database?.close();
  });

  /** instance `name` of `env` (every test has its own environment, so no test counts another's rows; ids are unique, as the services' are) */
  function instance(env: string, name: string, db: Database = database.db) {
    const limiter = new RateLimiter(LIMIT, clock);
    const registry = new InstanceRegistry(db, clock, env, `${env}-${name}`, INTERVAL);
    return { limiter, heartbeat: new InstanceHeartbeat(registry, limiter, clock, log, { maxRequestsPerSecond: LIMIT, intervalSeconds: INTERVAL }) };
  }
  type Instance = ReturnType<typeof instance>;
  const beat = async (...instances: Instance[]) => {
    for (const i of instances) await i.heartbeat.beat();
  };
  /** one interval later, these beat */
  const tick = (...instances: Instance[]) => {
    clock.advanceSeconds(INTERVAL);
    return beat(...instances);
  };
  const shares = (...instances: Instance[]) => Promise.all(instances.map(shareOf));
  const rows = async (env: string) => (await database.db.manager.find(ServiceInstance, { where: { environment: env }, order: { id: 'ASC' } })).map((r) => r.id.slice(env.length + 1));

  test('a new instance sends nothing until the others have had one interval to count it; then they share the limit', async () => {
    const [a, b, c] = ['a', 'b', 'c'].map((id) => instance('join', id));
    await beat(a);
    expect(await shares(a)).toEqual(['held']);
    await tick(a);
    expect(await shares(a)).toEqual([12]);

    await beat(b);
    // a learns of b at its next beat; until then b sends nothing, so the sum is 12 + 0
    expect(await shares(a, b)).toEqual([12, 'held']);
    await tick(a, b);
    expect(await shares(a, b)).toEqual([6, 6]);

    await beat(c);
    expect(await shares(a, b, c)).toEqual([6, 6, 'held']);
    await tick(a, b, c);
    expect(await shares(a, b, c)).toEqual([4, 4, 4]);
    expect(a.heartbeat.status()).toEqual({ live: 3, perSecond: 4, failedBeats: 0 });
    expect(await rows('join')).toEqual(['a', 'b', 'c']);
  });

  test('one that dies is counted for three intervals (the others are merely slower), then dropped, and later forgotten', async () => {
    const [a, b, c] = ['a', 'b', 'c'].map((id) => instance('dies', id));
    await beat(a, b, c);
    await tick(a, b, c);
    expect(await shares(a, b, c)).toEqual([4, 4, 4]);
    for (let i = 0; i < 3; i++) {
      await tick(a, b);
      expect(await shares(a, b)).toEqual([4, 4]);
    }
    await tick(a, b);
    expect(await shares(a, b)).toEqual([6, 6]);
    expect(await rows('dies')).toEqual(['a', 'b', 'c']);
    // 30 intervals after its last beat nobody needs its row any more
    clock.advanceSeconds(27 * INTERVAL);
    await beat(a);
    expect(await rows('dies')).toEqual(['a', 'b']);
  });

  test('one that leaves holds its own calls and deletes its row; the others take its share at their next beat', async () => {
    const [a, b] = ['a', 'b'].map((id) => instance('leaves', id));
    await beat(a, b);
    await tick(a, b);
    expect(await shares(a, b)).toEqual([6, 6]);
    await b.heartbeat.leave();
    expect(await shares(b)).toEqual(['held']);
    expect(await rows('leaves')).toEqual(['a']);
    expect(await shares(a)).toEqual([6]);
    await tick(a);
    expect(await shares(a)).toEqual([12]);
  });

  test('a beat the database fails keeps the last share, is counted and logged; back after a gap longer than the window, the instance joins again', async () => {
    const flaky = await openDatabase(database.url, { migrate: false });
    const a = instance('flaky', 'a', flaky);
    const b = instance('flaky', 'b');
    try {
      await beat(a, b);
      await tick(a, b);
      expect(await shares(a, b)).toEqual([6, 6]);

      await flaky.dataSource.destroy();
      await tick(a, b);
      expect(await shares(a, b)).toEqual([6, 6]);
      expect(a.heartbeat.status()).toEqual({ live: 2, perSecond: 6, failedBeats: 1 });
      expect(logs.some((l) => l.includes('instance heartbeat failed: keeping the bank share') && l.includes('"failedBeats":1'))).toBe(true);

      // a stays cut off: b stops counting it after the window and takes the whole limit
      clock.advanceSeconds(3 * INTERVAL);
      await beat(b);
      expect(await shares(b)).toEqual([12]);

      await flaky.dataSource.initialize();
      await beat(a);
      // b may not count a yet: a waits one interval, as a new instance does
      expect(await shares(a, b)).toEqual(['held', 12]);
      await tick(b, a);
      expect(await shares(a, b)).toEqual([6, 6]);
      expect(a.heartbeat.status().failedBeats).toBe(1);
    } finally {
      if (flaky.dataSource.isInitialized) await flaky.dataSource.destroy();
    }
  });
});

/**
 * Three instances on one database and one bank that enforces the client id's limit, as GMO does. Real time:
 * the limiter spaces calls by the real clock and the simulator measures real seconds (a few seconds each).
 */
describe.each(DATABASES)('three instances share the bank limit, on %s', (kind) => {
  const LIMIT = 30;
  const SELLER = { bankCode: '0005', branchCode: '001', accountType: 'ordinary', accountNumber: '2468024', name: 'ｽｽﾞｷ ｲﾁﾛｳ' };
  let h: Harness;
  let key: string;
  let instances: Services[] = [];
  const servers: Server[] = [];
  const urls: string[] = [];

  beforeAll(async () => {
    h = await startHarness(kind, { env: { BANK_MAX_RPS: String(LIMIT), INSTANCE_HEARTBEAT_SECONDS: '1' }, simulator: { rateLimitPerSecond: LIMIT } });
    ({ key } = await connectCompany(h, 'SHOP'));
    instances = [h.services, h.anotherInstance(), h.anotherInstance()];
    urls.push(h.baseUrl);
    for (const services of instances.slice(1)) {
      const server = createServer(createApp(services));
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      servers.push(server);
      urls.push(`http://127.0.0.1:${(server.address() as { port: number }).port}`);
    }
    await Promise.all(instances.map((s) => s.instances.join()));
  });
  afterAll(async () => {
    for (const s of instances) await s.instances.leave();
    for (const server of servers) {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
    await h?.close();
  });

  const post = (baseUrl: string, idem: string, amount: number) => postTransfer<{ id: string; status: string }>(baseUrl, 'SHOP', key, idem, { amount, beneficiary: SELLER });

  async function cli(services: Services, ...argv: string[]) {
    const stderr = new PassThrough();
    let err = '';
    stderr.on('data', (c) => (err += String(c)));
    const status = await runCli(async () => services, argv, { stdout: new PassThrough(), stderr, stdin: Readable.from([]), env: {} });
    return { status, err };
  }

  test('a burst of 45 payouts over three instances: the bank never counts more than BANK_MAX_RPS in a second, refuses none, books each once', async () => {
    expect(instances.map((s) => s.instances.status())).toEqual(Array(3).fill({ live: 3, perSecond: LIMIT / 3, failedBeats: 0 }));
    const booked = h.sim.state.stats().transferRequests;
    const answers = await Promise.all(Array.from({ length: 45 }, (_, i) => post(urls[i % 3], `burst-${i}`, 41_000 + i)));
    expect(answers.map((a) => a.status)).toEqual(Array(45).fill(201));
    const { clients, transferRequests } = h.sim.state.stats();
    expect(clients['sim-client'].rateLimited).toBe(0);
    expect(clients['sim-client'].maxPerSecond).toBeLessThanOrEqual(LIMIT);
    expect(transferRequests - booked).toBe(45);
    await expectMoneyInvariant(h);
  }, 60_000);

  test('a bank stricter than BANK_MAX_RPS: a 429 leaves the payout pending and unsent; the CLI, taking part, sends each later exactly once', async () => {
    h.sim.state.configure({ rateLimitPerSecond: 5 });
    const refused = h.sim.state.stats().clients['sim-client'].rateLimited;
    const booked = h.sim.state.stats().transferRequests;
    const answers = await Promise.all(Array.from({ length: 15 }, (_, i) => post(urls[i % 3], `strict-${i}`, 42_000 + i)));
    expect(h.sim.state.stats().clients['sim-client'].rateLimited).toBeGreaterThan(refused);
    expect(answers.every((a) => a.status === 201 || a.status === 202)).toBe(true);
    const pending = answers.filter((a) => a.status === 202);
    expect(pending.length).toBeGreaterThan(0);
    const atBank = new Set(h.sim.state.transfers().map((t) => t.idempotencyKey));
    for (const a of pending) {
      expect(a.body.status).toBe('pending');
      expect(atBank.has(a.body.id)).toBe(false);
    }

    h.sim.state.configure({ rateLimitPerSecond: LIMIT });
    const ops = h.anotherInstance();
    for (let pass = 0; pass < 4 && (await moneyInvariant(h)).unresolved > 0; pass++) {
      h.clock.advanceSeconds(301);
      expect((await cli(ops, 'poll')).status).toBe(EXIT.ok);
    }
    const figures = await expectMoneyInvariant(h);
    expect(figures.unresolved).toBe(0);
    expect(h.sim.state.stats().transferRequests - booked).toBe(15);
    // the CLI had its own row while it ran (the servers counted four) and removed it when done
    const counts = h.logs.filter((l) => l.includes('"bank rate share"')).map((l) => (JSON.parse(l) as { live: number }).live);
    expect(counts).toContain(4);
    const ids = (await h.services.db.manager.find(ServiceInstance)).map((r) => r.id).sort();
    expect(ids).toEqual(['instance-1', 'instance-2', 'instance-a']);
  }, 60_000);
});
