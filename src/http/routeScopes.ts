import type { Scope } from '../apiKeys/scopes';
import type { AppRoute } from './routePattern';

/** One row of the table: a method and an Express route pattern (or, for `prefix`, every route under it). */
interface RouteScope {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE' | '*';
  pattern: string;
  /** the row covers every route whose pattern starts with `pattern` */
  prefix?: boolean;
  scope: Scope;
}

const C = '/v1/companies/:companyId';

/**
 * The one table of which scope each /v1 route needs, applied by `requireScope` (src/http/auth.ts) after
 * the key is authenticated and before any route runs. test/api/scopes.test.ts fails when a /v1 route has
 * no row here (or a row matches no route). A route missing from it needs `admin` (closed by default).
 */
export const ROUTE_SCOPES: readonly RouteScope[] = [
  { method: 'POST', pattern: `${C}/connect-sessions`, scope: 'connections:write' },
  { method: 'GET', pattern: `${C}/connection`, scope: 'connections:read' },
  { method: 'DELETE', pattern: `${C}/connection`, scope: 'connections:write' },
  { method: 'GET', pattern: `${C}/accounts`, scope: 'accounts:read' },
  { method: 'GET', pattern: `${C}/accounts/:accountId/balance`, scope: 'accounts:read' },
  { method: 'GET', pattern: `${C}/accounts/:accountId/transactions`, scope: 'accounts:read' },
  { method: 'GET', pattern: `${C}/accounts/:accountId/deposit-transactions`, scope: 'accounts:read' },
  { method: 'POST', pattern: `${C}/transfers/fee-quote`, scope: 'transfers:write' },
  { method: 'POST', pattern: `${C}/transfers`, scope: 'transfers:write' },
  { method: 'GET', pattern: `${C}/transfers`, scope: 'transfers:read' },
  { method: 'GET', pattern: `${C}/transfers/:id`, scope: 'transfers:read' },
  { method: 'POST', pattern: `${C}/transfers/:id/cancel`, scope: 'transfers:write' },
  { method: 'GET', pattern: `${C}/reports/payouts`, scope: 'transfers:read' },
  { method: 'POST', pattern: `${C}/bulk-transfers/fee-quote`, scope: 'transfers:write' },
  { method: 'POST', pattern: `${C}/bulk-transfers`, scope: 'transfers:write' },
  { method: 'GET', pattern: `${C}/bulk-transfers`, scope: 'transfers:read' },
  { method: 'GET', pattern: `${C}/bulk-transfers/:id`, scope: 'transfers:read' },
  { method: 'GET', pattern: `${C}/bulk-transfers/:id/items`, scope: 'transfers:read' },
  { method: 'POST', pattern: `${C}/bulk-transfers/:id/cancel`, scope: 'transfers:write' },
  { method: 'GET', pattern: `${C}/bank-registration`, scope: 'admin' },
  { method: 'PUT', pattern: `${C}/bank-registration`, scope: 'admin' },
  { method: 'DELETE', pattern: `${C}/bank-registration`, scope: 'admin' },
  { method: 'GET', pattern: '/v1/audit-events', scope: 'admin' },
  // webhook endpoints and deliveries: every method and path below these
  { method: '*', pattern: '/v1/webhook-endpoints', prefix: true, scope: 'admin' },
  { method: '*', pattern: '/v1/webhook-deliveries', prefix: true, scope: 'admin' },
  { method: '*', pattern: `${C}/webhook-endpoints`, prefix: true, scope: 'admin' },
  { method: '*', pattern: '/v1/webhook-deliveries', prefix: true, scope: 'admin' },
];

/** What an unlisted /v1 route needs: nothing a non-admin key has. */
export const UNLISTED_ROUTE_SCOPE: Scope = 'admin';

export function scopeRowFor(method: string, pattern: string): RouteScope | undefined {
  const m = method === 'HEAD' ? 'GET' : method;
  return ROUTE_SCOPES.find(
    (row) => (row.method === '*' || row.method === m) && (row.prefix ? pattern === row.pattern || pattern.startsWith(`${row.pattern}/`) : pattern === row.pattern),
  );
}

/**
 * The route a request is for, with its method (HEAD counts as GET), or undefined when no route of the app
 * takes it (a 404 or an OPTIONS answer follows: no scope to check).
 */
export function routeResolver(routes: () => AppRoute[]): (method: string, path: string) => string | undefined {
  let cached: AppRoute[] | undefined;
  return (method, path) => {
    cached ??= routes();
    const m = method === 'HEAD' ? 'GET' : method;
    return cached.find((r) => (r.methods.has(m) || r.methods.has('_ALL')) && r.matches(path))?.pattern;
  };
}
