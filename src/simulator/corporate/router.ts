import { Router } from 'express';
import type { SimulatorState } from '../state';
import { accountRoutes } from './accounts';
import { bulkTransferStatusRoutes } from './bulkTransferStatus';
import { corporateContext, type Flavour } from './context';
import { transferRoutes } from './transfers';
import { transferStatusRoutes } from './transferStatus';
import { vaListingRoutes } from './vaListing';
import { virtualAccountRoutes } from './virtualAccounts';

/** The corporate API (口座, 振込, 総合振込, 振込入金口座). Mounted at /ganb/api/corporation/v1 and at sunabar's /corporation/v1. */
export function corporateRouter(state: SimulatorState, flavour: Flavour): Router {
  const router = Router();
  const ctx = corporateContext(state, flavour);
  accountRoutes(router, ctx);
  transferRoutes(router, ctx);
  transferStatusRoutes(router, ctx);
  bulkTransferStatusRoutes(router, ctx);
  virtualAccountRoutes(router, ctx);
  vaListingRoutes(router, ctx);
  return router;
}
