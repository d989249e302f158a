import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { join } from 'node:path';
import { createConnection, type Connection } from 'mysql2/promise';
import { createApp } from '../../src/app';
import { loadConfig } from '../../src/config';
import type { Database } from '../../src/db/database';
import { Scheduler } from '../../src/jobs/scheduler';
import { createLogger } from '../../src/log';
import { openDatabase } from '../../src/schema';
import { buildServices, type Services } from '../../src/services';
import { startSimulator, type RunningSimulator } from '../../src/simulator/server';
import { Browser } from '../support/browser';
import { ManualClock } from '../support/clock';
import { ALL_SCOPES, SIM_CLIENT, TEST_KEYS } from '../support/harness';
import { startWebhookReceiver, type WebhookReceiver } from '../support/webhookReceiver';

/**
 * deploy/mariadb/least-privilege.sql as an operator runs it: the migrations as the migration user, then the
 * service as the runtime user, which can read and write rows and nothing more. MariaDB only: SQLite has no users.
 */
const SQL_FILE = join(__dirname, '..', '..', 'deploy', 'mariadb', 'least-privilege.sql');
const SECRET = `whsec_${Buffer.alloc(32, 9).toString('base64')}`;
const SELLER = { bankCode: '0005', branchCode: '001', accountType: 'ordinary', accountNumber: '1357913', name: 'ｶﾄｳ ｼﾞﾛｳ' };

const suffix = randomBytes(4).toString('hex');
const names = { database: `gbi_lp_${suffix}`, migrate: `gbi_migrate_${suffix}`, app: `gbi_app_${suffix}` };
const passwords = { migrate: `m-${randomBytes(9).toString('hex')}`, app: `a-${randomBytes(9).toString('hex')}` };

/** The file with this run's names and passwords in place of the ones an operator replaces. */
function script(): string {
  return readFileSync(SQL_FILE, 'utf8')
    .replaceAll('gmo_bank_integrator', names.database)
    .replaceAll("'gbi_migrate'", `'${names.migrate}'`)
    .replaceAll("'gbi_app'", `'${names.app}'`)
    .replaceAll('CHANGE_ME_MIGRATE_PASSWORD', passwords.migrate)
    .replaceAll('CHANGE_ME_APP_PASSWORD', passwords.app);
}

function urlFor(user: 'migrate' | 'app'): string {
  const u = new URL(names.database, process.env.TEST_MARIADB_URL);
  u.username = names[user];
  u.password = passwords[user];
  return u.toString();
}

/**
 * GRANT needs the grant option, which the run's test user lacks: on the run's own server (globalSetup) the
 * administrator is root on its socket; on a server of your own, TEST_MARIADB_URL's user must hold it.
 */
function administrator(): Promise<Connection> {
  const own = process.env.TEST_MARIADB_SERVER ? (JSON.parse(process.env.TEST_MARIADB_SERVER) as { dir: string }) : undefined;
  return own
    ? createConnection({ socketPath: join(own.dir, 'mysqld.sock'), user: 'root', multipleStatements: true })
    : createConnection({ uri: process.env.TEST_MARIADB_URL, multipleStatements: true });
}

let admin: Connection;
beforeAll(async () => {
  admin = await administrator();
  await admin.query(script());
});
afterAll(async () => {
  await admin.query(`DROP USER IF EXISTS '${names.migrate}'@'%', '${names.app}'@'%'; DROP DATABASE IF EXISTS \`${names.database}\``);
  await admin.end();
});

const grantsOf = async (user: string) => ((await admin.query(`SHOW GRANTS FOR '${user}'@'%'`))[0] as Array<Record<string, string>>).map((r) => Object.values(r)[0]);

test('neither user has a global privilege or a right outside the integrator\'s database', async () => {
  for (const user of [names.migrate, names.app]) {
    const grants = await grantsOf(user);
    expect(grants.filter((g) => / ON \*\.\* /.test(g))).toEqual([expect.stringMatching(/^GRANT USAGE ON \*\.\* TO /)]);
    expect(grants.filter((g) => !/ ON \*\.\* /.test(g))).toEqual([expect.stringContaining(`ON \`${names.database}\`.* TO`)]);
  }
  expect((await grantsOf(names.app)).join('\n')).toContain('GRANT SELECT, INSERT, UPDATE, DELETE ON');
});

test('the migration user changes this database\'s schema and nothing else', async () => {
  const migrator = await createConnection(urlFor('migrate'));
  try {
    await migrator.query('CREATE TABLE scratch (id INT PRIMARY KEY)');
    await migrator.query('DROP TABLE scratch');
    await expect(migrator.query('CREATE DATABASE intruder')).rejects.toThrow(/denied/);
    await expect(migrator.query('SELECT COUNT(*) FROM mysql.user')).rejects.toThrow(/denied/);
  } finally {
    await migrator.end();
  }
});

describe('the migrations as the migration user, the service as the runtime user', () => {
  let simulator: RunningSimulator;
  let receiver: WebhookReceiver;
  let db: Database;
  let services: Services;
  let server: Server;
  let baseUrl: string;
  const clock = new ManualClock();

  beforeAll(async () => {
    const migrated = await openDatabase(urlFor('migrate'), { migrate: true });
    await migrated.dataSource.destroy();

    server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    baseUrl = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
    simulator = await startSimulator({ clock, clients: [{ ...SIM_CLIENT, authMethod: 'post', scopes: ALL_SCOPES, redirectUris: [`${baseUrl}/refresh_token/{companyId}`] }] });
    receiver = await startWebhookReceiver();
    const config = loadConfig({
      BANK_AUTH_URL: `${simulator.url}/ganb/api/auth/v1`,
      BANK_API_URL: `${simulator.url}/ganb/api/corporation/v1`,
      PUBLIC_BASE_URL: baseUrl,
      DATABASE_URL: urlFor('app'),
      MIGRATIONS_RUN: 'false',
      TOKEN_ENCRYPTION_KEYS: TEST_KEYS,
      WEBHOOK_URL: receiver.url,
      WEBHOOK_SECRET: SECRET,
      WEBHOOK_ALLOW_PRIVATE_NETWORKS: 'true',
    });
    db = await openDatabase(config.databaseUrl, { migrate: config.runMigrations });
    services = buildServices(config, db, clock, createLogger({ level: 'error' }));
    server.on('request', createApp(services));
  });

  afterAll(async () => {
    server?.closeAllConnections();
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
    await db?.dataSource.destroy();
    await simulator?.stop();
    await receiver?.close();
  });

  test('a key, a connection, a payout, every job and a disconnect work with rows-only rights', async () => {
    const { key } = await services.apiKeys.create('recore', 'LP');
    const headers = { authorization: `Bearer ${key}`, 'content-type': 'application/json' };
    const session = (await (await fetch(`${baseUrl}/v1/companies/LP/connect-sessions`, { method: 'POST', headers, body: '{}' })).json()) as { url: string };
    const browser = new Browser();
    expect((await browser.submit(await browser.get(session.url), '同意する')).body).toContain('銀行口座の連携が完了しました');

    const paid = await fetch(`${baseUrl}/v1/companies/LP/transfers`, { method: 'POST', headers: { ...headers, 'idempotency-key': 'lp-1' }, body: JSON.stringify({ amount: 3000, beneficiary: SELLER }) });
    expect(paid.status).toBe(201);
    expect((await fetch(`${baseUrl}/readyz`)).status).toBe(200);

    // every job once, under its lease: polling, refresh-ahead, the purge's DELETEs, webhook delivery, the expiry watch
    clock.advanceSeconds(120);
    const scheduler = new Scheduler(services.leases, services.log);
    const runs = await Promise.all(services.jobs.map(async (job) => ({ job: job.name, outcome: (await scheduler.runOnce(job)).outcome })));
    expect(runs).toEqual(services.jobs.map((job) => ({ job: job.name, outcome: 'ran' })));
    expect(receiver.received.length).toBeGreaterThan(0);

    expect((await fetch(`${baseUrl}/v1/companies/LP/connection`, { method: 'DELETE', headers })).status).toBeLessThan(300);
  });

  test.each([
    ['DROP TABLE', 'DROP TABLE transfers'],
    ['CREATE TABLE', 'CREATE TABLE intruder (id INT)'],
    ['ALTER TABLE', 'ALTER TABLE transfers ADD COLUMN intruder INT'],
    ['CREATE INDEX', 'CREATE INDEX intruder ON transfers (amount)'],
    ['TRUNCATE', 'TRUNCATE TABLE audit_events'],
    ['CREATE DATABASE', 'CREATE DATABASE intruder'],
    ['read another database', 'SELECT COUNT(*) FROM mysql.user'],
    ['GRANT', `GRANT DROP ON \`${names.database}\`.* TO '${names.app}'@'%'`],
  ])('the runtime user cannot %s', async (_what, statement) => {
    await expect(db.dataSource.query(statement)).rejects.toThrow(/denied/);
  });
});
