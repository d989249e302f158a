import { Router, type ErrorRequestHandler, type Response } from 'express';
import { z } from 'zod';
import { readCookie } from '../http/cookies';
import { problemFor } from '../http/errorTable';
import type { Logger } from '../log';
import { ConnectError, type ConsentFlow } from './consentFlow';
import { BROWSER_COOKIE, callbackQuerySchema } from './contract';
import { FAVICON } from './favicon';
import { connectedPage, failurePage, PAGE_CSS } from './pages';

export { BROWSER_COOKIE };

function sendFailure(res: Response, err: ConnectError): void {
  const page = failurePage(err.failure, err.returnUrl);
  res.status(page.status).type('html').setHeader('Cache-Control', 'no-store');
  res.send(page.html);
}

/** The store owner's browser: the connect link and the bank's redirect back (Japanese pages). */
export function browserRoutes(connect: ConsentFlow, log: Logger, options: { secureCookies: boolean }): Router {
  const router = Router();

  router.get('/favicon.ico', (_req, res) => {
    res.type('image/x-icon').setHeader('Cache-Control', 'public, max-age=86400');
    res.send(FAVICON);
  });

  router.get('/assets/connect.css', (_req, res) => {
    res.type('text/css').setHeader('Cache-Control', 'public, max-age=3600');
    res.send(PAGE_CSS);
  });

  router.get('/connect/:sessionId', async (req, res) => {
    const sessionId = req.params.sessionId;
    if (!z.uuid().safeParse(sessionId).success) return sendFailure(res, new ConnectError('session_not_found'));
    try {
      const begun = await connect.begin(sessionId);
      // Bound to the callback path of this company only, and sent on the bank's top-level redirect back (Lax).
      res.cookie(BROWSER_COOKIE, begun.browserSecret, {
        httpOnly: true,
        sameSite: 'lax',
        secure: options.secureCookies,
        path: `/refresh_token/${encodeURIComponent(begun.companyId)}`,
        maxAge: begun.cookieMaxAgeSeconds * 1000,
      });
      res.setHeader('Cache-Control', 'no-store');
      res.redirect(302, begun.authorizeUrl);
    } catch (err) {
      if (err instanceof ConnectError) return sendFailure(res, err);
      throw err;
    }
  });

  router.get('/refresh_token/:companyId', async (req, res) => {
    const query = callbackQuerySchema.safeParse(req.query);
    const companyId = req.params.companyId;
    const clearCookie = () => res.clearCookie(BROWSER_COOKIE, { path: `/refresh_token/${encodeURIComponent(companyId)}` });
    try {
      if (!query.success) throw new ConnectError('missing_state');
      const result = await connect.complete({ companyId, ...query.data, browserSecret: readCookie(req, BROWSER_COOKIE) });
      clearCookie();
      res.setHeader('Cache-Control', 'no-store');
      if (result.returnUrl) {
        const back = new URL(result.returnUrl);
        back.searchParams.set('bankConnection', 'connected');
        return res.redirect(303, back.toString());
      }
      res.type('html').send(connectedPage(JSON.parse(result.connection.accounts).length, null));
    } catch (err) {
      if (err instanceof ConnectError) {
        clearCookie();
        return sendFailure(res, err);
      }
      throw err;
    }
  });

  // Whatever else goes wrong on these routes (a malformed path, the database gone) the store owner gets a
  // Japanese page, never JSON.
  router.use(((err, req, res, next) => {
    if (res.headersSent || req.method !== 'GET' || !/^\/(connect|refresh_token)\//.test(req.path)) return next(err);
    const problem = problemFor(err);
    const failure = problem && problem.status < 500 ? 'bad_request' : problem ? 'temporarily_unavailable' : 'internal_error';
    if (failure === 'internal_error') log.error('browser route failed', { err });
    else log.warn('browser route refused', { failure, err });
    sendFailure(res, new ConnectError(failure));
  }) as ErrorRequestHandler);

  return router;
}
