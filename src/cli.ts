import { parseArgs } from 'node:util';
import { CompanyIdPattern } from './db/columns';
import { Scheduler } from './jobs/scheduler';
import { bootstrap } from './runtime';
import type { Services } from './services';

const USAGE = `usage: npm run cli -- <command>
  api-key create --name NAME [--company COMPANY_ID]   prints the new key once
  api-key list | api-key revoke KEY_ID
  registration set --company COMPANY_ID --client-id ID [--auth post|basic] [--scopes "…"] [--pkce]
                   (reads the client secret from standard input, so it stays out of shell history)
  registration remove --company COMPANY_ID
  connection show COMPANY_ID | connection disconnect COMPANY_ID
  purge                  deletes expired tokens and connect sessions now
  poll                   one pass of the transfer poller (status, reconciliation of unknown transfers)
  keys reencrypt         re-seals every stored secret under the active key of TOKEN_ENCRYPTION_KEYS
  migrate                applies pending database migrations`;

class UsageError extends Error {}

function companyOption(value: string | undefined): string {
  if (!value || !CompanyIdPattern.test(value)) throw new UsageError('--company must be 1-64 characters of A-Z a-z 0-9 _ -');
  return value;
}

async function readStdin(): Promise<string> {
  if (process.stdin.isTTY) throw new UsageError('pipe the client secret on standard input, e.g. printf %s "$SECRET" | npm run cli -- registration set …');
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8').trim();
}

const print = (value: unknown) => process.stdout.write(`${typeof value === 'string' ? value : JSON.stringify(value, null, 2)}\n`);

async function run(s: Services, argv: string[]): Promise<void> {
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
      process.stderr.write('Store this key now: it is shown only once.\n');
      return;
    }
    case 'api-key list':
      print((await s.apiKeys.list()).map(({ keyHash: _hash, ...k }) => k));
      return;
    case 'api-key revoke':
      if (!arg) throw new UsageError('api-key revoke needs KEY_ID');
      print((await s.apiKeys.revoke(arg)) ? 'revoked' : 'no such active key');
      return;
    case 'registration set': {
      const companyId = companyOption(values.company);
      if (!values['client-id']) throw new UsageError('--client-id is required');
      const auth = values.auth ?? 'post';
      if (auth !== 'post' && auth !== 'basic') throw new UsageError('--auth must be post or basic');
      const clientSecret = await readStdin();
      if (!clientSecret) throw new UsageError('the client secret on standard input is empty');
      const scopes = (values.scopes ?? s.config.bank.scopes.join(' ')).split(/\s+/).filter(Boolean);
      if (!scopes.includes('offline_access')) throw new UsageError('--scopes must include offline_access');
      await s.registrations.upsert(companyId, { clientId: values['client-id'], clientSecret, authMethod: auth, scopes, pkce: Boolean(values.pkce) });
      print(`registration stored for ${companyId}; the company must connect again for it to take effect`);
      return;
    }
    case 'registration remove':
      print((await s.registrations.remove(companyOption(values.company))) ? 'removed: the vendor registration applies again' : 'no registration for that company');
      return;
    case 'connection show':
      print((await s.connections.view(companyOption(arg))) ?? 'no connection');
      return;
    case 'connection disconnect':
      print((await s.connections.disconnect(companyOption(arg))) ? 'disconnected; tokens deleted' : 'no connection');
      return;
    case 'purge':
    case 'poll': {
      const job = s.jobs.find((j) => j.name === (command === 'purge' ? 'purge-expired-tokens' : 'poll-transfers'))!;
      const result = await new Scheduler(s.leases, s.log).runOnce(job);
      print(result ?? `skipped: another instance is running ${job.name}`);
      return;
    }
    case 'keys reencrypt':
      print({ tokens: await s.vault.reencryptAll(), clientSecrets: await s.registrations.reencryptAll(), activeKey: s.cipher.activeKeyId });
      return;
    case 'migrate':
      print('migrations applied');
      return;
    default:
      throw new UsageError(command ? `unknown command: ${command}` : 'no command given');
  }
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  // logs go to stderr: stdout carries only the command's answer, for scripts to parse
  const services = await bootstrap({ migrate: argv[0] === 'migrate' ? true : undefined, logStream: process.stderr });
  try {
    await run(services, argv);
  } finally {
    await services.db.dataSource.destroy();
  }
}

main().catch((err) => {
  process.stderr.write(`${err instanceof UsageError ? `${err.message}\n\n${USAGE}` : `error: ${err instanceof Error ? err.message : String(err)}`}\n`);
  process.exit(err instanceof UsageError ? 2 : 1);
});
