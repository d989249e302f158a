import { execFileSync, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Browser } from '../support/browser';
import { createEmptyDatabase, DATABASES } from '../support/databases';
import { buildDist, freePort, ROOT, runCli, SERVICE_MAIN, startNode, waitForHealthy, type NodeProcess } from '../support/processes';

/**
 * The service as an operator runs it: the compiled `npm start` entry point (service + bundled
 * simulator) and the ops CLI, as real processes on 127.0.0.1.
 */
beforeAll(() => {
  buildDist();
  expect(existsSync(SERVICE_MAIN)).toBe(true);
}, 120_000);

describe.each(DATABASES)('npm start and the CLI on %s', (kind) => {
  let service: NodeProcess;
  let env: NodeJS.ProcessEnv;
  let baseUrl: string;
  let drop: () => Promise<void>;

  beforeAll(async () => {
    const db = await createEmptyDatabase(kind);
    drop = db.drop;
    const [port, simPort] = [await freePort(), await freePort()];
    baseUrl = `http://127.0.0.1:${port}`;
    env = {
      PATH: process.env.PATH,
      PORT: String(port),
      HOST: '127.0.0.1',
      SIMULATOR_PORT: String(simPort),
      PUBLIC_BASE_URL: baseUrl,
      DATABASE_URL: db.url,
      LOG_LEVEL: 'info',
      // the CLI records its operator in the audit trail
      USER: 'e2e-operator',
    };
    service = startNode(SERVICE_MAIN, env);
    await waitForHealthy(baseUrl, service);
  }, 60_000);

  afterAll(async () => {
    await service?.kill();
    await drop?.();
  });

  test('kept-alive connections stay open longer than a balancer keeps them (KEEP_ALIVE_TIMEOUT_MS, 65 s): the answer says so', async () => {
    // Node's own 5 s let the service close a connection a balancer was about to reuse: a 502 (seen in instances.test.ts)
    const res = await fetch(`${baseUrl}/healthz`);
    await res.arrayBuffer();
    expect(res.headers.get('keep-alive')).toBe('timeout=65');
  });

  test('an API key from the CLI, a connect session, consent at the simulator, a payout, then a clean SIGTERM', async () => {
    const created = runCli(env, ['api-key', 'create', '--name', 'recore', '--company', 'E2E']);
    expect(created.status).toBe(0);
    const { key } = JSON.parse(created.stdout);
    expect(key).toMatch(/^gbi_/);
    const auth = { authorization: `Bearer ${key}`, 'content-type': 'application/json' };

    const session = (await (await fetch(`${baseUrl}/v1/companies/E2E/connect-sessions`, { method: 'POST', headers: auth, body: '{}' })).json()) as { url: string };
    const browser = new Browser();
    const login = await browser.get(session.url);
    expect(login.body).toContain('同意する');
    const done = await browser.submit(login, '同意する');
    expect(done.body).toContain('銀行口座の連携が完了しました');

    const connection = (await (await fetch(`${baseUrl}/v1/companies/E2E/connection`, { headers: auth })).json()) as Record<string, unknown>;
    expect(connection.status).toBe('connected');

    const transfer = await fetch(`${baseUrl}/v1/companies/E2E/transfers`, {
      method: 'POST',
      headers: { ...auth, 'idempotency-key': 'e2e-1' },
      body: JSON.stringify({ amount: 5000, beneficiary: { bankCode: '0310', branchCode: '101', accountType: 'ordinary', accountNumber: '7654321', name: 'ｽｽﾞｷ ﾊﾅｺ' } }),
    });
    expect(transfer.status).toBe(201);

    const shown = runCli(env, ['connection', 'show', 'E2E']);
    expect(JSON.parse(shown.stdout)).toMatchObject({ status: 'connected', companyId: 'E2E' });
    const purge = runCli(env, ['purge']);
    expect(JSON.parse(purge.stdout)).toMatchObject({ tokens: 0 });
    const poll = runCli(env, ['poll']);
    expect(JSON.parse(poll.stdout)).toMatchObject({ checked: expect.any(Number) });
    expect(runCli(env, ['keys', 'reencrypt']).status).toBe(0);

    // nothing secret in the service's own output
    const token = connection.accessToken;
    expect(token).toBeUndefined();
    const out = service.output();
    expect(out).not.toContain(key);
    expect(out).not.toContain('sim-secret');
    expect(out).not.toContain('7654321');

    service.child.kill('SIGTERM');
    await service.exited;
    expect(service.child.exitCode).toBe(0);
  }, 60_000);
});

describe('start-up and CLI errors', () => {
  test('a malformed variable stops start-up with one line naming it', () => {
    try {
      execFileSync(process.execPath, [SERVICE_MAIN], { env: { PATH: process.env.PATH, PORT: 'abc' }, stdio: 'pipe', encoding: 'utf8' });
      throw new Error('should have exited');
    } catch (err) {
      const e = err as { status: number; stderr: string };
      expect(e.status).toBe(1);
      expect(e.stderr.trim().split('\n')).toHaveLength(1);
      expect(e.stderr).toMatch(/^Invalid configuration: PORT /);
    }
  });

  test('production without secrets refuses to start', () => {
    try {
      execFileSync(process.execPath, [SERVICE_MAIN], { env: { PATH: process.env.PATH, BANK_ENV: 'production' }, stdio: 'pipe', encoding: 'utf8' });
      throw new Error('should have exited');
    } catch (err) {
      expect((err as { stderr: string }).stderr).toContain('Invalid configuration: BANK_CLIENT_ID is required when BANK_ENV=production');
    }
  });

  test('CLI usage errors exit 2 with the usage text', async () => {
    const db = await createEmptyDatabase('sqlite');
    try {
      const env = { PATH: process.env.PATH, DATABASE_URL: db.url, USER: 'e2e-operator' };
      const r = runCli(env, ['api-key', 'create']);
      expect(r.status).toBe(2);
      expect(r.stderr).toContain("required option '--name <name>' not specified");
      expect(r.stderr).toContain('--help');
      expect(runCli(env, ['bogus']).stderr).toContain("unknown command 'bogus'");
      const reg = runCli(env, ['registration', 'set', '--company', 'C1', '--client-id', 'own-client'], '');
      expect(reg.status).toBe(2);
      expect(reg.stderr).toContain('client secret on standard input is empty');
    } finally {
      await db.drop();
    }
  });

  test('the CLI exits 1 when there is nothing to act on, and when a job fails it never says "skipped"', async () => {
    const db = await createEmptyDatabase('sqlite');
    try {
      const env = { PATH: process.env.PATH, DATABASE_URL: db.url, USER: 'e2e-operator' };
      expect(runCli(env, ['migrate']).status).toBe(0);
      for (const args of [
        ['api-key', 'revoke', 'no-such-key'],
        ['connection', 'show', 'NOBODY'],
        ['connection', 'disconnect', 'NOBODY'],
      ]) {
        const r = runCli(env, args);
        expect({ args, status: r.status }).toEqual({ args, status: 1 });
      }
      // another writer holds the database: the purge cannot take its lease and fails (busy), it was not skipped
      const writer = spawn(process.execPath, ['-e', LOCK_SCRIPT, db.url.slice('sqlite:'.length)], { stdio: ['pipe', 'pipe', 'inherit'] });
      await new Promise((resolve) => writer.stdout!.once('data', resolve));
      try {
        const purge = runCli({ ...env, MIGRATIONS_RUN: 'false' }, ['purge']);
        expect(purge.status).toBe(1);
        expect(purge.stdout).not.toContain('skipped');
        expect(purge.stderr).toContain('purge-expired-tokens failed');
      } finally {
        writer.stdin!.end();
        await new Promise((resolve) => writer.once('exit', resolve));
      }
    } finally {
      await db.drop();
    }
  }, 30_000);
});

/** A second process that takes SQLite's write lock and holds it until its stdin closes. */
const LOCK_SCRIPT = `
const Database = require(${JSON.stringify(join(ROOT, 'node_modules', 'better-sqlite3'))});
const db = new Database(process.argv[1]);
db.exec('BEGIN IMMEDIATE');
process.stdout.write('locked\\n');
process.stdin.resume();
process.stdin.on('end', () => { db.exec('ROLLBACK'); db.close(); });
`;
