import { randomUUID } from 'node:crypto';
import type { Request, RequestHandler } from 'express';
import { withAuditContext } from '../audit/context';
import { withLogContext, type Logger } from '../log';

const INCOMING_ID = /^[A-Za-z0-9._-]{8,64}$/;

/**
 * Gives every request an id (kept from X-Request-Id when sane), echoes it, and logs one line per request:
 * method, route pattern, status, time, the API key's id, the company of the route and the client's
 * address. Audit events written while it runs carry the request id and the client address; until an
 * API key says otherwise the actor is the browser (the bank's redirect back carries no key).
 */
export function requestContext(log: Logger, routeOf: (req: Request) => string): RequestHandler {
  return (req, res, next) => {
    const incoming = req.get('x-request-id');
    const requestId = incoming && INCOMING_ID.test(incoming) ? incoming : randomUUID();
    res.locals.requestId = requestId;
    res.setHeader('X-Request-Id', requestId);
    const started = process.hrtime.bigint();
    const clientIp = req.ip;
    withLogContext({ requestId }, () => {
      res.on('finish', () => {
        withLogContext({ requestId }, () =>
          log.info('request', {
            method: req.method,
            // the route pattern, never the URL: paths carry account ids, query strings code and state
            route: routeOf(req),
            status: res.statusCode,
            ms: Number((process.hrtime.bigint() - started) / 1_000_000n),
            apiKeyId: res.locals.apiPrincipal?.keyId ?? null,
            companyId: res.locals.companyId ?? null,
            clientIp: clientIp ?? null,
          }),
        );
      });
      withAuditContext({ actor: { type: 'browser' }, clientIp, requestId }, next);
    });
  };
}
