import { Router } from 'express';
import type { SimulatorState } from '../state';
import { accountRoutes } from './accounts';
import { corporateContext, type Flavour } from './context';
import { transferRoutes } from './transfers';
import { transferStatusRoutes } from './transferStatus';

/** The corporate API (口座, 振込). Mounted at /ganb/api/corporation/v1 and at sunabar's /corporation/v1. */
export function corporateRouter(state: SimulatorState, flavour: Flavour): Router {
  const router = Router();
  const ctx = corporateContext(state, flavour);
  accountRoutes(router, ctx);
  transferRoutes(router, ctx);
  transferStatusRoutes(router, ctx);
  return router;
}
