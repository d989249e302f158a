import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { parseEnv } from 'node:util';
import { validateDetailed as validateCron } from 'node-cron';
import { z } from 'zod';
import type { BankProxySettings } from './bank/egress';
import { parseKeyRing, type KeyRing } from './crypto/keyRing';

type BankEnvironment = 'simulator' | 'staging' | 'production';
export type ClientAuthMethod = 'post' | 'basic';

const BANK_BASES: Record<Exclude<BankEnvironment, 'simulator'>, { auth: string; api: string }> = {
  production: {
    auth: 'https://api.gmo-aozora.com/ganb/api/auth/v1',
    api: 'https://api.gmo-aozora.com/ganb/api/corporation/v1',
  },
  staging: {
    auth: 'https://stg-api.gmo-aozora.com/ganb/api/auth/v1',
    api: 'https://stg-api.gmo-aozora.com/ganb/api/corporation/v1',
  },
};

/**
 * A development-only key so that `npm start` works with no set-up. Refused outside the simulator
 * environment: real tokens must never be encrypted under a key that is published in the repository.
 */
export const SIMULATOR_DEV_KEY_RING = 'dev:ZGV2LW9ubHkta2V5LWZvci10aGUtc2ltdWxhdG9yISE=';
export const SIMULATOR_CLIENT_ID = 'sim-client';
export const SIMULATOR_CLIENT_SECRET = 'sim-secret';
const DEFAULT_SCOPES = 'openid offline_access private:account private:transfer private:bulk-transfer';

const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]']);

const port = z.coerce.number().int().min(0).max(65535);
const positiveInt = z.coerce.number().int().positive();
const url = z.url({ protocol: /^https?$/ });
const optionalString = z
  .string()
  .optional()
  .transform((v) => (v === undefined || v.trim() === '' ? undefined : v.trim()));

const envSchema = z.object({
  PORT: port.default(3000),
  HOST: z.string().default('0.0.0.0'),
  SIMULATOR_PORT: port.default(3100),
  SIMULATOR_IN_PROCESS: z.enum(['true', 'false']).optional(),
  SIMULATOR_STATE_FILE: optionalString,
  BANK_ENV: z.enum(['simulator', 'staging', 'production']).default('simulator'),
  BANK_AUTH_URL: url.optional(),
  BANK_API_URL: url.optional(),
  BANK_BROWSER_AUTH_URL: url.optional(),
  BANK_CLIENT_ID: optionalString,
  BANK_CLIENT_SECRET: optionalString,
  BANK_CLIENT_AUTH: z.enum(['post', 'basic']).default('post'),
  BANK_SCOPES: z.string().trim().min(1).default(DEFAULT_SCOPES),
  BANK_PKCE: z.enum(['true', 'false']).default('false'),
  BANK_TIMEOUT_MS: positiveInt.max(120_000).default(15_000),
  SHUTDOWN_TIMEOUT_MS: positiveInt.max(120_000).default(8_000),
  KEEP_ALIVE_TIMEOUT_MS: positiveInt.min(1_000).max(600_000).default(65_000),
  BANK_MAX_RPS: z.coerce.number().min(0).max(1000).default(0),
  INSTANCE_HEARTBEAT_SECONDS: positiveInt.max(300).default(10),
  BANK_PROXY_URL: optionalString,
  // the usual proxy variables, read for the bank only (the lower-case form first, as curl and undici do)
  https_proxy: optionalString,
  HTTPS_PROXY: optionalString,
  http_proxy: optionalString,
  HTTP_PROXY: optionalString,
  no_proxy: optionalString,
  NO_PROXY: optionalString,
  BANK_REFRESH_TOKEN_TTL_SECONDS: positiveInt.default(7_776_000),
  TOKEN_REFRESH_MARGIN_SECONDS: positiveInt.default(86_400),
  PUBLIC_BASE_URL: url.optional(),
  RETURN_URL_ORIGINS: z.string().default(''),
  DATABASE_URL: z.string().trim().min(1).default('sqlite:./data/integrator.sqlite'),
  MIGRATIONS_RUN: z.enum(['true', 'false']).default('true'),
  TOKEN_ENCRYPTION_KEYS: optionalString,
  PURGE_CRON: z.string().trim().min(1).default('*/10 * * * *'),
  POLL_CRON: z.string().trim().min(1).default('* * * * *'),
  REFRESH_CRON: z.string().trim().min(1).default('*/30 * * * *'),
  LOG_LEVEL: z.enum(['error', 'warn', 'info', 'debug']).default('info'),
  WEBHOOK_URL: url.optional(),
  WEBHOOK_SECRET: optionalString,
  WEBHOOK_CRON: z.string().trim().min(1).default('*/5 * * * * *'),
  WEBHOOK_TIMEOUT_MS: positiveInt.max(60_000).default(5_000),
  WEBHOOK_ALLOW_PRIVATE_NETWORKS: z.enum(['true', 'false']).default('false'),
  WEBHOOK_PROXY_URL: optionalString,
  WEBHOOK_UNKNOWN_AFTER_MINUTES: positiveInt.default(30),
  WEBHOOK_ENDPOINT_CACHE_SECONDS: z.coerce.number().int().min(0).max(60).default(5),
  CONNECTION_EXPIRING_DAYS: positiveInt.max(365).default(14),
  EXPIRY_WATCH_CRON: z.string().trim().min(1).default('17 * * * *'),
  API_KEY_CACHE_SECONDS: z.coerce.number().int().min(0).max(60).default(5),
});

export interface Config {
  port: number;
  host: string;
  simulatorPort: number;
  /** BANK_ENV=simulator with the bank simulator started inside this process (no BANK_AUTH_URL/BANK_API_URL given) */
  simulatorInProcess: boolean;
  /** where the in-process simulator keeps its state across restarts; null = in memory only */
  simulatorStateFile: string | null;
  /** after SIGTERM, how long in-flight requests may take before their connections are closed and the process exits */
  shutdownTimeoutMs: number;
  /** how long an idle kept-alive connection stays open: longer than the balancer's own idle timeout */
  keepAliveTimeoutMs: number;
  bankEnv: BankEnvironment;
  bank: {
    authUrl: string;
    apiUrl: string;
    /** the consent page's base as the store owner's browser reaches it, when not authUrl (a container network) */
    browserAuthUrl?: string;
    clientId: string;
    clientSecret: string;
    clientAuth: ClientAuthMethod;
    scopes: string[];
    pkce: boolean;
    timeoutMs: number;
    /** requests per second of the whole deployment (the client id's limit), shared by the live instances; 0 = unlimited */
    maxRequestsPerSecond: number;
    /** how often an instance beats in service_instances (and so how fast the shares follow a join or a leave) */
    heartbeatSeconds: number;
    /** BANK_PROXY_URL, else HTTPS_PROXY / HTTP_PROXY / NO_PROXY; nothing set: direct */
    proxy: BankProxySettings;
    refreshTokenTtlSeconds: number;
    refreshMarginSeconds: number;
  };
  publicBaseUrl: string;
  returnUrlOrigins: string[];
  databaseUrl: string;
  runMigrations: boolean;
  keyRing: KeyRing;
  purgeCron: string;
  pollCron: string;
  refreshCron: string;
  logLevel: 'error' | 'warn' | 'info' | 'debug';
  /** how long an API key lookup is reused: the bound on a revocation made elsewhere; 0 = every request reads */
  apiKeyCacheSeconds: number;
  webhooks: {
    /** the deployment's default receiver (ReCORE), with its Standard Webhooks secret (`whsec_…`) */
    defaultEndpoint: { url: string; secret: string } | null;
    cron: string;
    timeoutMs: number;
    /** receivers in 10/8, 172.16/12, 192.168/16, link-local, CGNAT or ULA are refused unless this is set */
    allowPrivateNetworks: boolean;
    /** WEBHOOK_PROXY_URL: receivers are reached through it (CONNECT); never the bank's proxy */
    proxyUrl: string | null;
    /** a transfer still `unknown` after this long is announced as transfer.outcome_unknown */
    unknownAfterMinutes: number;
    /** how long events choose their receivers from one read of the endpoints: the bound on a change made elsewhere; 0 = every event reads */
    endpointCacheSeconds: number;
    /** connection.expiring is sent when the refresh token lapses within this many days */
    connectionExpiringDays: number;
    expiryWatchCron: string;
  };
}

/** One line naming the variable, so an operator sees at once what to fix. */
export class ConfigError extends Error {}

function fail(variable: string, reason: string): never {
  throw new ConfigError(`Invalid configuration: ${variable} ${reason}`);
}

function requireSecure(variable: string, value: string): void {
  const parsed = new URL(value);
  if (parsed.protocol !== 'https:' && !LOOPBACK_HOSTS.has(parsed.hostname)) {
    fail(variable, `must use https outside the simulator (got ${parsed.protocol}//${parsed.host})`);
  }
}

/** A proxy URL; the error names the variable and never echoes the value (it may carry a password). */
function checkProxyUrl(variable: string, value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  let parsed: URL;
  try {
    parsed = new URL(value);
  } catch {
    return fail(variable, 'must be an http:// or https:// URL of the proxy, e.g. http://user:pass@proxy.internal:3128');
  }
  if ((parsed.protocol !== 'http:' && parsed.protocol !== 'https:') || !parsed.hostname) {
    fail(variable, 'must be an http:// or https:// URL of the proxy, e.g. http://user:pass@proxy.internal:3128');
  }
  if (parsed.username && !parsed.password) fail(variable, 'names a proxy user without a password (user:pass@, percent-encoded)');
  return value;
}

function parseOrigins(raw: string): string[] {
  return raw
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
    .map((s) => {
      try {
        const u = new URL(s);
        if (u.origin !== s.replace(/\/$/, '')) fail('RETURN_URL_ORIGINS', `entry "${s}" must be an origin (scheme://host[:port])`);
        return u.origin;
      } catch (e) {
        if (e instanceof ConfigError) throw e;
        return fail('RETURN_URL_ORIGINS', `entry "${s}" is not a URL`);
      }
    });
}

/** node-cron's own check, so a bad expression stops start-up before migrations rather than when the job is scheduled. */
function checkCron(variable: string, expr: string): void {
  const { valid, errors } = validateCron(expr);
  if (!valid) fail(variable, `is not a cron expression: "${expr}" (${errors.map((e) => e.message).join('; ')})`);
}

/** Standard Webhooks' secret form: `whsec_` + base64 of the key bytes. */
function isWebhookSecret(value: string): boolean {
  const m = /^whsec_([A-Za-z0-9+/]+={0,2})$/.exec(value);
  if (!m) return false;
  const bytes = Buffer.from(m[1], 'base64');
  return bytes.length >= 24 && bytes.length <= 64 && bytes.toString('base64') === m[1];
}

function checkDatabaseUrl(value: string): void {
  if (value.startsWith('sqlite:')) {
    if (value.length === 'sqlite:'.length) fail('DATABASE_URL', 'needs a file path after sqlite:');
    return;
  }
  if (/^(mysql|mariadb):\/\//.test(value)) {
    try {
      const u = new URL(value);
      if (!u.hostname || u.pathname.length < 2) fail('DATABASE_URL', 'must name a host and a database: mysql://user:pass@host:port/db');
    } catch (e) {
      if (e instanceof ConfigError) throw e;
      fail('DATABASE_URL', 'is not a valid mysql:// URL');
    }
    return;
  }
  fail('DATABASE_URL', 'must start with sqlite: or mysql://');
}

/**
 * ENV_FILE=path adds the file's variables (KEY=value lines, as `node --env-file` reads them) to the
 * environment; a variable already set in the environment wins over the file.
 */
function withEnvFile(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const path = env.ENV_FILE?.trim();
  if (!path) return env;
  let content: string;
  try {
    content = readFileSync(path, 'utf8');
  } catch (err) {
    return fail('ENV_FILE', `cannot be read: ${path} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
  }
  return { ...parseEnv(content), ...env };
}

/** The in-process simulator keeps its state beside the service's SQLite file, so a restart finds the tokens the service kept. */
function simulatorStateFile(setting: string | undefined, databaseUrl: string): string | null {
  if (setting === 'off') return null;
  if (setting) return setting;
  const path = databaseUrl.startsWith('sqlite:') ? databaseUrl.slice('sqlite:'.length) : ':memory:';
  return path === ':memory:' ? null : join(dirname(path), 'simulator.sqlite');
}

export function loadConfig(processEnv: NodeJS.ProcessEnv = process.env): Config {
  const env = withEnvFile(processEnv);
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    fail(String(issue.path[0]), issue.message.replace(/^Invalid input: /, 'is invalid: '));
  }
  const e = parsed.data;
  const simulator = e.BANK_ENV === 'simulator';

  const bases = simulator
    ? {
        auth: `http://127.0.0.1:${e.SIMULATOR_PORT}/ganb/api/auth/v1`,
        api: `http://127.0.0.1:${e.SIMULATOR_PORT}/ganb/api/corporation/v1`,
      }
    : BANK_BASES[e.BANK_ENV as Exclude<BankEnvironment, 'simulator'>];
  const authUrl = (e.BANK_AUTH_URL ?? bases.auth).replace(/\/$/, '');
  const apiUrl = (e.BANK_API_URL ?? bases.api).replace(/\/$/, '');
  const publicBaseUrl = (e.PUBLIC_BASE_URL ?? `http://localhost:${e.PORT}`).replace(/\/$/, '');
  const browserAuthUrl = e.BANK_BROWSER_AUTH_URL?.replace(/\/$/, '');
  if (e.SIMULATOR_IN_PROCESS === 'true' && !simulator) fail('SIMULATOR_IN_PROCESS', 'applies only when BANK_ENV=simulator');
  if (simulator && Boolean(e.BANK_AUTH_URL) !== Boolean(e.BANK_API_URL)) {
    fail(e.BANK_AUTH_URL ? 'BANK_API_URL' : 'BANK_AUTH_URL', `is required with ${e.BANK_AUTH_URL ? 'BANK_AUTH_URL' : 'BANK_API_URL'} when BANK_ENV=simulator (both point at the simulator)`);
  }
  // a simulator reached at BANK_AUTH_URL/BANK_API_URL runs elsewhere (its own container): none is started here
  const simulatorInProcess = simulator && (e.SIMULATOR_IN_PROCESS ?? String(!e.BANK_AUTH_URL && !e.BANK_API_URL)) === 'true';

  if (!simulator) {
    if (!e.BANK_CLIENT_ID) fail('BANK_CLIENT_ID', `is required when BANK_ENV=${e.BANK_ENV}`);
    if (!e.BANK_CLIENT_SECRET) fail('BANK_CLIENT_SECRET', `is required when BANK_ENV=${e.BANK_ENV}`);
    if (!e.TOKEN_ENCRYPTION_KEYS) fail('TOKEN_ENCRYPTION_KEYS', `is required when BANK_ENV=${e.BANK_ENV}`);
    if (e.TOKEN_ENCRYPTION_KEYS === SIMULATOR_DEV_KEY_RING) {
      fail('TOKEN_ENCRYPTION_KEYS', 'must not be the development key outside the simulator');
    }
    if (!e.PUBLIC_BASE_URL) fail('PUBLIC_BASE_URL', `is required when BANK_ENV=${e.BANK_ENV}`);
    requireSecure('BANK_AUTH_URL', authUrl);
    requireSecure('BANK_API_URL', apiUrl);
    if (browserAuthUrl) requireSecure('BANK_BROWSER_AUTH_URL', browserAuthUrl);
    requireSecure('PUBLIC_BASE_URL', publicBaseUrl);
  }

  let keyRing: KeyRing;
  try {
    keyRing = parseKeyRing(e.TOKEN_ENCRYPTION_KEYS ?? SIMULATOR_DEV_KEY_RING);
  } catch (err) {
    return fail('TOKEN_ENCRYPTION_KEYS', (err as Error).message);
  }
  if (!simulator && keyRing.keys.some((k) => k.material.equals(parseKeyRing(SIMULATOR_DEV_KEY_RING).active.material))) {
    fail('TOKEN_ENCRYPTION_KEYS', 'must not contain the development key outside the simulator');
  }

  const scopes = e.BANK_SCOPES.split(/\s+/).filter(Boolean);
  if (!scopes.includes('offline_access')) fail('BANK_SCOPES', 'must include offline_access (no refresh token without it)');
  checkCron('PURGE_CRON', e.PURGE_CRON);
  checkCron('POLL_CRON', e.POLL_CRON);
  checkCron('REFRESH_CRON', e.REFRESH_CRON);
  checkCron('WEBHOOK_CRON', e.WEBHOOK_CRON);
  checkCron('EXPIRY_WATCH_CRON', e.EXPIRY_WATCH_CRON);
  if (e.WEBHOOK_URL && !e.WEBHOOK_SECRET) fail('WEBHOOK_SECRET', 'is required with WEBHOOK_URL (a Standard Webhooks secret: whsec_ + base64)');
  if (e.WEBHOOK_SECRET && !isWebhookSecret(e.WEBHOOK_SECRET)) fail('WEBHOOK_SECRET', 'must be whsec_ followed by base64 of 24 to 64 random bytes');
  if (e.WEBHOOK_URL && !simulator) requireSecure('WEBHOOK_URL', e.WEBHOOK_URL);
  // the bundled simulator is local: a proxy the machine sets for everything is not applied to it (BANK_PROXY_URL is)
  const bankProxy: BankProxySettings = {
    explicit: checkProxyUrl('BANK_PROXY_URL', e.BANK_PROXY_URL),
    httpsProxy: simulator ? undefined : checkProxyUrl(e.https_proxy ? 'https_proxy' : 'HTTPS_PROXY', e.https_proxy ?? e.HTTPS_PROXY),
    httpProxy: simulator ? undefined : checkProxyUrl(e.http_proxy ? 'http_proxy' : 'HTTP_PROXY', e.http_proxy ?? e.HTTP_PROXY),
    noProxy: simulator ? undefined : (e.no_proxy ?? e.NO_PROXY),
  };
  const webhookProxyUrl = checkProxyUrl('WEBHOOK_PROXY_URL', e.WEBHOOK_PROXY_URL);
  checkDatabaseUrl(e.DATABASE_URL);

  return {
    port: e.PORT,
    host: e.HOST,
    simulatorPort: e.SIMULATOR_PORT,
    simulatorInProcess,
    simulatorStateFile: simulatorInProcess ? simulatorStateFile(e.SIMULATOR_STATE_FILE, e.DATABASE_URL) : null,
    shutdownTimeoutMs: e.SHUTDOWN_TIMEOUT_MS,
    keepAliveTimeoutMs: e.KEEP_ALIVE_TIMEOUT_MS,
    bankEnv: e.BANK_ENV,
    bank: {
      authUrl,
      apiUrl,
      browserAuthUrl,
      clientId: e.BANK_CLIENT_ID ?? SIMULATOR_CLIENT_ID,
      clientSecret: e.BANK_CLIENT_SECRET ?? SIMULATOR_CLIENT_SECRET,
      clientAuth: e.BANK_CLIENT_AUTH,
      scopes,
      pkce: e.BANK_PKCE === 'true',
      timeoutMs: e.BANK_TIMEOUT_MS,
      maxRequestsPerSecond: e.BANK_MAX_RPS,
      heartbeatSeconds: e.INSTANCE_HEARTBEAT_SECONDS,
      proxy: bankProxy,
      refreshTokenTtlSeconds: e.BANK_REFRESH_TOKEN_TTL_SECONDS,
      refreshMarginSeconds: e.TOKEN_REFRESH_MARGIN_SECONDS,
    },
    publicBaseUrl,
    returnUrlOrigins: parseOrigins(e.RETURN_URL_ORIGINS),
    databaseUrl: e.DATABASE_URL,
    runMigrations: e.MIGRATIONS_RUN === 'true',
    keyRing,
    purgeCron: e.PURGE_CRON,
    pollCron: e.POLL_CRON,
    refreshCron: e.REFRESH_CRON,
    logLevel: e.LOG_LEVEL,
    apiKeyCacheSeconds: e.API_KEY_CACHE_SECONDS,
    webhooks: {
      defaultEndpoint: e.WEBHOOK_URL && e.WEBHOOK_SECRET ? { url: e.WEBHOOK_URL, secret: e.WEBHOOK_SECRET } : null,
      cron: e.WEBHOOK_CRON,
      timeoutMs: e.WEBHOOK_TIMEOUT_MS,
      allowPrivateNetworks: e.WEBHOOK_ALLOW_PRIVATE_NETWORKS === 'true',
      proxyUrl: webhookProxyUrl ?? null,
      unknownAfterMinutes: e.WEBHOOK_UNKNOWN_AFTER_MINUTES,
      endpointCacheSeconds: e.WEBHOOK_ENDPOINT_CACHE_SECONDS,
      connectionExpiringDays: e.CONNECTION_EXPIRING_DAYS,
      expiryWatchCron: e.EXPIRY_WATCH_CRON,
    },
  };
}
