import { randomBytes } from 'node:crypto';
import { SIMULATOR_CLIENT_ID, SIMULATOR_CLIENT_SECRET } from '../src/config';
import type { Bank } from './bank';
import { NodeChild, SCRIPTS, baseEnv, runNode, waitForOk } from './children';
import { consent } from './consent';

/** The jobs run only when the bench runs them (the CLI's purge and poll): no tick lands inside a measurement. */
const NEVER = '0 0 1 1 *';

/**
 * The integrator as an operator deploys it against a bank it reaches over the network: BANK_ENV=staging
 * (the simulator's code is never loaded), its own key ring, LOG_LEVEL=info (a log line per request, as
 * deployed); it counts its statements itself (gbi_db_statements_total). Its scheduler's jobs are set to run never.
 */
export function integratorEnv(port: number, databaseUrl: string, bank: Bank): NodeJS.ProcessEnv {
  return baseEnv({
    PORT: String(port),
    HOST: '127.0.0.1',
    PUBLIC_BASE_URL: `http://127.0.0.1:${port}`,
    BANK_ENV: 'staging',
    BANK_AUTH_URL: bank.authUrl,
    BANK_API_URL: bank.apiUrl,
    BANK_CLIENT_ID: SIMULATOR_CLIENT_ID,
    BANK_CLIENT_SECRET: SIMULATOR_CLIENT_SECRET,
    TOKEN_ENCRYPTION_KEYS: `bench:${randomBytes(32).toString('base64')}`,
    DATABASE_URL: databaseUrl,
    LOG_LEVEL: 'info',
    PURGE_CRON: NEVER,
    POLL_CRON: NEVER,
    REFRESH_CRON: NEVER,
    WEBHOOK_CRON: NEVER,
    EXPIRY_WATCH_CRON: NEVER,
    // the CLI records its operator in the audit trail
    USER: 'bench',
  });
}

/** The integrator's process and the milliseconds from its spawn to the first 200 on /healthz. */
export async function startIntegrator(env: NodeJS.ProcessEnv, logDir: string, name: string): Promise<{ process: NodeChild; startMs: number }> {
  // BENCH_CPU_PROFILE=<dir>: each integrator process writes a V8 CPU profile there when it stops (see README, Benchmark)
  const profileDir = process.env.BENCH_CPU_PROFILE?.trim();
  const child = new NodeChild(name, SCRIPTS.integrator, env, logDir, profileDir ? { nodeArgs: ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] } : {});
  try {
    return { process: child, startMs: await waitForOk(`${env.PUBLIC_BASE_URL}/healthz`, child, 60_000) };
  } catch (err) {
    await child.stop();
    throw err;
  }
}

/** One ops CLI command as a process, with the integrator's configuration; its answer (JSON or a line) and its time. */
export async function cli(env: NodeJS.ProcessEnv, args: string[], capMs: number): Promise<{ answer: unknown; ms: number }> {
  const run = await runNode(SCRIPTS.cli, args, env, capMs);
  if (run.status !== 0) throw new Error(`gmo-bank-integrator ${args.join(' ')} exited ${run.status}: ${run.stderr.slice(-1500)}`);
  const text = run.stdout.trim();
  return { answer: text.startsWith('{') ? JSON.parse(text) : text, ms: run.ms };
}

/** A company with a key made by the CLI, connected through the consent flow at the bank, as a store owner does it. */
export async function connectCompany(env: NodeJS.ProcessEnv): Promise<{ companyId: string; apiKey: string }> {
  const companyId = `bench-${randomBytes(4).toString('hex')}`;
  const { answer } = await cli(env, ['api-key', 'create', '--name', 'bench', '--company', companyId], 60_000);
  const apiKey = (answer as { key: string }).key;
  const session = await fetch(`${env.PUBLIC_BASE_URL}/v1/companies/${companyId}/connect-sessions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' },
    body: '{}',
  });
  if (session.status !== 201) throw new Error(`connect session: HTTP ${session.status} ${await session.text()}`);
  const { url } = (await session.json()) as { url: string };
  const done = await consent(url);
  if (done.status !== 200) throw new Error(`consent ended on ${done.url} with HTTP ${done.status}`);
  return { companyId, apiKey };
}

/** The bare Express app (bare.ts) on the integrator's database, with the bench's own bank token. */
export async function startBare(port: number, databaseUrl: string, bank: Bank, logDir: string, name: string): Promise<NodeChild> {
  const child = new NodeChild(
    name,
    SCRIPTS.bare,
    baseEnv({ PORT: String(port), DATABASE_URL: databaseUrl, BANK_API_URL: bank.apiUrl, BANK_ACCESS_TOKEN: bank.accessToken, BENCH_COUNT_STATEMENTS: '1' }),
    logDir,
  );
  try {
    await waitForOk(`http://127.0.0.1:${port}/healthz`, child, 30_000);
    return child;
  } catch (err) {
    await child.stop();
    throw err;
  }
}
