import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Database } from '../../src/db/database';
import { openDatabase } from '../../src/schema';
import { startSimulator, type RunningSimulator } from '../../src/simulator/server';
import { withTimeLimit } from '../../src/timeLimit';
import { Transfer } from '../../src/transfers/transfer.entity';
import { Browser } from '../support/browser';
import { createEmptyDatabase, DATABASES } from '../support/databases';
import { ALL_SCOPES, SIM_CLIENT } from '../support/harness';
import { buildDist, clockAhead, eventually, freePort, runCli, SERVICE_MAIN, startNode, waitForHealthy, type NodeProcess } from '../support/processes';

/**
 * The service process as an orchestrator treats it: SIGTERM while a payout waits on a slow bank, start-up
 * refused for bad configuration before the database is touched, configuration from a file.
 */
const COMPANY = 'OPS';
const BENEFICIARY = { bankCode: '0310', branchCode: '101', accountType: 'ordinary', accountNumber: '7654321', name: 'ｽｽﾞｷ ﾊﾅｺ' };
const SHUTDOWN_TIMEOUT_MS = 1500;
/** the restarted process runs past the in-flight grace (2 min), after which an in-flight row is looked for at the bank */
const RESTARTED_AHEAD_SECONDS = 150;

/** Bounded wait for the process to end: false if it is still running after `ms`. */
function exitsWithin(proc: NodeProcess, ms: number): Promise<boolean> {
  return withTimeLimit(
    proc.exited.then(() => true),
    ms,
    () => false,
  );
}

/** A start-up that must fail: the process's exit status and its output. */
async function failedStart(env: NodeJS.ProcessEnv): Promise<{ code: number | null; stderr: string }> {
  const proc = startNode(SERVICE_MAIN, { PATH: process.env.PATH, ...env });
  const exited = await exitsWithin(proc, 20_000);
  if (!exited) await proc.kill();
  expect(exited).toBe(true);
  return { code: proc.child.exitCode, stderr: proc.output() };
}

beforeAll(() => buildDist(), 120_000);

describe.each(DATABASES)('SIGTERM during a payout the bank is slow to answer, on %s', (kind) => {
  let sim: RunningSimulator;
  let service: NodeProcess | undefined;
  let env: NodeJS.ProcessEnv;
  let baseUrl: string;
  let db: Database | undefined;
  let drop: () => Promise<void>;

  beforeAll(async () => {
    const empty = await createEmptyDatabase(kind);
    drop = empty.drop;
    const port = await freePort();
    baseUrl = `http://127.0.0.1:${port}`;
    // the bank books the transfer and then holds the answer far longer than the shutdown waits
    sim = await startSimulator({ clients: [{ ...SIM_CLIENT, authMethod: 'post', scopes: ALL_SCOPES, redirectUris: [`${baseUrl}/refresh_token/{companyId}`] }], hangMs: 60_000 });
    env = {
      PATH: process.env.PATH,
      USER: 'e2e-operator',
      PORT: String(port),
      HOST: '127.0.0.1',
      PUBLIC_BASE_URL: baseUrl,
      // BANK_ENV=simulator with the simulator elsewhere: the service starts none of its own
      BANK_AUTH_URL: `${sim.url}/ganb/api/auth/v1`,
      BANK_API_URL: `${sim.url}/ganb/api/corporation/v1`,
      BANK_TIMEOUT_MS: '60000',
      SHUTDOWN_TIMEOUT_MS: String(SHUTDOWN_TIMEOUT_MS),
      DATABASE_URL: empty.url,
      LOG_LEVEL: 'info',
    };
  });

  afterAll(async () => {
    await service?.kill();
    await db?.dataSource.destroy();
    await sim?.stop();
    await drop?.();
  });

  test('the process exits after SHUTDOWN_TIMEOUT_MS; restarted, the poller adopts the booked transfer: one bank transfer', async () => {
    service = startNode(SERVICE_MAIN, env);
    await waitForHealthy(baseUrl, service);
    expect(service.logLines().some((l) => l.message === 'bank simulator listening')).toBe(false);

    const created = runCli(env, ['api-key', 'create', '--name', 'recore', '--company', COMPANY]);
    expect(created.status).toBe(0);
    const auth = { authorization: `Bearer ${JSON.parse(created.stdout).key}`, 'content-type': 'application/json' };
    const session = (await (await fetch(`${baseUrl}/v1/companies/${COMPANY}/connect-sessions`, { method: 'POST', headers: auth, body: '{}' })).json()) as { url: string };
    const browser = new Browser();
    const done = await browser.submit(await browser.get(session.url), '同意する');
    expect(done.body).toContain('銀行口座の連携が完了しました');

    sim.sim.state.injectFault({ target: 'transfer.request', kind: 'timeout_after_commit' });
    const payout = fetch(`${baseUrl}/v1/companies/${COMPANY}/transfers`, {
      method: 'POST',
      headers: { ...auth, 'idempotency-key': 'slow-bank-1' },
      body: JSON.stringify({ amount: 7000, beneficiary: BENEFICIARY }),
    }).then(
      (res) => res.status,
      () => 0,
    );
    // the bank has booked it and sits on the answer
    expect(await eventually(() => sim.sim.state.transfers().length === 1)).toBe(true);

    service.child.kill('SIGTERM');
    expect(await exitsWithin(service, SHUTDOWN_TIMEOUT_MS + 10_000)).toBe(true);
    expect(service.child.exitCode).toBe(1);
    expect(service.logLines().some((l) => l.message === 'shutdown timed out: closing open connections')).toBe(true);
    // ReCORE got no answer: it retries with the same key, or the poller settles it
    expect(await payout).toBe(0);

    db = await openDatabase(env.DATABASE_URL!, { migrate: false });
    const [left] = await db.manager.find(Transfer, { where: { companyId: COMPANY } });
    expect({ status: left.status, inFlight: left.inFlightSince !== null, applyNo: left.applyNo }).toEqual({ status: 'pending', inFlight: true, applyNo: null });

    // restarted later (past the in-flight grace), polling every second
    service = startNode(SERVICE_MAIN, { ...env, POLL_CRON: '* * * * * *' }, clockAhead(RESTARTED_AHEAD_SECONDS));
    await waitForHealthy(baseUrl, service);
    const [booked] = sim.sim.state.transfers();
    expect(
      await eventually(async () => (await db!.manager.findOneByOrFail(Transfer, { id: left.id })).applyNo === booked.applyNo),
    ).toBe(true);
    expect(sim.sim.state.transfers()).toHaveLength(1);
    expect(await db.manager.countBy(Transfer, { companyId: COMPANY })).toBe(1);
    expect(service.logLines().some((l) => String(l.message).includes('adopting its applyNo'))).toBe(true);

    // with nothing in flight, a SIGTERM is a clean exit
    service.child.kill('SIGTERM');
    const exited = await exitsWithin(service, SHUTDOWN_TIMEOUT_MS + 10_000);
    expect({ exited, code: service.child.exitCode }).toEqual({ exited: true, code: 0 });
  }, 90_000);
});

describe('npm start restarted: the in-process simulator keeps its state beside the SQLite file', () => {
  let dir: string;
  let service: NodeProcess | undefined;
  afterAll(async () => {
    await service?.kill();
    rmSync(dir, { recursive: true, force: true });
  });

  test('a connection made before the restart is still connected and usable after it', async () => {
    dir = mkdtempSync(join(tmpdir(), 'gbi-restart-'));
    const [port, simPort] = [await freePort(), await freePort()];
    const baseUrl = `http://127.0.0.1:${port}`;
    const env = {
      PATH: process.env.PATH,
      USER: 'e2e-operator',
      PORT: String(port),
      HOST: '127.0.0.1',
      SIMULATOR_PORT: String(simPort),
      PUBLIC_BASE_URL: baseUrl,
      DATABASE_URL: `sqlite:${join(dir, 'integrator.sqlite')}`,
    };
    service = startNode(SERVICE_MAIN, env);
    await waitForHealthy(baseUrl, service);
    const created = runCli(env, ['api-key', 'create', '--name', 'recore', '--company', COMPANY]);
    const auth = { authorization: `Bearer ${JSON.parse(created.stdout).key}`, 'content-type': 'application/json' };
    const session = (await (await fetch(`${baseUrl}/v1/companies/${COMPANY}/connect-sessions`, { method: 'POST', headers: auth, body: '{}' })).json()) as { url: string };
    const browser = new Browser();
    expect((await browser.submit(await browser.get(session.url), '同意する')).body).toContain('銀行口座の連携が完了しました');
    const pay = () =>
      fetch(`${baseUrl}/v1/companies/${COMPANY}/transfers`, { method: 'POST', headers: { ...auth, 'idempotency-key': 'before-restart' }, body: JSON.stringify({ amount: 4000, beneficiary: BENEFICIARY }) });
    const paid = await pay();
    expect(paid.status).toBe(201);
    const { id, applyNo } = (await paid.json()) as { id: string; applyNo: string };

    service.child.kill('SIGTERM');
    expect(await exitsWithin(service, 20_000)).toBe(true);
    expect(service.child.exitCode).toBe(0);
    expect(existsSync(join(dir, 'simulator.sqlite'))).toBe(true);

    service = startNode(SERVICE_MAIN, env);
    await waitForHealthy(baseUrl, service);
    const connection = (await (await fetch(`${baseUrl}/v1/companies/${COMPANY}/connection`, { headers: auth })).json()) as { status: string; accounts: Array<{ accountId: string }> };
    expect(connection.status).toBe('connected');
    // the bank still knows the token the service kept...
    expect((await fetch(`${baseUrl}/v1/companies/${COMPANY}/accounts/${connection.accounts[0].accountId}/balance`, { headers: auth })).status).toBe(200);
    // ...and the transfer, which a replay of its key answers from the service's database
    const bank = (await (await fetch(`http://127.0.0.1:${simPort}/_sim/transfers`)).json()) as { transfers: Array<{ applyNo: string }> };
    expect(bank.transfers.map((t) => t.applyNo)).toEqual([applyNo]);
    const again = await pay();
    expect(again.status).toBe(201);
    expect(await again.json()).toMatchObject({ id, applyNo });
  }, 60_000);
});

describe('a simulator in its own container', () => {
  let dir: string;
  let service: NodeProcess | undefined;
  afterAll(async () => {
    await service?.kill();
    rmSync(dir, { recursive: true, force: true });
  });

  test('the service reaches the bank by its service name and sends the browser to BANK_BROWSER_AUTH_URL', async () => {
    dir = mkdtempSync(join(tmpdir(), 'gbi-compose-'));
    const port = await freePort();
    const baseUrl = `http://127.0.0.1:${port}`;
    const env = {
      PATH: process.env.PATH,
      USER: 'e2e-operator',
      PORT: String(port),
      HOST: '127.0.0.1',
      PUBLIC_BASE_URL: baseUrl,
      DATABASE_URL: `sqlite:${join(dir, 'integrator.sqlite')}`,
      BANK_AUTH_URL: 'http://simulator:3100/ganb/api/auth/v1',
      BANK_API_URL: 'http://simulator:3100/ganb/api/corporation/v1',
      BANK_BROWSER_AUTH_URL: 'http://localhost:3100/ganb/api/auth/v1',
    };
    service = startNode(SERVICE_MAIN, env);
    await waitForHealthy(baseUrl, service);
    const created = runCli(env, ['api-key', 'create', '--name', 'recore', '--company', COMPANY]);
    const auth = { authorization: `Bearer ${JSON.parse(created.stdout).key}`, 'content-type': 'application/json' };
    const session = (await (await fetch(`${baseUrl}/v1/companies/${COMPANY}/connect-sessions`, { method: 'POST', headers: auth, body: '{}' })).json()) as { url: string };
    const toBank = await fetch(session.url, { redirect: 'manual' });
    expect(toBank.status).toBe(302);
    const consent = new URL(toBank.headers.get('location')!);
    expect(`${consent.origin}${consent.pathname}`).toBe('http://localhost:3100/ganb/api/auth/v1/authorization');
    expect(consent.searchParams.get('redirect_uri')).toBe(`${baseUrl}/refresh_token/${COMPANY}`);
    expect(service.logLines().some((l) => l.message === 'bank simulator listening')).toBe(false);
  }, 30_000);
});

describe('configuration checked before the database is touched', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'gbi-ops-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  test('an invalid cron expression exits 1 naming the variable, and no database file is created', async () => {
    const file = join(dir, 'db', 'integrator.sqlite');
    const { code, stderr } = await failedStart({ PURGE_CRON: '61 * * * *', DATABASE_URL: `sqlite:${file}` });
    expect(code).toBe(1);
    expect(stderr.trim().split('\n')).toEqual([expect.stringMatching(/^Invalid configuration: PURGE_CRON is not a cron expression: "61 \* \* \* \*"/)]);
    expect(existsSync(join(dir, 'db'))).toBe(false);
  });

  test('an ENV_FILE that does not exist exits 1 naming ENV_FILE', async () => {
    const { code, stderr } = await failedStart({ ENV_FILE: join(dir, 'production.env') });
    expect(code).toBe(1);
    expect(stderr).toMatch(/^Invalid configuration: ENV_FILE cannot be read: .*production\.env \(ENOENT\)/);
  });

  test('ENV_FILE supplies variables to the service and the CLI; the environment wins over it', () => {
    const fromFile = join(dir, 'from-file.sqlite');
    const fromEnv = join(dir, 'from-env.sqlite');
    const envFile = join(dir, 'test.env');
    writeFileSync(envFile, `# a deployment's file\nDATABASE_URL=sqlite:${fromFile}\nLOG_LEVEL=warn\n`);
    expect(runCli({ PATH: process.env.PATH, ENV_FILE: envFile }, ['migrate']).status).toBe(0);
    expect(existsSync(fromFile)).toBe(true);
    expect(runCli({ PATH: process.env.PATH, ENV_FILE: envFile, DATABASE_URL: `sqlite:${fromEnv}` }, ['migrate']).status).toBe(0);
    expect(existsSync(fromEnv)).toBe(true);
  });
});
