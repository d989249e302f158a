import { Command, CommanderError, Option } from 'commander';
import { CompanyIdPattern } from '../db/columns';
import { Scheduler } from '../jobs/scheduler';
import type { Services } from '../services';

export interface CliIo {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
  stdin: NodeJS.ReadableStream & { isTTY?: boolean };
}

/** Exit status: 0 done (or skipped: another instance holds the job's lease), 1 failed or nothing to act on, 2 usage. */
export const EXIT = { ok: 0, failed: 1, usage: 2 } as const;

/** The services, opened only when a command needs them (help and usage errors touch no database). */
export type ServicesFactory = (options: { migrate?: boolean }) => Promise<Services>;

class UsageError extends Error {}

function companyId(value: string): string {
  if (!CompanyIdPattern.test(value)) throw new UsageError('a company id is 1-64 characters of A-Z a-z 0-9 _ -');
  return value;
}

async function readStdin(stdin: CliIo['stdin']): Promise<string> {
  if (stdin.isTTY) throw new UsageError('pipe the client secret on standard input, e.g. printf %s "$SECRET" | gmo-bank-integrator registration set …');
  const chunks: Buffer[] = [];
  for await (const chunk of stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8').trim();
}

/**
 * The ops CLI (commander): one subcommand per operation, each with its own --help. Answers go to
 * stdout (JSON or one line, for scripts), complaints and logs to stderr.
 */
export function buildProgram(open: ServicesFactory, io: CliIo, setExit: (code: number) => void): Command {
  const print = (value: unknown) => io.stdout.write(`${typeof value === 'string' ? value : JSON.stringify(value, null, 2)}\n`);
  const fail = (message: string) => {
    io.stderr.write(`${message}\n`);
    setExit(EXIT.failed);
  };
  const program = new Command('gmo-bank-integrator')
    .description("Operates ReCORE's bridge to GMO Aozora Net Bank: API keys, app registrations, connections, jobs, keys, migrations.")
    .addHelpText('after', '\nExit status: 0 done (or skipped: another instance holds that job\'s lease), 1 failed or nothing to act on, 2 usage.\nConfiguration comes from the same environment variables as the service (see README).')
    .exitOverride()
    .configureOutput({ writeOut: (s) => io.stdout.write(s), writeErr: (s) => io.stderr.write(s) })
    .showHelpAfterError('(add --help for usage)');

  const apiKey = program.command('api-key').description('API keys for ReCORE (stored as SHA-256; the key is shown once)');
  apiKey
    .command('create')
    .description('creates a key and prints it once')
    .requiredOption('--name <name>', 'who or what uses the key')
    .option('--company <companyId>', 'scope the key to one company (default: every company)', companyId)
    .action(async (o: { name: string; company?: string }) => {
      const s = await open({});
      const created = await s.apiKeys.create(o.name, o.company ?? null);
      print({ id: created.id, name: o.name, company: o.company ?? '(all companies)', key: created.key });
      io.stderr.write('Store this key now: it is shown only once.\n');
    });
  apiKey
    .command('list')
    .description('lists keys (never the key itself)')
    .action(async () => {
      const s = await open({});
      print((await s.apiKeys.list()).map(({ keyHash: _hash, ...k }) => k));
    });
  apiKey
    .command('revoke')
    .description('revokes a key at once')
    .argument('<keyId>', 'the id that create and list print')
    .action(async (keyId: string) => {
      const s = await open({});
      if (!(await s.apiKeys.revoke(keyId))) return fail(`no active API key with id ${keyId}`);
      print('revoked');
    });

  const registration = program.command('registration').description("a company's own GMO app registration (where the bank issued it one)");
  registration
    .command('set')
    .description('stores it (client secret read from standard input, so it stays out of shell history); the company then connects again')
    .requiredOption('--company <companyId>', 'the company', companyId)
    .requiredOption('--client-id <clientId>', "the bank's client id for this company")
    .addOption(new Option('--auth <method>', 'client authentication: post = パラメーター認証, basic = ベーシック認証').choices(['post', 'basic']).default('post'))
    .option('--scopes <scopes>', 'space-separated scopes (default: BANK_SCOPES); must include offline_access')
    .option('--pkce', 'send a PKCE S256 challenge', false)
    .action(async (o: { company: string; clientId: string; auth: 'post' | 'basic'; scopes?: string; pkce: boolean }) => {
      const clientSecret = await readStdin(io.stdin);
      if (!clientSecret) throw new UsageError('the client secret on standard input is empty');
      const s = await open({});
      const scopes = (o.scopes ?? s.config.bank.scopes.join(' ')).split(/\s+/).filter(Boolean);
      if (!scopes.includes('offline_access')) throw new UsageError('--scopes must include offline_access');
      await s.registrations.upsert(o.company, { clientId: o.clientId, clientSecret, authMethod: o.auth, scopes, pkce: o.pkce });
      print(`registration stored for ${o.company}; the company must connect again for it to take effect`);
    });
  registration
    .command('remove')
    .description("removes it: the vendor's registration applies again")
    .requiredOption('--company <companyId>', 'the company', companyId)
    .action(async (o: { company: string }) => {
      const s = await open({});
      if (!(await s.registrations.remove(o.company))) return fail('no registration for that company');
      print('removed: the vendor registration applies again');
    });

  const connection = program.command('connection').description("a company's bank connection");
  connection
    .command('show')
    .description('prints the connection (never a token)')
    .argument('<companyId>', 'the company', companyId)
    .action(async (id: string) => {
      const s = await open({});
      const view = await s.connections.view(id);
      if (!view) return fail(`no connection for ${id}`);
      print(view);
    });
  connection
    .command('disconnect')
    .description('deletes its tokens physically and marks it disconnected')
    .argument('<companyId>', 'the company', companyId)
    .action(async (id: string) => {
      const s = await open({});
      if (!(await s.connections.disconnect(id))) return fail(`no connection for ${id}`);
      print('disconnected; tokens deleted');
    });

  const job = (name: string, jobName: string, description: string) =>
    program
      .command(name)
      .description(description)
      .action(async () => {
        const s = await open({});
        const definition = s.jobs.find((j) => j.name === jobName)!;
        const run = await new Scheduler(s.leases, s.log).runOnce(definition);
        if (run.outcome === 'failed') return fail(`${jobName} failed: ${run.error}`);
        print(run.outcome === 'skipped' ? `skipped: another instance holds the lease of ${jobName}` : run.result);
      });
  job('purge', 'purge-expired-tokens', 'deletes expired tokens and connect sessions now (physically)');
  job('poll', 'poll-transfers', 'one pass of the transfer poller (status, reconciliation of unknown transfers)');

  program
    .command('keys')
    .description('encryption keys')
    .command('reencrypt')
    .description('re-seals every stored secret under the active key of TOKEN_ENCRYPTION_KEYS')
    .action(async () => {
      const s = await open({});
      const tokens = await s.vault.reencryptAll();
      const clientSecrets = await s.registrations.reencryptAll();
      print({ tokens, clientSecrets, activeKey: s.cipher.activeKeyId });
      if (tokens.failed + clientSecrets.failed > 0) fail('some secrets could not be re-encrypted: their key is not in TOKEN_ENCRYPTION_KEYS (see the log)');
    });

  program
    .command('migrate')
    .description('applies pending database migrations')
    .action(async () => {
      await open({ migrate: true });
      print('migrations applied');
    });

  return program;
}

/** Parses and runs one command line (without the node and script arguments); returns the exit status. */
export async function runCli(open: ServicesFactory, argv: string[], io: CliIo): Promise<number> {
  let code: number = EXIT.ok;
  const program = buildProgram(open, io, (c) => (code = c));
  try {
    await program.parseAsync(argv, { from: 'user' });
    return code;
  } catch (err) {
    if (err instanceof CommanderError) {
      // --help and --version end here with exit code 0; everything else commander refuses is a usage error
      return err.exitCode === 0 ? EXIT.ok : EXIT.usage;
    }
    if (err instanceof UsageError) {
      io.stderr.write(`error: ${err.message}\n(add --help for usage)\n`);
      return EXIT.usage;
    }
    throw err;
  }
}
