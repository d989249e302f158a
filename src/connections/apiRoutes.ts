import { Router } from 'express';
import { z } from 'zod';
import { companyIdOf } from '../http/auth';
import { ConnectionNotFoundError } from '../tokens/errors';
import { parse } from '../http/validate';
import type { ConnectionService } from './connectionService';
import type { ConnectService } from './connectService';

/** The origin of an absolute http(s) URL, or undefined for anything else (never throws). */
function originOf(value: string): string | undefined {
  try {
    const url = new URL(value);
    return url.protocol === 'https:' || url.protocol === 'http:' ? url.origin : undefined;
  } catch {
    return undefined;
  }
}

export function connectSessionBody(allowedOrigins: string[]) {
  return z
    .object({
      returnUrl: z
        .string({ error: 'must be an absolute https URL' })
        .max(2048, 'must be at most 2048 characters')
        .refine((u) => originOf(u) !== undefined, { message: 'must be an absolute http(s) URL', abort: true })
        .refine((u) => allowedOrigins.includes(originOf(u)!), { message: 'origin is not in RETURN_URL_ORIGINS' })
        .optional(),
    })
    .strict();
}

/** ReCORE's server-to-server API for connections (mounted behind the API key and company checks). */
export function connectionApiRoutes(connect: ConnectService, connections: ConnectionService, allowedOrigins: string[]): Router {
  const router = Router({ mergeParams: true });
  const sessionBody = connectSessionBody(allowedOrigins);

  router.post('/connect-sessions', async (req, res) => {
    const body = parse(sessionBody, req.body ?? {});
    const session = await connect.createSession(companyIdOf(req), body.returnUrl ?? null);
    res.status(201).json({ id: session.id, url: session.url, expiresAt: session.expiresAt.toISOString() });
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
