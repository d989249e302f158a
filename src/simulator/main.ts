import { z } from 'zod';
import { DEFAULT_SCOPES } from './options';
import { startSimulator } from './server';

/** `npm run simulator`: the simulator on its own, configured from the environment. */
const env = z.object({
  SIMULATOR_HOST: z.string().min(1).default('127.0.0.1'),
  SIMULATOR_PORT: z.coerce.number().int().min(0).max(65535).default(3100),
  SIMULATOR_CLIENT_ID: z.string().min(1).max(128).default('sim-client'),
  SIMULATOR_CLIENT_SECRET: z.string().min(1).max(128).default('sim-secret'),
  SIMULATOR_CLIENT_AUTH: z.enum(['post', 'basic']).default('post'),
  SIMULATOR_REDIRECT_URIS: z
    .string()
    .default('http://localhost:3000/refresh_token/{companyId},http://127.0.0.1:3000/refresh_token/{companyId}')
    .transform((s) => s.split(',').map((u) => u.trim()).filter(Boolean)),
  SIMULATOR_APPROVAL_MODE: z.enum(['auto', 'manual']).default('auto'),
  SIMULATOR_SETTLE_AFTER_SECONDS: z.coerce.number().int().min(0).default(60),
  /** requests per second and client id beyond which the gateway answers 429 WG_ERR_154; 0 = no limit */
  SIMULATOR_RATE_LIMIT: z.coerce.number().int().min(0).default(0),
  /** an SQLite file that keeps the state across restarts; unset = in memory only */
  SIMULATOR_STATE_FILE: z.string().trim().min(1).optional(),
});

async function main(): Promise<void> {
  const parsed = env.safeParse(process.env);
  if (!parsed.success) {
    process.stderr.write(`simulator: invalid environment\n${z.prettifyError(parsed.error)}\n`);
    process.exit(1);
  }
  const e = parsed.data;
  const log = (line: string) => process.stdout.write(`${line}\n`);
  const running = await startSimulator(
    {
      clients: [
        {
          clientId: e.SIMULATOR_CLIENT_ID,
          clientSecret: e.SIMULATOR_CLIENT_SECRET,
          authMethod: e.SIMULATOR_CLIENT_AUTH,
          redirectUris: e.SIMULATOR_REDIRECT_URIS,
          scopes: DEFAULT_SCOPES,
        },
      ],
      approvalMode: e.SIMULATOR_APPROVAL_MODE,
      settleAfterSeconds: e.SIMULATOR_SETTLE_AFTER_SECONDS,
      rateLimitPerSecond: e.SIMULATOR_RATE_LIMIT,
      logger: log,
    },
    e.SIMULATOR_PORT,
    e.SIMULATOR_HOST,
    e.SIMULATOR_STATE_FILE,
  );
  log(
    JSON.stringify({
      ts: new Date().toISOString(),
      component: 'gmo-simulator',
      msg: 'simulator listening',
      url: running.url,
      authBase: `${running.url}/ganb/api/auth/v1`,
      apiBase: `${running.url}/ganb/api/corporation/v1`,
      clientId: e.SIMULATOR_CLIENT_ID,
      clientAuth: e.SIMULATOR_CLIENT_AUTH,
      redirectUris: e.SIMULATOR_REDIRECT_URIS,
      approvalMode: e.SIMULATOR_APPROVAL_MODE,
      rateLimitPerSecond: e.SIMULATOR_RATE_LIMIT,
      stateFile: e.SIMULATOR_STATE_FILE ?? null,
    }),
  );
  const shutdown = (signal: string) => {
    log(JSON.stringify({ ts: new Date().toISOString(), component: 'gmo-simulator', msg: 'stopping', signal }));
    running.stop().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once('SIGTERM', () => shutdown('SIGTERM'));
  process.once('SIGINT', () => shutdown('SIGINT'));
}

main().catch((err: unknown) => {
  process.stderr.write(`simulator: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
