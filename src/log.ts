import { AsyncLocalStorage } from 'node:async_hooks';
import winston from 'winston';

export type Logger = winston.Logger;

interface LogContext {
  requestId?: string;
  job?: string;
}

const context = new AsyncLocalStorage<LogContext>();

/** Runs `work` with fields that every log line written inside it carries (request id, job name). */
export function withLogContext<T>(fields: LogContext, work: () => T): T {
  return context.run({ ...context.getStore(), ...fields }, work);
}

/**
 * Field names whose values never reach a log line, whatever the call site: tokens, secrets, codes, state
 * values, keys and full account numbers. Known names, compared without case, `_` or `-`: a substring rule
 * also hid ids and counts (`apiKeyId`, `deletedTokens`) that operators need.
 */
const SECRET_FIELDS = new Set(
  [
    'token',
    'accessToken',
    'refreshToken',
    'idToken',
    'browserSecret',
    'secret',
    'clientSecret',
    'password',
    'passphrase',
    'authorization',
    'proxyAuthorization',
    'cookie',
    'setCookie',
    'xAccessToken',
    'code',
    'state',
    'codeVerifier',
    'pkceVerifier',
    'verifier',
    'apiKey',
    'key',
    'webhookSecret',
    'ciphertext',
    'accountNumber',
    'beneficiaryAccountNumber',
  ].map((name) => name.toLowerCase()),
);

function isSecretField(name: string): boolean {
  return SECRET_FIELDS.has(name.replace(/[-_]/g, '').toLowerCase());
}

export function redact(value: unknown, depth = 0): unknown {
  if (depth > 6 || value === null || typeof value !== 'object') return value;
  if (value instanceof Error) return { name: value.name, message: value.message };
  if (Array.isArray(value)) return value.map((v) => redact(v, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    out[k] = isSecretField(k) ? '[redacted]' : redact(v, depth + 1);
  }
  return out;
}

const redactFormat = winston.format((info) => {
  const store = context.getStore();
  if (store?.requestId && !info.requestId) info.requestId = store.requestId;
  if (store?.job && !info.job) info.job = store.job;
  for (const key of Object.keys(info)) {
    if (isSecretField(key)) info[key] = '[redacted]';
    else info[key] = redact(info[key]);
  }
  return info;
});

export function createLogger(options: { level?: string; stream?: NodeJS.WritableStream } = {}): Logger {
  return winston.createLogger({
    level: options.level ?? 'info',
    format: winston.format.combine(redactFormat(), winston.format.timestamp(), winston.format.json()),
    defaultMeta: { service: 'gmo-bank-integrator' },
    transports: [
      options.stream
        ? new winston.transports.Stream({ stream: options.stream })
        : new winston.transports.Console({ stderrLevels: [] }),
    ],
  });
}

/** Last four digits only: enough for an operator to recognise an account, useless to anyone else. */
export function maskAccountNumber(accountNumber: string): string {
  return accountNumber.length <= 4 ? '****' : `***${accountNumber.slice(-4)}`;
}

/**
 * A GMO accountId is branch (3) + subject (2) + account number (7): the same masking as the account number,
 * so an error body or a webhook that masks one never shows it whole in the other.
 */
export function maskAccountId(accountId: string): string {
  return accountId.length > 7 ? `${accountId.slice(0, accountId.length - 7)}${maskAccountNumber(accountId.slice(-7))}` : maskAccountNumber(accountId);
}
