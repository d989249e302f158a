import { PassThrough, Readable } from 'node:stream';
import request from 'supertest';
import { DEFAULT_SCOPES, SCOPES } from '../../src/apiKeys/scopes';
import { EXIT, runCli, type CliIo } from '../../src/cli/program';
import { openDatabase } from '../../src/schema';
import { buildServices, type Services } from '../../src/services';
import { DATABASES } from '../support/databases';
import { bearer } from '../support/connect';
import { startHarness, type Harness } from '../support/harness';

/** The ops CLI's commands in-process: what they print and, above all, their exit status. */
describe.each(DATABASES)('CLI exit status on %s', (kind) => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness(kind);
  });
  afterAll(async () => {
    await h?.close();
  });

  /** as the operator `ops` ($USER), unless `env` says otherwise */
  async function cli(services: Services, ...argv: string[]) {
    return cliWith({ USER: 'ops' }, services, ...argv);
  }

  async function cliWith(env: NodeJS.ProcessEnv, services: Services, ...argv: string[]) {
    const stdout = new PassThrough();
    const stderr = new PassThrough();
    const chunks = { out: '', err: '' };
    stdout.on('data', (c) => (chunks.out += String(c)));
    stderr.on('data', (c) => (chunks.err += String(c)));
    const io: CliIo = { stdout, stderr, stdin: Readable.from([]), env };
    const status = await runCli(async () => services, argv, io);
    return { status, ...chunks };
  }

  /** the same configuration over a database connection that has gone away */
  async function servicesWithoutDatabase(): Promise<Services> {
    const gone = await openDatabase(h.database.url, { migrate: false });
    await gone.dataSource.destroy();
    return buildServices(h.config, gone, h.clock, h.services.log, { instanceId: 'no-db' });
  }

  test.each(['purge', 'poll', 'poll-bulk'])('%s exits 1 and says why when the job fails, never "skipped"', async (command) => {
    const r = await cli(await servicesWithoutDatabase(), command);
    expect(r.status).toBe(EXIT.failed);
    expect(r.out).toBe('');
    expect(r.err).toMatch(/failed/);
    expect(r.err).not.toMatch(/skipped/);
  });

  test.each([
    ['purge', 'purge-expired-tokens'],
    ['poll', 'poll-transfers'],
    ['poll-bulk', 'poll-bulk-transfers'],
  ])('%s says "skipped" and exits 0 only while another instance really holds the lease', async (command, job) => {
    const other = h.anotherInstance();
    expect(await other.leases.tryAcquire(job, 300)).toBe(true);
    const skipped = await cli(h.services, command);
    expect(skipped).toMatchObject({ status: EXIT.ok, out: expect.stringContaining('skipped') });
    await other.leases.release(job);
    const ran = await cli(h.services, command);
    expect(ran.status).toBe(EXIT.ok);
    expect(ran.out).not.toContain('skipped');
    expect(JSON.parse(ran.out)).toEqual(expect.any(Object));
  });

  test('acting on something that does not exist exits 1', async () => {
    expect(await cli(h.services, 'api-key', 'revoke', 'no-such-key')).toMatchObject({ status: EXIT.failed, out: '', err: expect.stringContaining('no active API key') });
    expect(await cli(h.services, 'connection', 'show', 'NOBODY')).toMatchObject({ status: EXIT.failed, out: '', err: expect.stringContaining('no connection') });
    expect(await cli(h.services, 'connection', 'disconnect', 'NOBODY')).toMatchObject({ status: EXIT.failed, err: expect.stringContaining('no connection') });
    expect(await cli(h.services, 'registration', 'remove', '--company', 'NOBODY')).toMatchObject({ status: EXIT.failed });
  });

  test('every command has its own help, given without opening the database; usage errors exit 2', async () => {
    const noDatabase = async () => {
      throw new Error('help must not open the database');
    };
    const help = async (...argv: string[]) => {
      const stdout = new PassThrough();
      let out = '';
      stdout.on('data', (c) => (out += String(c)));
      const status = await runCli(noDatabase, argv, { stdout, stderr: new PassThrough(), stdin: Readable.from([]) });
      return { status, out };
    };
    expect(await help('--help')).toMatchObject({ status: EXIT.ok, out: expect.stringContaining('Exit status: 0 done') });
    expect(await help('api-key', 'create', '--help')).toMatchObject({ status: EXIT.ok, out: expect.stringContaining('--company <companyId>') });
    expect(await help('registration', 'set', '--help')).toMatchObject({ status: EXIT.ok, out: expect.stringContaining('standard input') });
    expect((await help('--help')).out).toContain('--operator <name>');
    const create = (await help('api-key', 'create', '--help')).out;
    for (const text of ['--scopes <list>', '--expires-in-days <days>', 'all but admin', ...SCOPES]) expect(create).toContain(text);
    const rotate = (await help('api-key', 'rotate', '--help')).out;
    for (const text of ['<keyId>', '--grace-hours <hours>', 'same name, company and scopes']) expect(rotate).toContain(text);
    const audit = (await help('audit', 'list', '--help')).out;
    for (const text of ['--company <companyId>', '--action <action>', '--since <iso>', '--limit <n>', 'transfer.create']) expect(audit).toContain(text);
    expect((await cli(h.services, 'bogus')).status).toBe(EXIT.usage);
    expect((await cli(h.services, 'api-key', 'create')).err).toContain("required option '--name <name>'");
    expect((await cli(h.services, 'connection', 'show', 'not a company!')).status).toBe(EXIT.usage);
  });

  test('what succeeds exits 0', async () => {
    const created = await cli(h.services, 'api-key', 'create', '--name', 'ops');
    expect(created.status).toBe(EXIT.ok);
    const { id } = JSON.parse(created.out);
    expect(await cli(h.services, 'api-key', 'revoke', id)).toMatchObject({ status: EXIT.ok, out: 'revoked\n' });
    expect((await cli(h.services, 'keys', 'reencrypt')).status).toBe(EXIT.ok);
  });

  test('api-key create: --scopes (validated), --expires-in-days (a key that stops working), list shows both', async () => {
    const created = await cli(h.services, 'api-key', 'create', '--name', 'till', '--company', 'CLI-S', '--scopes', 'transfers:read, accounts:read', '--expires-in-days', '2');
    expect(created.status).toBe(EXIT.ok);
    const out = JSON.parse(created.out);
    expect(out).toMatchObject({ name: 'till', company: 'CLI-S', scopes: ['transfers:read', 'accounts:read'], expiresAt: new Date(h.clock.now().getTime() + 2 * 86_400_000).toISOString() });
    await request(h.app).get('/v1/companies/CLI-S/transfers').set(...bearer(out.key)).expect(200);
    await request(h.app).post('/v1/companies/CLI-S/connect-sessions').set(...bearer(out.key)).send({}).expect(403);

    const listed = JSON.parse((await cli(h.services, 'api-key', 'list')).out) as Array<Record<string, unknown>>;
    expect(listed.find((k) => k.id === out.id)).toEqual({
      id: out.id,
      name: 'till',
      companyId: 'CLI-S',
      scopes: ['transfers:read', 'accounts:read'],
      status: 'active',
      createdAt: h.clock.now().toISOString(),
      expiresAt: out.expiresAt,
      revokedAt: null,
      replacedById: null,
    });
    expect(JSON.stringify(listed)).not.toContain(out.key);
    expect(JSON.stringify(listed)).not.toContain('keyHash');

    h.clock.advanceSeconds(2 * 86_400);
    await request(h.app).get('/v1/companies/CLI-S/transfers').set(...bearer(out.key)).expect(401);

    const plain = JSON.parse((await cli(h.services, 'api-key', 'create', '--name', 'default')).out);
    expect(plain).toMatchObject({ company: '(all companies)', scopes: [...DEFAULT_SCOPES], expiresAt: null });
    const admin = JSON.parse((await cli(h.services, 'api-key', 'create', '--name', 'ops', '--scopes', 'admin')).out);
    expect(admin.scopes).toEqual(['admin']);
  });

  test.each([
    [['--scopes', 'transfers:read,payouts:write'], 'unknown scope "payouts:write"'],
    [['--scopes', ','], '--scopes needs at least one'],
    [['--expires-in-days', '0'], '--expires-in-days must be a whole number'],
    [['--expires-in-days', '1.5'], '--expires-in-days must be a whole number'],
  ])('api-key create %j is a usage error and creates nothing', async (args, message) => {
    const before = (await h.services.apiKeys.list()).length;
    const r = await cli(h.services, 'api-key', 'create', '--name', 'x', ...args);
    expect(r.status).toBe(EXIT.usage);
    expect(r.err).toContain(message);
    expect((await h.services.apiKeys.list()).length).toBe(before);
  });

  test('api-key rotate: a new key with the same name, company and scopes; the old one works for the grace period', async () => {
    const old = JSON.parse((await cli(h.services, 'api-key', 'create', '--name', 'pos-7', '--company', 'CLI-R', '--scopes', 'transfers:read')).out);
    const r = await cli(h.services, 'api-key', 'rotate', old.id, '--grace-hours', '0.5');
    expect(r.status).toBe(EXIT.ok);
    const rotated = JSON.parse(r.out);
    expect(rotated).toMatchObject({ name: 'pos-7', company: 'CLI-R', scopes: ['transfers:read'], expiresAt: null, replaces: old.id, oldKeyExpiresAt: new Date(h.clock.now().getTime() + 1_800_000).toISOString() });
    expect(rotated.key).toMatch(/^gbi_/);
    expect(r.err).toContain('shown only once');
    const get = (key: string) => request(h.app).get('/v1/companies/CLI-R/transfers').set(...bearer(key));
    await get(old.key).expect(200);
    await get(rotated.key).expect(200);
    h.clock.advanceSeconds(1800);
    await get(old.key).expect(401);
    await get(rotated.key).expect(200);

    expect(await cli(h.services, 'api-key', 'rotate', old.id)).toMatchObject({ status: EXIT.failed, err: expect.stringContaining('expired') });
    expect(await cli(h.services, 'api-key', 'rotate', 'no-such-key')).toMatchObject({ status: EXIT.failed, err: expect.stringContaining('no API key') });
    expect((await cli(h.services, 'api-key', 'rotate', rotated.id, '--grace-hours', '-1')).status).toBe(EXIT.usage);
    expect((await cli(h.services, 'api-key', 'rotate', rotated.id, '--grace-hours', '1000')).status).toBe(EXIT.usage);
  });

  test('the operator: --operator before or after the command, else $USER; neither is a usage error that opens no database', async () => {
    const noDatabase = async () => {
      throw new Error('a usage error must not open the database');
    };
    const stderr = new PassThrough();
    let err = '';
    stderr.on('data', (c) => (err += String(c)));
    const status = await runCli(noDatabase, ['api-key', 'revoke', 'k1'], { stdout: new PassThrough(), stderr, stdin: Readable.from([]), env: {} });
    expect(status).toBe(EXIT.usage);
    expect(err).toContain('--operator NAME (or set $USER)');
    expect((await cliWith({}, h.services, '--operator', 'alice', 'api-key', 'create', '--name', 'a')).status).toBe(EXIT.ok);
    expect((await cliWith({}, h.services, 'api-key', 'create', '--name', 'b', '--operator', 'alice')).status).toBe(EXIT.ok);
    expect((await cliWith({ USER: 'bob' }, h.services, 'api-key', 'create', '--name', 'c')).status).toBe(EXIT.ok);
    expect((await cliWith({ USER: '  ' }, h.services, 'api-key', 'create', '--name', 'd')).status).toBe(EXIT.usage);
    expect((await cliWith({}, h.services, 'api-key', 'create', '--name', 'e', '--operator', 'x'.repeat(101))).status).toBe(EXIT.usage);
    // reading needs nobody
    expect((await cliWith({}, h.services, 'api-key', 'list')).status).toBe(EXIT.ok);
    expect((await cliWith({}, h.services, 'connection', 'show', 'NOBODY')).status).toBe(EXIT.failed);
  });

  test('registration show prints it without the secret; set keeps the rules of the API', async () => {
    const stdin = Readable.from([Buffer.from('cli-show-secret-77')]);
    const stdout = new PassThrough();
    let out = '';
    stdout.on('data', (c) => (out += String(c)));
    const stored = await runCli(async () => h.services, ['registration', 'set', '--company', 'CLI-REG', '--client-id', 'cli-client', '--auth', 'basic', '--operator', 'ops'], {
      stdout,
      stderr: new PassThrough(),
      stdin,
      env: {},
    });
    expect(stored).toBe(EXIT.ok);
    const shown = await cli(h.services, 'registration', 'show', '--company', 'CLI-REG');
    expect(shown.status).toBe(EXIT.ok);
    expect(JSON.parse(shown.out)).toMatchObject({ companyId: 'CLI-REG', clientId: 'cli-client', authMethod: 'basic', scopes: h.config.bank.scopes, pkce: false });
    expect(shown.out).not.toContain('cli-show-secret-77');
    expect((await cli(h.services, 'registration', 'show', '--company', 'NOBODY')).status).toBe(EXIT.failed);
  });
});
