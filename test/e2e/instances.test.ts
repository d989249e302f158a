import type { Database } from '../../src/db/database';
import { openDatabase } from '../../src/schema';
import type { TransferSummary } from '../../src/simulator/state';
import { Transfer } from '../../src/transfers/transfer.entity';
import { Browser } from '../support/browser';
import { createEmptyDatabase } from '../support/databases';
import { SIM_CLIENT, TEST_KEYS } from '../support/harness';
import { expectMoneyInvariant } from '../support/moneyInvariant';
import { buildDist, clockAhead, eventually, freePort, runCli, SERVICE_MAIN, SIMULATOR_MAIN, sleep, startNode, waitForHealthy, type NodeProcess } from '../support/processes';
import { startRoundRobin, type RoundRobin } from '../support/roundRobin';

/**
 * Two service processes on one MariaDB behind a round-robin front, and one standalone simulator process:
 * what several instances must never do twice (a payout, a token refresh, a job's tick), and what a SIGKILL
 * of one of them must not lose. MariaDB only: SQLite is one file on one host, not a multi-instance deployment.
 */
const COMPANY = 'MULTI';
const ACCOUNT = '101011234567';
const BENEFICIARY = { bankCode: '0310', branchCode: '101', accountType: 'ordinary', accountNumber: '7654321', name: 'ｽｽﾞｷ ﾊﾅｺ' };
const EVERY_SECOND = '* * * * * *';
/** the jobs that take a job lease (deliver-webhooks runs on every instance by design) */
const LEASED_JOBS = ['purge-expired-tokens', 'poll-transfers', 'poll-bulk-transfers', 'refresh-tokens', 'watch-connection-expiry'];
/** where a transfer is known to be at the bank */
const SENT = ['submitted', 'scheduled', 'processing', 'completed'];
/**
 * How far ahead the killed instance's clock runs when it comes back: past the in-flight grace (2 min), the
 * wait before a resend (5 min) and the 10-minute job lease a crashed process may still hold.
 */
const CAME_BACK_AFTER_SECONDS = 11 * 60;

interface Answer {
  key: string;
  /** 0: no HTTP answer at all (the connection died) */
  status: number;
  body: Record<string, unknown>;
  replayed: boolean;
}

let simulator: NodeProcess;
let simUrl: string;
const instances: NodeProcess[] = [];
const instanceUrls: string[] = [];
let serviceEnv: (port: number) => NodeJS.ProcessEnv;
let front: RoundRobin;
let db: Database;
let drop: (() => Promise<void>) | undefined;
let apiKey: string;

async function pay(base: string, key: string, amount: number): Promise<Answer> {
  try {
    const res = await fetch(`${base}/v1/companies/${COMPANY}/transfers`, {
      method: 'POST',
      headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json', 'idempotency-key': key },
      body: JSON.stringify({ amount, beneficiary: BENEFICIARY }),
    });
    return { key, status: res.status, body: (await res.json()) as Record<string, unknown>, replayed: res.headers.get('idempotent-replayed') === 'true' };
  } catch {
    return { key, status: 0, body: {}, replayed: false };
  }
}

const outcome = (a: Answer) =>
  a.status === 201 ? 'created' : a.status === 409 && String(a.body.type).endsWith('/request-in-flight') ? 'in flight' : `HTTP ${a.status} ${String(a.body.type ?? '')}`;

/** The transfer an answer is about: the resource, or the in-flight problem's transferId. */
function transferIdOf(a: Answer): string | undefined {
  return (a.status === 409 ? a.body.transferId : a.body.id) as string | undefined;
}

async function sim<T>(path: string, body?: unknown): Promise<T> {
  const res = await fetch(`${simUrl}/_sim${path}`, body === undefined ? {} : { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  if (!res.ok) throw new Error(`simulator ${path}: HTTP ${res.status} ${await res.text()}`);
  return (await res.json()) as T;
}

const bankTransfers = async () => (await sim<{ transfers: TransferSummary[] }>('/transfers')).transfers;

function startInstance(index: number, nodeArgs: string[] = []): Promise<void> {
  const url = instanceUrls[index];
  instances[index] = startNode(SERVICE_MAIN, serviceEnv(Number(new URL(url).port)), nodeArgs);
  return waitForHealthy(url, instances[index]);
}

beforeAll(async () => {
  buildDist();
  const empty = await createEmptyDatabase('mariadb');
  drop = empty.drop;
  const [simPort, portA, portB] = [await freePort(), await freePort(), await freePort()];
  simUrl = `http://127.0.0.1:${simPort}`;
  instanceUrls.push(`http://127.0.0.1:${portA}`, `http://127.0.0.1:${portB}`);
  front = await startRoundRobin(instanceUrls);

  simulator = startNode(SIMULATOR_MAIN, {
    PATH: process.env.PATH,
    SIMULATOR_PORT: String(simPort),
    SIMULATOR_CLIENT_ID: SIM_CLIENT.clientId,
    SIMULATOR_CLIENT_SECRET: SIM_CLIENT.clientSecret,
    // the bank knows one redirect URI, the balancer's: the consent comes back to either instance
    SIMULATOR_REDIRECT_URIS: `${front.url}/refresh_token/{companyId}`,
    SIMULATOR_SETTLE_AFTER_SECONDS: '2',
  });
  await waitForHealthy(simUrl, simulator, '/_sim/config');

  serviceEnv = (port) => ({
    PATH: process.env.PATH,
    USER: 'e2e-operator',
    PORT: String(port),
    HOST: '127.0.0.1',
    BANK_ENV: 'staging',
    BANK_AUTH_URL: `${simUrl}/ganb/api/auth/v1`,
    BANK_API_URL: `${simUrl}/ganb/api/corporation/v1`,
    BANK_CLIENT_ID: SIM_CLIENT.clientId,
    BANK_CLIENT_SECRET: SIM_CLIENT.clientSecret,
    // generous: on a loaded test machine a bank call past the timeout is answered 202 (unknown), as documented
    BANK_TIMEOUT_MS: '30000',
    TOKEN_ENCRYPTION_KEYS: TEST_KEYS,
    PUBLIC_BASE_URL: front.url,
    DATABASE_URL: empty.url,
    LOG_LEVEL: 'debug',
    POLL_CRON: EVERY_SECOND,
    REFRESH_CRON: EVERY_SECOND,
    PURGE_CRON: EVERY_SECOND,
    EXPIRY_WATCH_CRON: EVERY_SECOND,
  });
  // migrated once, as a deployment does before it starts its instances
  const migrated = runCli(serviceEnv(portA), ['migrate']);
  if (migrated.status !== 0) throw new Error(`migrate: ${migrated.stderr}`);
  await Promise.all([startInstance(0), startInstance(1)]);
  db = await openDatabase(empty.url, { migrate: false });

  const created = runCli(serviceEnv(portA), ['api-key', 'create', '--name', 'recore', '--company', COMPANY]);
  if (created.status !== 0) throw new Error(`api-key create: ${created.stderr}`);
  apiKey = JSON.parse(created.stdout).key;

  const session = await fetch(`${front.url}/v1/companies/${COMPANY}/connect-sessions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' },
    body: '{}',
  });
  const browser = new Browser();
  const login = await browser.get(((await session.json()) as { url: string }).url);
  const done = await browser.submit(login, '同意する');
  if (!done.body.includes('銀行口座の連携が完了しました')) throw new Error(`consent did not complete: HTTP ${done.status} ${done.url}`);
}, 120_000);

afterAll(async () => {
  await Promise.all([...instances, simulator].filter(Boolean).map((p) => p.kill()));
  await front?.close();
  await db?.dataSource.destroy();
  await drop?.();
});

test('concurrent payouts with repeated keys through both instances: one transfer and one bank transfer per key', async () => {
  const keys = Array.from({ length: 20 }, (_, i) => `repeat-${i}`);
  // each key twice in a row: the balancer hands the two copies to different instances
  const answers = await Promise.all(keys.flatMap((key, i) => [pay(front.url, key, 1000 + i), pay(front.url, key, 1000 + i)]));
  expect(front.forwarded.every((n) => n >= 20)).toBe(true);

  const idOf = new Map<string, string>();
  for (const key of keys) {
    const mine = answers.filter((a) => a.key === key);
    // the copy that raced the first one on the other instance is told to retry (the README's contract)
    expect({ key, outcomes: mine.map(outcome).sort() }).toEqual({ key, outcomes: expect.arrayContaining(['created']) });
    expect(mine.map(outcome).filter((o) => o !== 'created' && o !== 'in flight')).toEqual([]);
    const ids = new Set(mine.map(transferIdOf));
    expect(ids.size).toBe(1);
    idOf.set(key, [...ids][0]!);
  }

  // a retry of every key now answers the first outcome, whichever instance takes it
  const retries = await Promise.all(keys.map((key, i) => pay(front.url, key, 1000 + i)));
  for (const r of retries) expect({ key: r.key, status: r.status, id: r.body.id, replayed: r.replayed }).toEqual({ key: r.key, status: 201, id: idOf.get(r.key), replayed: true });

  const bank = await bankTransfers();
  for (const key of keys) expect({ key, booked: bank.filter((b) => b.idempotencyKey === idOf.get(key)).length }).toEqual({ key, booked: 1 });
  expect(await db.manager.countBy(Transfer, { companyId: COMPANY })).toBe(keys.length);
  await expectMoneyInvariant({ db, simulatorUrl: simUrl });
}, 30_000);

test('an access token the bank expired is refreshed once for concurrent calls on both instances', async () => {
  // every refresh_token grant the bank saw, failed ones included: this file connects one company
  const stats = async () => (await sim<{ tokenRequests: { refresh_token: number } }>('/stats')).tokenRequests.refresh_token;
  const before = await stats();
  expect((await sim<{ expired: number }>('/tokens/expire', { companyId: COMPANY, kind: 'access' })).expired).toBeGreaterThan(0);

  const answers = await Promise.all(
    Array.from({ length: 10 }, () => fetch(`${front.url}/v1/companies/${COMPANY}/accounts/${ACCOUNT}/balance`, { headers: { authorization: `Bearer ${apiKey}` } })),
  );
  expect(answers.map((a) => a.status)).toEqual(Array(10).fill(200));
  expect(await stats()).toBe(before + 1);
  // the jobs of both instances (the poller reads the bank every second) need no refresh of their own either
  await sleep(1500);
  expect(await stats()).toBe(before + 1);
}, 30_000);

test('each leased job runs on at most one instance per cron tick', async () => {
  const runs = () =>
    instances.flatMap((p, instance) =>
      p
        .logLines()
        .filter((l) => l.message === 'job ran' && typeof l.tick === 'string' && LEASED_JOBS.includes(l.job as string))
        .map((l) => ({ instance, job: l.job as string, tick: l.tick as string })),
    );
  const ticksOf = (job: string) => new Set(runs().filter((r) => r.job === job).map((r) => r.tick)).size;
  expect(await eventually(() => LEASED_JOBS.every((job) => ticksOf(job) >= 4))).toBe(true);

  const perTick = new Map<string, number[]>();
  for (const r of runs()) perTick.set(`${r.job} ${r.tick}`, [...(perTick.get(`${r.job} ${r.tick}`) ?? []), r.instance]);
  const twice = [...perTick].filter(([, on]) => on.length > 1);
  expect(twice).toEqual([]);
  // both schedulers were live: each instance ran some ticks or saw the other holding the lease
  for (const p of instances) expect(p.logLines().some((l) => typeof l.tick === 'string' && LEASED_JOBS.includes(l.job as string))).toBe(true);
}, 30_000);

test('a SIGKILL of one instance mid-burst loses nothing and, after the poller, nothing is sent twice', async () => {
  const keys = Array.from({ length: 30 }, (_, i) => `burst-${i}`);
  const amountOf = (key: string) => 2000 + keys.indexOf(key);
  const victim = instances[1];

  // two requests reach the bank, are booked there, and their answers never come back before the kill
  await sim('/config', { hangMs: 60_000 });
  await sim('/faults', { target: 'transfer.request', kind: 'timeout_after_commit', count: 2 });
  const pending: Array<Promise<Answer>> = keys.slice(0, 2).map((key) => pay(instanceUrls[1], key, amountOf(key)));
  expect(await eventually(async () => (await sim<{ faults: unknown[] }>('/faults')).faults.length === 0)).toBe(true);

  // the rest through the balancer, a few milliseconds apart; the victim dies half-way
  for (const key of keys.slice(2)) {
    pending.push(pay(front.url, key, amountOf(key)));
    if (key === 'burst-16') await victim.kill();
    await sleep(10);
  }
  const answers = await Promise.all(pending);
  expect(answers.filter((a) => ![0, 201, 502].includes(a.status)).map((a) => [a.key, a.status])).toEqual([]);
  const unanswered = answers.filter((a) => a.status !== 201).map((a) => a.key);
  expect(unanswered.length).toBeGreaterThanOrEqual(2);

  // the POS retries what got no answer, on the instance still alive: a new transfer, or the one the dead
  // instance left in flight (409 until the poller settles it)
  const retried = await Promise.all(unanswered.map((key) => pay(instanceUrls[0], key, amountOf(key))));
  expect(retried.filter((r) => ![201, 409].includes(r.status)).map((r) => [r.key, r.status])).toEqual([]);
  expect(retried.filter((r) => r.status === 409).length).toBeGreaterThanOrEqual(2);

  // the killed instance comes back, its clock past every grace (fixed in src/transfers/pollPolicy.ts, so the
  // process's clock is moved instead of the test waiting minutes), and its poller settles what it left behind
  await startInstance(1, clockAhead(CAME_BACK_AFTER_SECONDS));
  const burstRows = () => db.manager.find(Transfer, { where: keys.map((idempotencyKey) => ({ companyId: COMPANY, idempotencyKey })) });
  const settled = await eventually(async () => (await burstRows()).every((t) => SENT.includes(t.status)), 200);
  expect(settled ? [] : (await burstRows()).filter((t) => !SENT.includes(t.status)).map((t) => ({ key: t.idempotencyKey, status: t.status }))).toEqual([]);

  const rows = await burstRows();
  expect(rows.map((t) => t.idempotencyKey).sort()).toEqual([...keys].sort());
  const bank = await bankTransfers();
  for (const t of rows) expect({ key: t.idempotencyKey, booked: bank.filter((b) => b.idempotencyKey === t.id).map((b) => b.applyNo) }).toEqual({ key: t.idempotencyKey, booked: [t.applyNo] });

  // every key, retried once more through the balancer, answers its one transfer
  const finals = await Promise.all(keys.map((key) => pay(front.url, key, amountOf(key))));
  for (const f of finals) {
    // what the answer was when it is not the transfer (status and problem type), so a failure says why
    expect({ key: f.key, id: f.body.id, answer: f.body.id ? 'the transfer' : outcome(f) }).toEqual({ key: f.key, id: rows.find((t) => t.idempotencyKey === f.key)!.id, answer: 'the transfer' });
    expect([201, 202]).toContain(f.status);
  }
  // no bank transfer without its row, none twice, none unresolved: every row of the file has exactly one
  const figures = await expectMoneyInvariant({ db, simulatorUrl: simUrl });
  expect({ unresolved: figures.unresolved, bankTransfers: figures.bankTransfers }).toEqual({ unresolved: 0, bankTransfers: figures.rows });
}, 60_000);
