/**
 * What an API key may do. Every /v1 route needs exactly one of these (src/http/routeScopes.ts is the
 * table; a test fails for a route without one).
 */
export const SCOPES = ['transfers:write', 'transfers:read', 'accounts:read', 'connections:write', 'connections:read', 'admin'] as const;
export type Scope = (typeof SCOPES)[number];

/** What `api-key create` gives without `--scopes`: everything but `admin`. */
export const DEFAULT_SCOPES: readonly Scope[] = SCOPES.filter((s) => s !== 'admin');

export const SCOPE_DESCRIPTIONS: Record<Scope, string> = {
  'transfers:write': 'create and cancel transfers, quote fees',
  'transfers:read': 'read and list transfers',
  'accounts:read': 'the bank account list and balances',
  'connections:write': 'create connect sessions, disconnect',
  'connections:read': 'read the bank connection',
  admin: "the company's own bank app registration, webhook endpoints, the audit trail",
};

function isScope(value: string): value is Scope {
  return (SCOPES as readonly string[]).includes(value);
}

/** `a,b c` → the scopes, in the canonical order, or the names that are no scope. */
export function parseScopeList(list: string): { scopes: Scope[]; unknown: string[] } {
  const names = list.split(/[\s,]+/).filter(Boolean);
  const unknown = names.filter((n) => !isScope(n));
  return { scopes: SCOPES.filter((s) => names.includes(s)), unknown };
}

/** Stored space-separated, canonical order. */
export function serializeScopes(scopes: readonly Scope[]): string {
  return SCOPES.filter((s) => scopes.includes(s)).join(' ');
}

export function deserializeScopes(stored: string): Scope[] {
  return parseScopeList(stored).scopes;
}
