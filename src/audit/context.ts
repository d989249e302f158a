import { AsyncLocalStorage } from 'node:async_hooks';

/**
 * Who is acting: an API key (the HTTP API), an operator (the CLI), the store owner's browser (the
 * bank's redirect back, which carries no key) or the service itself (a scheduled job).
 */
export type Actor =
  | { type: 'api_key'; id: string; name: string }
  | { type: 'operator'; id: string }
  | { type: 'browser' }
  | { type: 'system'; id: string };

interface AuditContext {
  actor?: Actor;
  /** the HTTP client's address (Express `req.ip`, behind a trusted proxy its X-Forwarded-For) */
  clientIp?: string;
  requestId?: string;
}

const storage = new AsyncLocalStorage<AuditContext>();

/**
 * Runs `work` with who and where for every audit event written inside it: set by the request context
 * (client IP, request id), the API-key check (the key) and the CLI (the operator), so services record
 * events without knowing HTTP or the CLI.
 */
export function withAuditContext<T>(fields: AuditContext, work: () => T): T {
  return storage.run({ ...storage.getStore(), ...fields }, work);
}

export function currentAuditContext(): AuditContext {
  return storage.getStore() ?? {};
}

/** Nobody set an actor: a scheduled job of the service itself. */
export const SCHEDULER: Actor = { type: 'system', id: 'scheduler' };
