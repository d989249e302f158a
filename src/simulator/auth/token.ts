import express, { type ErrorRequestHandler, type Request, type Response, type Router } from 'express';
import { SimHttpError, oauthError } from '../errors';
import { endpoint } from '../http';
import type { SimulatorState } from '../state';
import { rateLimit } from '../rateLimit';
import { authenticateClient, claimedClientId } from './clientAuth';
import { param } from './params';
import type { IssuedTokens, Outcome } from './store';

function required(body: unknown, name: string): string {
  const value = param(body, name);
  if (value === undefined) throw oauthError('invalid_request', `${name} is required`);
  return value;
}

function grant(state: SimulatorState, req: Request, clientId: string): Outcome<IssuedTokens> {
  const now = state.clock.now();
  const grantType = required(req.body, 'grant_type');
  switch (grantType) {
    case 'authorization_code':
      return state.auth.exchangeCode(
        required(req.body, 'code'),
        clientId,
        required(req.body, 'redirect_uri'),
        param(req.body, 'code_verifier'),
        now,
      );
    case 'refresh_token':
      return state.auth.refresh(
        required(req.body, 'refresh_token'),
        clientId,
        param(req.body, 'scope')?.split(' ').filter(Boolean),
        now,
      );
    default:
      throw oauthError('unsupported_grant_type', 'grant_type must be authorization_code or refresh_token');
  }
}

function issueTokens(state: SimulatorState) {
  return (req: Request, res: Response): void => {
    if (!req.is('application/x-www-form-urlencoded')) {
      throw oauthError('invalid_request', 'Content-Type must be application/x-www-form-urlencoded');
    }
    const client = authenticateClient(state.clients, req.headers.authorization, req.body, state.config.strictClientAuth);
    const outcome = grant(state, req, client.clientId);
    if (!outcome.ok) throw oauthError(outcome.error, outcome.reason);
    const { access, refresh } = outcome.value;
    res.set({ 'Cache-Control': 'no-store', Pragma: 'no-cache' }).json({
      access_token: access.token,
      refresh_token: refresh?.token,
      scope: access.scopes.join(' '),
      token_type: 'Bearer',
      expires_in: Math.round((access.expiresAt.getTime() - state.clock.now().getTime()) / 1000),
    });
  };
}

/** Whatever goes wrong at the token endpoint is reported the OAuth way. */
const oauthErrors: ErrorRequestHandler = (err, _req, _res, next) => {
  next(err instanceof SimHttpError ? err : oauthError('invalid_request', 'the request body could not be read'));
};

export function tokenRoutes(router: Router, state: SimulatorState): void {
  const countGrant = (req: Request, _res: Response, next: () => void) => {
    state.counters.grant(param(req.body, 'grant_type'));
    next();
  };
  // The body is parsed before the fault check so that a faulted refresh still counts as a refresh attempt;
  // urlencoded() leaves other content types unparsed and the handler rejects them.
  const byClaimedClient = rateLimit(state, (req) => claimedClientId(req.headers.authorization, req.body));
  router.post('/token', express.urlencoded({ extended: false }), countGrant, ...endpoint(state, 'token'), byClaimedClient, issueTokens(state), oauthErrors);
}
