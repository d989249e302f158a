import type { Request, RequestHandler } from 'express';
import type { ApiKeyService, ApiPrincipal } from '../apiKeys/apiKeyService';
import { CompanyIdPattern } from '../db/columns';
import { problems } from './problem';

declare module 'express-serve-static-core' {
  interface Locals {
    apiPrincipal?: ApiPrincipal;
  }
}

/** `Authorization: Bearer <key>`; a wrong, revoked or missing key is a 401 that says nothing more. */
export function requireApiKey(keys: ApiKeyService): RequestHandler {
  return async (req, res, next) => {
    const header = req.get('authorization') ?? '';
    const match = /^Bearer ([A-Za-z0-9_-]{10,200})$/.exec(header.trim());
    if (!match) throw problems.unauthorized();
    const principal = await keys.authenticate(match[1]);
    if (!principal) throw problems.unauthorized('The API key is unknown or revoked.');
    res.locals.apiPrincipal = principal;
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
  if (!principal || (principal.companyId !== null && principal.companyId !== companyId)) {
    throw problems.notFound('No such company.');
  }
  if (!CompanyIdPattern.test(companyId)) {
    throw problems.validation([{ field: 'companyId', reason: 'must be 1-64 characters of A-Z a-z 0-9 _ -' }]);
  }
  next();
};
