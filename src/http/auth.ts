import type { Request, RequestHandler } from 'express';
import type { ApiKeyService, ApiPrincipal } from '../apiKeys/apiKeyService';
import { InsufficientScopeError } from '../apiKeys/errors';
import { withAuditContext } from '../audit/context';
import { CompanyIdPattern } from '../db/columns';
import { problems } from './problem';
import { scopeRowFor, UNLISTED_ROUTE_SCOPE } from './routeScopes';

declare module 'express-serve-static-core' {
  interface Locals {
    apiPrincipal?: ApiPrincipal;
    /** the company of the route (`:companyId`), once its form is checked: the request log line carries it */
    companyId?: string;
  }
}

/**
 * `Authorization: Bearer <key>`; a wrong, revoked, expired or missing key is a 401 that says nothing more.
 * Everything after it runs with the key as the actor of any audit event.
 */
export function requireApiKey(keys: ApiKeyService): RequestHandler {
  return async (req, res, next) => {
    const header = req.get('authorization') ?? '';
    const match = /^Bearer ([A-Za-z0-9_-]{10,200})$/.exec(header.trim());
    if (!match) throw problems.unauthorized();
    const principal = await keys.authenticate(match[1]);
    if (!principal) throw problems.unauthorized('The API key is unknown or revoked, or it has expired.');
    res.locals.apiPrincipal = principal;
    withAuditContext({ actor: { type: 'api_key', id: principal.keyId, name: principal.name } }, next);
  };
}

/**
 * The scope check, once for every /v1 route: the route the request is for (method and pattern) → the scope
 * it needs (src/http/routeScopes.ts) → 403 `insufficient-scope` naming it when the key lacks it. A request
 * no route takes (404, OPTIONS) needs none.
 */
export function requireScope(routeOf: (method: string, path: string) => string | undefined): RequestHandler {
  return (req, res, next) => {
    const principal = res.locals.apiPrincipal;
    if (!principal) throw problems.unauthorized();
    const pattern = routeOf(req.method, req.originalUrl.split('?')[0]);
    if (pattern === undefined) return next();
    const scope = scopeRowFor(req.method, pattern)?.scope ?? UNLISTED_ROUTE_SCOPE;
    if (!principal.scopes.includes(scope)) throw new InsufficientScopeError(scope);
    next();
  };
}

/**
 * A key scoped to one company sees every other company as absent (404, not 403), so a caller cannot
 * learn which company ids exist.
 */
export function companyIdOf(req: Request): string {
  return (req.params as Record<string, string>).companyId;
}

export const requireCompanyAccess: RequestHandler = (req, res, next) => {
  const companyId = companyIdOf(req);
  const principal = res.locals.apiPrincipal;
  if (CompanyIdPattern.test(companyId)) res.locals.companyId = companyId;
  if (!principal || (principal.companyId !== null && principal.companyId !== companyId)) {
    throw problems.notFound('No such company.');
  }
  if (!CompanyIdPattern.test(companyId)) {
    throw problems.validation([{ field: 'companyId', reason: 'must be 1-64 characters of A-Z a-z 0-9 _ -' }]);
  }
  next();
};
