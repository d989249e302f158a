import type { Request, Response, Router } from 'express';
import { SimHttpError } from '../errors';
import { findUser } from '../seed';
import type { SimulatorState } from '../state';

function bearerError(status: number, error: string, description: string): SimHttpError {
  return new SimHttpError(status, { error, error_description: description }, { 'WWW-Authenticate': `Bearer error="${error}"` });
}

/**
 * OIDC UserInfo with the three fields a production client maps (go-gmo: sub, iss, sup). What GMO puts in
 * `sup` is not documented; the simulator answers the user's kind ("corporate" or "personal").
 */
function userInfo(state: SimulatorState) {
  return (req: Request, res: Response): void => {
    state.counters.call('userinfo');
    const match = /^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? '');
    const check = state.auth.checkAccessToken(match?.[1], state.clock.now());
    if (!check.ok) throw bearerError(401, 'invalid_token', 'the access token is missing, unknown, revoked or expired');
    if (!check.token.scopes.includes('openid')) throw bearerError(403, 'insufficient_scope', 'the openid scope is required');
    res.json({ sub: check.token.userId, iss: `${req.protocol}://${req.get('host')}/`, sup: findUser(check.token.userId)?.kind });
  };
}

export function userInfoRoutes(router: Router, state: SimulatorState): void {
  router.get('/userinfo', userInfo(state));
}
