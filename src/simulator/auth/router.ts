import { Router } from 'express';
import type { SimulatorState } from '../state';
import { authorizationRoutes } from './authorization';
import { tokenRoutes } from './token';
import { userInfoRoutes } from './userinfo';

/** /ganb/api/auth/v1 */
export function authRouter(state: SimulatorState): Router {
  const router = Router();
  authorizationRoutes(router, state);
  tokenRoutes(router, state);
  userInfoRoutes(router, state);
  return router;
}
