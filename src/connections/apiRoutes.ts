import { Router } from 'express';
import { companyIdOf } from '../http/auth';
import { problems } from '../http/problem';
import { parse } from '../http/validate';
import { ConnectionNotFoundError } from '../tokens/errors';
import type { ConnectionService } from './connectionService';
import type { ConsentFlow } from './consentFlow';
import { createConnectSession, originOf, type ConnectSessionView } from './contract';

/**
 * ReCORE's server-to-server API for connections (mounted behind the API key and company checks). Every
 * request is parsed with the connections contract (./contract.ts), the shapes the OpenAPI document shows.
 */
export function connectionApiRoutes(connect: ConsentFlow, connections: ConnectionService, allowedOrigins: string[]): Router {
  const router = Router({ mergeParams: true });

  router.post('/connect-sessions', async (req, res) => {
    const body = parse(createConnectSession.request.body, req.body ?? {});
    // the contract says "an absolute http(s) URL"; which origins are allowed is this deployment's RETURN_URL_ORIGINS
    if (body.returnUrl !== undefined && !allowedOrigins.includes(originOf(body.returnUrl)!)) {
      throw problems.validation([{ field: 'returnUrl', reason: 'origin is not in RETURN_URL_ORIGINS' }]);
    }
    const session = await connect.createSession(companyIdOf(req), body.returnUrl ?? null);
    const view: ConnectSessionView = { id: session.id, url: session.url, expiresAt: session.expiresAt.toISOString() };
    res.status(201).json(view);
  });

  router.get('/connection', async (req, res) => {
    const view = await connections.view(companyIdOf(req));
    if (!view) throw new ConnectionNotFoundError();
    res.json(view);
  });

  router.delete('/connection', async (req, res) => {
    const done = await connections.disconnect(companyIdOf(req));
    if (!done) throw new ConnectionNotFoundError();
    res.json(await connections.view(companyIdOf(req)));
  });

  return router;
}
