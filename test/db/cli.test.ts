import { PassThrough, Readable } from 'node:stream';
import { EXIT, runCli, type CliIo } from '../../src/cli/program';
import { openDatabase } from '../../src/schema';
import { buildServices, type Services } from '../../src/services';
import { DATABASES } from '../support/databases';
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

  async function cli(services: Services, ...argv: string[]) {
    const stdout = new PassThrough();
    const stderr = new PassThrough();
    const chunks = { out: '', err: '' };
    stdout.on('data', (c) => (chunks.out += String(c)));
    stderr.on('data', (c) => (chunks.err += String(c)));
    const io: CliIo = { stdout, stderr, stdin: Readable.from([]) };
    const status = await runCli(async () => services, argv, io);
    return { status, ...chunks };
  }

  /** the same configuration over a database connection that has gone away */
  async function servicesWithoutDatabase(): Promise<Services> {
    const gone = await openDatabase(h.database.url, { migrate: false });
    await gone.dataSource.destroy();
    return buildServices(h.config, gone, h.clock, h.services.log, { instanceId: 'no-db' });
  }

  test.each(['purge', 'poll'])('%s exits 1 and says why when the job fails, never "skipped"', async (command) => {
    const r = await cli(await servicesWithoutDatabase(), command);
    expect(r.status).toBe(EXIT.failed);
    expect(r.out).toBe('');
    expect(r.err).toMatch(/failed/);
    expect(r.err).not.toMatch(/skipped/);
  });

  test.each([
    ['purge', 'purge-expired-tokens'],
    ['poll', 'poll-transfers'],
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
});
