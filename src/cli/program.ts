import { Command, CommanderError, Option } from 'commander';
import { DEFAULT_SCOPES, parseScopeList, SCOPE_DESCRIPTIONS, SCOPES, type Scope } from '../apiKeys/scopes';
import { AUDIT_ACTIONS, auditEventView, type AuditAction } from '../audit/auditLog';
import { withAuditContext } from '../audit/context';
import { CompanyIdPattern } from '../db/columns';
import { RegistrationInvalidError } from '../registrations/errors';
import { Scheduler } from '../jobs/scheduler';
import type { Services } from '../services';
import { EVENT_TYPES, type EventType } from '../webhooks/events';

export interface CliIo {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
  stdin: NodeJS.ReadableStream & { isTTY?: boolean };
  /** where `$USER` comes from (default: process.env) */
  env?: NodeJS.ProcessEnv;
}

/** Exit status: 0 done (or skipped: another instance holds the job's lease), 1 failed or nothing to act on, 2 usage. */
export const EXIT = { ok: 0, failed: 1, usage: 2 } as const;

/** The services, opened only when a command needs them (help and usage errors touch no database). */
type ServicesFactory = (options: { migrate?: boolean }) => Promise<Services>;

class UsageError extends Error {}

/** `a,b`: event types, each one of EVENT_TYPES. */
function eventTypeList(value: string): EventType[] {
  const names = value.split(/[\s,]+/).filter(Boolean);
  const unknown = names.filter((n) => !(EVENT_TYPES as readonly string[]).includes(n));
  if (names.length === 0 || unknown.length > 0) throw new UsageError(`--events: not an event type: ${unknown.join(', ') || '(none given)'}`);
  return names as EventType[];
}

function companyId(value: string): string {
  if (!CompanyIdPattern.test(value)) throw new UsageError('a company id is 1-64 characters of A-Z a-z 0-9 _ -');
  return value;
}

function positiveInt(max: number, what: string) {
  return (value: string): number => {
    if (!/^[0-9]+$/.test(value) || Number(value) < 1 || Number(value) > max) throw new UsageError(`${what} must be a whole number from 1 to ${max}`);
    return Number(value);
  };
}

function graceHours(value: string): number {
  if (!/^[0-9]+(\.[0-9]+)?$/.test(value) || Number(value) > 720) throw new UsageError('--grace-hours must be a number of hours from 0 to 720');
  return Number(value);
}

function scopeList(value: string): Scope[] {
  const { scopes, unknown } = parseScopeList(value);
  if (unknown.length > 0) throw new UsageError(`unknown scope ${unknown.map((u) => `"${u}"`).join(', ')}; the scopes are ${SCOPES.join(', ')}`);
  if (scopes.length === 0) throw new UsageError(`--scopes needs at least one of ${SCOPES.join(', ')}`);
  return scopes;
}

function auditAction(value: string): AuditAction {
  if (!(AUDIT_ACTIONS as readonly string[]).includes(value)) throw new UsageError(`unknown action "${value}"; the actions are ${AUDIT_ACTIONS.join(', ')}`);
  return value as AuditAction;
}

function isoInstant(value: string): Date {
  if (!/^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?(Z|[+-]\d{2}:\d{2}))?$/.test(value) || Number.isNaN(Date.parse(value))) {
    throw new UsageError('--since must be an ISO 8601 date or date-time, e.g. 2026-11-24 or 2026-11-24T09:00:00+09:00');
  }
  return new Date(value);
}

/** The flags of `registration set` by the field names its rules report. */
const REGISTRATION_FLAGS: Record<string, string> = {
  clientId: '--client-id',
  clientSecret: 'the client secret on standard input',
  authMethod: '--auth',
  scopes: '--scopes',
  pkce: '--pkce',
};

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
function buildProgram(open: ServicesFactory, io: CliIo, setExit: (code: number) => void): Command {
  const print = (value: unknown) => io.stdout.write(`${typeof value === 'string' ? value : JSON.stringify(value, null, 2)}\n`);
  const fail = (message: string) => {
    io.stderr.write(`${message}\n`);
    setExit(EXIT.failed);
  };
  const program = new Command('gmo-bank-integrator')
    .description("Operates ReCORE's bridge to GMO Aozora Net Bank: API keys, app registrations, connections, jobs, keys, migrations.")
    .addHelpText(
      'after',
      "\nExit status: 0 done (or skipped: another instance holds that job's lease), 1 failed or nothing to act on, 2 usage.\nCommands that change something are recorded in the audit trail with the operator (--operator NAME, else $USER; required).\nConfiguration comes from the same environment variables as the service (see README).",
    )
    .exitOverride()
    .configureOutput({ writeOut: (s) => io.stdout.write(s), writeErr: (s) => io.stderr.write(s) })
    .showHelpAfterError('(add --help for usage)')
    .option('--operator <name>', 'who runs the command, for the audit trail (default: $USER); commands that change something refuse to run without one');

  /** Who runs a command that changes something: --operator, else $USER, else a usage error (before any database is opened). */
  const operator = (): string => {
    const name = ((program.opts() as { operator?: string }).operator ?? (io.env ?? process.env).USER ?? '').trim();
    if (!name) throw new UsageError('say who is running this: --operator NAME (or set $USER); every change is recorded in the audit trail');
    if (name.length > 100 || !/^[\x20-\x7e]+$/.test(name)) throw new UsageError('--operator must be 1-100 printable ASCII characters');
    return name;
  };
  /** A command that changes something: runs with the operator as the actor of every audit event it writes. */
  const write =
    <A extends unknown[]>(action: (...args: A) => Promise<void>) =>
    async (...args: A): Promise<void> => {
      const id = operator();
      await withAuditContext({ actor: { type: 'operator', id } }, () => action(...args));
    };

  const apiKey = program.command('api-key').description('API keys for ReCORE (stored as SHA-256; the key is shown once)');
  apiKey
    .command('create')
    .description('creates a key and prints it once')
    .requiredOption('--name <name>', 'who or what uses the key')
    .option('--company <companyId>', 'scope the key to one company (default: every company)', companyId)
    .option('--scopes <list>', `comma-separated, of ${SCOPES.join(', ')} (default: ${DEFAULT_SCOPES.join(',')}, i.e. all but admin)`, scopeList)
    .option('--expires-in-days <days>', 'the key stops working after this many days (default: never)', positiveInt(3650, '--expires-in-days'))
    .addHelpText('after', `\nScopes:\n${SCOPES.map((sc) => `  ${sc.padEnd(18)} ${SCOPE_DESCRIPTIONS[sc]}`).join('\n')}`)
    .action(
      write(async (o: { name: string; company?: string; scopes?: Scope[]; expiresInDays?: number }) => {
        const s = await open({});
        const expiresAt = o.expiresInDays ? new Date(s.clock.now().getTime() + o.expiresInDays * 86_400_000) : null;
        const created = await s.apiKeys.create(o.name, o.company ?? null, { scopes: o.scopes ?? DEFAULT_SCOPES, expiresAt });
        print({
          id: created.id,
          name: o.name,
          company: o.company ?? '(all companies)',
          scopes: created.scopes,
          expiresAt: created.expiresAt?.toISOString() ?? null,
          key: created.key,
        });
        io.stderr.write('Store this key now: it is shown only once.\n');
      }),
    );
  apiKey
    .command('list')
    .description('lists keys with their scopes, expiry and status (never the key itself)')
    .action(async () => {
      const s = await open({});
      print(await s.apiKeys.list());
    });
  apiKey
    .command('revoke')
    .description('revokes a key at once')
    .argument('<keyId>', 'the id that create and list print')
    .action(
      write(async (keyId: string) => {
        const s = await open({});
        if (!(await s.apiKeys.revoke(keyId))) return fail(`no active API key with id ${keyId}`);
        print('revoked');
      }),
    );
  apiKey
    .command('rotate')
    .description('creates a new key with the same name, company and scopes (printed once); the old one keeps working for the grace period, then expires')
    .argument('<keyId>', 'the key to replace')
    .option('--grace-hours <hours>', 'how long the old key still works (0: it stops now)', graceHours, 24)
    .option('--expires-in-days <days>', "the new key's lifetime (default: as long as the old key's was, or never)", positiveInt(3650, '--expires-in-days'))
    .action(
      write(async (keyId: string, o: { graceHours: number; expiresInDays?: number }) => {
        const s = await open({});
        const expiresAt = o.expiresInDays ? new Date(s.clock.now().getTime() + o.expiresInDays * 86_400_000) : undefined;
        const result = await s.apiKeys.rotate(keyId, { graceSeconds: Math.round(o.graceHours * 3600), expiresAt });
        if (!result.rotated) {
          const why = { not_found: 'no API key with that id', revoked: 'it is revoked', expired: 'it has expired', already_rotated: 'it was already rotated' }[result.reason];
          return fail(`cannot rotate ${keyId}: ${why}`);
        }
        const created = result.created;
        print({
          id: created.id,
          name: created.name,
          company: created.companyId ?? '(all companies)',
          scopes: created.scopes,
          expiresAt: created.expiresAt?.toISOString() ?? null,
          key: created.key,
          replaces: result.oldKeyId,
          oldKeyExpiresAt: result.oldKeyExpiresAt.toISOString(),
        });
        io.stderr.write(`Store this key now: it is shown only once. The old key works until ${result.oldKeyExpiresAt.toISOString()}.\n`);
      }),
    );

  const registration = program.command('registration').description("a company's own GMO app registration (where the bank issued it one)");
  registration
    .command('set')
    .description('stores it (client secret read from standard input, so it stays out of shell history); the company then connects again')
    .requiredOption('--company <companyId>', 'the company', companyId)
    .requiredOption('--client-id <clientId>', "the bank's client id for this company")
    .addOption(new Option('--auth <method>', 'client authentication: post = パラメーター認証, basic = ベーシック認証').choices(['post', 'basic']).default('post'))
    .option('--scopes <scopes>', 'space-separated scopes (default: BANK_SCOPES); must include offline_access')
    .option('--pkce', 'send a PKCE S256 challenge', false)
    .action(
      write(async (o: { company: string; clientId: string; auth: 'post' | 'basic'; scopes?: string; pkce: boolean }) => {
        const clientSecret = await readStdin(io.stdin);
        if (!clientSecret) throw new UsageError('the client secret on standard input is empty');
        const s = await open({});
        const scopes = (o.scopes ?? s.config.bank.scopes.join(' ')).split(/\s+/).filter(Boolean);
        try {
          await s.registrations.upsert(o.company, { clientId: o.clientId, clientSecret, authMethod: o.auth, scopes, pkce: o.pkce });
        } catch (err) {
          // the same rules as PUT /v1/companies/:companyId/bank-registration, said in the CLI's words
          if (err instanceof RegistrationInvalidError) throw new UsageError(err.issues.map((i) => `${REGISTRATION_FLAGS[i.field] ?? i.field} ${i.reason}`).join('; '));
          throw err;
        }
        print(`registration stored for ${o.company}; the company must connect again for it to take effect`);
      }),
    );
  registration
    .command('show')
    .description('prints the company\'s own registration (never the client secret)')
    .requiredOption('--company <companyId>', 'the company', companyId)
    .action(async (o: { company: string }) => {
      const s = await open({});
      const view = await s.registrations.view(o.company);
      if (!view) return fail('no registration for that company: it uses the vendor registration');
      print(view);
    });
  registration
    .command('remove')
    .description("removes it: the vendor's registration applies again")
    .requiredOption('--company <companyId>', 'the company', companyId)
    .action(
      write(async (o: { company: string }) => {
        const s = await open({});
        if (!(await s.registrations.remove(o.company))) return fail('no registration for that company');
        print('removed: the vendor registration applies again');
      }),
    );

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
    .action(
      write(async (id: string) => {
        const s = await open({});
        if (!(await s.connections.disconnect(id))) return fail(`no connection for ${id}`);
        print('disconnected; tokens deleted');
      }),
    );

  /** `callsBank`: the run takes its share of BANK_MAX_RPS like a server instance, with its own heartbeat row until it ends */
  const job = (name: string, jobName: string, description: string, audited: boolean, callsBank = false) => {
    const run = async () => {
      const s = await open({});
      const definition = s.jobs.find((j) => j.name === jobName)!;
      if (callsBank) await s.instances.join();
      try {
        const result = await new Scheduler(s.leases, s.log).runOnce(definition);
        if (result.outcome === 'failed') return fail(`${jobName} failed: ${result.error}`);
        print(result.outcome === 'skipped' ? `skipped: another instance holds the lease of ${jobName}` : result.result);
      } finally {
        if (callsBank) await s.instances.leave();
      }
    };
    return program
      .command(name)
      .description(description)
      .action(audited ? write(run) : run);
  };
  job('purge', 'purge-expired-tokens', 'deletes expired tokens and connect sessions now (physically); recorded in the audit trail', true);
  job('poll', 'poll-transfers', 'one pass of the transfer poller (status, reconciliation of unknown transfers)', false, true);
  job('poll-bulk', 'poll-bulk-transfers', 'one pass of the bulk transfer poller (batch status, item results, reconciliation of unknown batches)', false, true);

  program
    .command('keys')
    .description('encryption keys')
    .command('reencrypt')
    .description('re-seals every stored secret under the active key of TOKEN_ENCRYPTION_KEYS')
    .action(
      write(async () => {
        const s = await open({});
        const tokens = await s.vault.reencryptAll();
        const clientSecrets = await s.registrations.reencryptAll();
        const webhookSecrets = await s.webhookEndpoints.reencryptAll();
        const failed = tokens.failed + clientSecrets.failed + webhookSecrets.failed;
        await s.audit.record({
          action: 'keys.reencrypt',
          outcome: failed > 0 ? 'failed' : 'succeeded',
          reason: failed > 0 ? `${failed} could not be re-encrypted` : null,
          details: {
            activeKeyId: s.cipher.activeKeyId,
            reencryptedTokens: tokens.reencrypted,
            failedTokens: tokens.failed,
            reencryptedClientSecrets: clientSecrets.reencrypted,
            failedClientSecrets: clientSecrets.failed,
            reencryptedWebhookSecrets: webhookSecrets.reencrypted,
            failedWebhookSecrets: webhookSecrets.failed,
          },
        });
        print({ tokens, clientSecrets, webhookSecrets, activeKey: s.cipher.activeKeyId });
        if (failed > 0) fail('some secrets could not be re-encrypted: their key is not in TOKEN_ENCRYPTION_KEYS (see the log)');
      }),
    );

  const webhook = program.command('webhook').description('endpoints that receive signed events, and their deliveries (see README, Webhooks)');
  const all = { allCompanies: true } as const;
  webhook
    .command('add')
    .description('adds an endpoint and prints its signing secret once')
    .requiredOption('--url <url>', 'where events are POSTed (https; loopback or the simulator environment may use http)')
    .option('--company <companyId>', "only this company's events (default: every company)", companyId)
    .option('--events <list>', `comma-separated event types (default: all): ${EVENT_TYPES.join(', ')}`, eventTypeList)
    .action(
      write(async (o: { url: string; company?: string; events?: EventType[] }) => {
        const s = await open({});
        const created = await s.webhookAdmin.create(all, { url: o.url, companyId: o.company ?? null, eventTypes: o.events ?? null });
        print(created);
        io.stderr.write('Store this secret now: it is shown only once.\n');
      }),
    );
  webhook
    .command('list')
    .description('lists endpoints (never their secrets)')
    .action(async () => {
      const s = await open({});
      print(await s.webhookAdmin.list(all));
    });
  for (const [name, status, description] of [
    ['disable', 'disabled', 'stops sending to an endpoint'],
    ['enable', 'active', 'sends to an endpoint again'],
  ] as const) {
    webhook
      .command(name)
      .description(description)
      .argument('<endpointId>', 'the id that add and list print')
      .action(
        write(async (id: string) => {
          const s = await open({});
          print(await s.webhookAdmin.setStatus(all, id, status));
        }),
      );
  }
  webhook
    .command('rotate-secret')
    .description('issues a new signing secret, printed once (the old one also signs for 24 h)')
    .argument('<endpointId>', 'the endpoint')
    .action(
      write(async (id: string) => {
        const s = await open({});
        print(await s.webhookAdmin.rotateSecret(all, id));
        io.stderr.write('Store this secret now: it is shown only once.\n');
      }),
    );
  webhook
    .command('ping')
    .description('sends a test event now and prints the delivery after its first attempt')
    .argument('<endpointId>', 'the endpoint')
    .action(async (id: string) => {
      const s = await open({});
      const delivery = await s.webhookAdmin.ping(all, id);
      print(delivery);
      if (delivery.status !== 'delivered') fail(`the ping was not delivered: ${delivery.lastError}`);
    });
  webhook
    .command('deliveries')
    .description('lists deliveries with their attempts and last error, newest first (JSON)')
    .addOption(new Option('--status <status>', 'only these').choices(['pending', 'delivered', 'failed']))
    .option('--endpoint <endpointId>', 'only to this endpoint (`default` for WEBHOOK_URL)')
    .option('--limit <n>', 'how many (1-200)', positiveInt(200, '--limit'), 50)
    .action(async (o: { status?: 'pending' | 'delivered' | 'failed'; endpoint?: string; limit: number }) => {
      const s = await open({});
      print(await s.webhookAdmin.deliveries(all, { status: o.status, endpointId: o.endpoint, limit: o.limit }));
    });
  webhook
    .command('redeliver')
    .description('sends a delivery again with the next dispatch (a failed one, or once more)')
    .argument('<deliveryId>', 'the delivery')
    .action(
      write(async (id: string) => {
        const s = await open({});
        print(await s.webhookAdmin.redeliver(all, id));
      }),
    );

  program
    .command('audit')
    .description('the audit trail (who changed what, when, from where, and how it ended)')
    .command('list')
    .description('prints audit events, newest first (JSON)')
    .option('--company <companyId>', "only this company's events", companyId)
    .option('--action <action>', `only this action: ${AUDIT_ACTIONS.join(', ')}`, auditAction)
    .option('--since <iso>', 'only events at or after this instant (ISO 8601)', isoInstant)
    .option('--limit <n>', 'at most this many (default 50)', positiveInt(1000, '--limit'), 50)
    .action(async (o: { company?: string; action?: AuditAction; since?: Date; limit: number }) => {
      const s = await open({});
      const page = await s.audit.list({ companyId: o.company, action: o.action, from: o.since, limit: o.limit });
      print(page.items.map(auditEventView));
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
