import { Router } from 'express';
import { z } from 'zod';
import { companyIdOf } from '../http/auth';
import { parse } from '../http/validate';
import type { AccountService } from './accountService';

const accountId = z.string().regex(/^[0-9A-Za-z]{12,29}$/, 'is not a GMO accountId');

export function accountRoutes(accounts: AccountService): Router {
  const router = Router({ mergeParams: true });
  router.get('/accounts', async (req, res) => {
    res.json({ accounts: await accounts.list(companyIdOf(req)) });
  });
  router.get('/accounts/:accountId/balance', async (req, res) => {
    res.json(await accounts.balance(companyIdOf(req), parse(accountId, req.params.accountId, 'accountId')));
  });
  return router;
}
