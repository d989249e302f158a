import { z } from 'zod';
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
  BANK_ENV: z.enum(['simulator', 'staging', 'production']).default('simulator'),
  BANK_AUTH_URL: url.optional(),
  BANK_API_URL: url.optional(),
  BANK_CLIENT_ID: optionalString,
  BANK_CLIENT_SECRET: optionalString,
  BANK_CLIENT_AUTH: z.enum(['post', 'basic']).default('post'),
  BANK_SCOPES: z.string().trim().min(1).default(DEFAULT_SCOPES),
  BANK_PKCE: z.enum(['true', 'false']).default('false'),
  BANK_TIMEOUT_MS: positiveInt.max(120_000).default(15_000),
  BANK_MAX_RPS: z.coerce.number().min(0).max(1000).default(0),
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
  WEBHOOK_UNKNOWN_AFTER_MINUTES: positiveInt.default(30),
  CONNECTION_EXPIRING_DAYS: positiveInt.max(365).default(14),
  EXPIRY_WATCH_CRON: z.string().trim().min(1).default('17 * * * *'),
});

export interface Config {
  port: number;
  host: string;
  simulatorPort: number;
  bankEnv: BankEnvironment;
  bank: {
    authUrl: string;
    apiUrl: string;
    clientId: string;
    clientSecret: string;
    clientAuth: ClientAuthMethod;
    scopes: string[];
    pkce: boolean;
    timeoutMs: number;
    /** outbound requests per second from this process; 0 = unlimited */
    maxRequestsPerSecond: number;
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
  webhooks: {
    /** the deployment's default receiver (ReCORE), with its Standard Webhooks secret (`whsec_…`) */
    defaultEndpoint: { url: string; secret: string } | null;
    cron: string;
    timeoutMs: number;
    /** receivers in 10/8, 172.16/12, 192.168/16, link-local, CGNAT or ULA are refused unless this is set */
    allowPrivateNetworks: boolean;
    /** a transfer still `unknown` after this long is announced as transfer.outcome_unknown */
    unknownAfterMinutes: number;
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

function checkCron(variable: string, expr: string): void {
  // five or six fields of cron characters; node-cron validates the rest when the job is scheduled
  if (!/^(\S+\s+){4,5}\S+$/.test(expr)) fail(variable, `is not a cron expression: "${expr}"`);
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

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
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
  checkDatabaseUrl(e.DATABASE_URL);

  return {
    port: e.PORT,
    host: e.HOST,
    simulatorPort: e.SIMULATOR_PORT,
    bankEnv: e.BANK_ENV,
    bank: {
      authUrl,
      apiUrl,
      clientId: e.BANK_CLIENT_ID ?? SIMULATOR_CLIENT_ID,
      clientSecret: e.BANK_CLIENT_SECRET ?? SIMULATOR_CLIENT_SECRET,
      clientAuth: e.BANK_CLIENT_AUTH,
      scopes,
      pkce: e.BANK_PKCE === 'true',
      timeoutMs: e.BANK_TIMEOUT_MS,
      maxRequestsPerSecond: e.BANK_MAX_RPS,
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
    webhooks: {
      defaultEndpoint: e.WEBHOOK_URL && e.WEBHOOK_SECRET ? { url: e.WEBHOOK_URL, secret: e.WEBHOOK_SECRET } : null,
      cron: e.WEBHOOK_CRON,
      timeoutMs: e.WEBHOOK_TIMEOUT_MS,
      allowPrivateNetworks: e.WEBHOOK_ALLOW_PRIVATE_NETWORKS === 'true',
      unknownAfterMinutes: e.WEBHOOK_UNKNOWN_AFTER_MINUTES,
      connectionExpiringDays: e.CONNECTION_EXPIRING_DAYS,
      expiryWatchCron: e.EXPIRY_WATCH_CRON,
    },
  };
}
