import { parseArgs } from 'node:util';
import { CompanyIdPattern } from './db/columns';
import { Scheduler } from './jobs/scheduler';
import type { Services } from './services';

export const USAGE = `usage: npm run cli -- <command>
  api-key create --name NAME [--company COMPANY_ID]   prints the new key once
  api-key list | api-key revoke KEY_ID
  registration set --company COMPANY_ID --client-id ID [--auth post|basic] [--scopes "…"] [--pkce]
                   (reads the client secret from standard input, so it stays out of shell history)
  registration remove --company COMPANY_ID
  connection show COMPANY_ID | connection disconnect COMPANY_ID
  purge                  deletes expired tokens and connect sessions now
  poll                   one pass of the transfer poller (status, reconciliation of unknown transfers)
  keys reencrypt         re-seals every stored secret under the active key of TOKEN_ENCRYPTION_KEYS
  migrate                applies pending database migrations
exit status: 0 done (or skipped: another instance holds the job's lease), 1 failed or nothing to act on, 2 usage`;

export class UsageError extends Error {}

function companyOption(value: string | undefined): string {
  if (!value || !CompanyIdPattern.test(value)) throw new UsageError('--company must be 1-64 characters of A-Z a-z 0-9 _ -');
  return value;
}

async function readStdin(stdin: CliIo['stdin']): Promise<string> {
  if (stdin.isTTY) throw new UsageError('pipe the client secret on standard input, e.g. printf %s "$SECRET" | npm run cli -- registration set …');
  const chunks: Buffer[] = [];
  for await (const chunk of stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8').trim();
}

export interface CliIo {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
  stdin: NodeJS.ReadableStream & { isTTY?: boolean };
}

/** Exit codes: 0 done (or skipped because another instance runs the job), 1 failed or nothing to act on, 2 usage. */
export const EXIT = { ok: 0, failed: 1, usage: 2 } as const;

/** Runs one command; returns the exit code. Answers go to stdout (for scripts), complaints to stderr. */
export async function runCommand(s: Services, argv: string[], io: CliIo): Promise<number> {
  const print = (value: unknown) => io.stdout.write(`${typeof value === 'string' ? value : JSON.stringify(value, null, 2)}\n`);
  const fail = (message: string) => {
    io.stderr.write(`${message}\n`);
    return EXIT.failed;
  };
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      name: { type: 'string' },
      company: { type: 'string' },
      'client-id': { type: 'string' },
      auth: { type: 'string' },
      scopes: { type: 'string' },
      pkce: { type: 'boolean' },
    },
  });
  const [group, action, arg] = positionals;
  const command = [group, action].filter(Boolean).join(' ');
  switch (command) {
    case 'api-key create': {
      if (!values.name) throw new UsageError('--name is required');
      const created = await s.apiKeys.create(values.name, values.company ? companyOption(values.company) : null);
      print({ id: created.id, name: values.name, company: values.company ?? '(all companies)', key: created.key });
      io.stderr.write('Store this key now: it is shown only once.\n');
      return EXIT.ok;
    }
    case 'api-key list':
      print((await s.apiKeys.list()).map(({ keyHash: _hash, ...k }) => k));
      return EXIT.ok;
    case 'api-key revoke':
      if (!arg) throw new UsageError('api-key revoke needs KEY_ID');
      if (!(await s.apiKeys.revoke(arg))) return fail(`no active API key with id ${arg}`);
      print('revoked');
      return EXIT.ok;
    case 'registration set': {
      const companyId = companyOption(values.company);
      if (!values['client-id']) throw new UsageError('--client-id is required');
      const auth = values.auth ?? 'post';
      if (auth !== 'post' && auth !== 'basic') throw new UsageError('--auth must be post or basic');
      const clientSecret = await readStdin(io.stdin);
      if (!clientSecret) throw new UsageError('the client secret on standard input is empty');
      const scopes = (values.scopes ?? s.config.bank.scopes.join(' ')).split(/\s+/).filter(Boolean);
      if (!scopes.includes('offline_access')) throw new UsageError('--scopes must include offline_access');
      await s.registrations.upsert(companyId, { clientId: values['client-id'], clientSecret, authMethod: auth, scopes, pkce: Boolean(values.pkce) });
      print(`registration stored for ${companyId}; the company must connect again for it to take effect`);
      return EXIT.ok;
    }
    case 'registration remove':
      if (!(await s.registrations.remove(companyOption(values.company)))) return fail('no registration for that company');
      print('removed: the vendor registration applies again');
      return EXIT.ok;
    case 'connection show': {
      const view = await s.connections.view(companyOption(arg));
      if (!view) return fail(`no connection for ${arg}`);
      print(view);
      return EXIT.ok;
    }
    case 'connection disconnect':
      if (!(await s.connections.disconnect(companyOption(arg)))) return fail(`no connection for ${arg}`);
      print('disconnected; tokens deleted');
      return EXIT.ok;
    case 'purge':
    case 'poll': {
      const job = s.jobs.find((j) => j.name === (command === 'purge' ? 'purge-expired-tokens' : 'poll-transfers'))!;
      const run = await new Scheduler(s.leases, s.log).runOnce(job);
      if (run.outcome === 'failed') return fail(`${job.name} failed: ${run.error}`);
      print(run.outcome === 'skipped' ? `skipped: another instance holds the lease of ${job.name}` : run.result);
      return EXIT.ok;
    }
    case 'keys reencrypt': {
      const tokens = await s.vault.reencryptAll();
      const clientSecrets = await s.registrations.reencryptAll();
      print({ tokens, clientSecrets, activeKey: s.cipher.activeKeyId });
      if (tokens.failed + clientSecrets.failed > 0) return fail('some secrets could not be re-encrypted: their key is not in TOKEN_ENCRYPTION_KEYS (see the log)');
      return EXIT.ok;
    }
    case 'migrate':
      print('migrations applied');
      return EXIT.ok;
    default:
      throw new UsageError(command ? `unknown command: ${command}` : 'no command given');
  }
}

