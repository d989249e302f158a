import { Router } from 'express';
import { companyIdOf } from '../http/auth';
import { parse } from '../http/validate';
import type { AccountService } from './accountService';
import { getBalance, type AccountList, type Balance } from './contract';

/** Every request is parsed with the accounts contract (./contract.ts), the shapes the OpenAPI document shows. */
export function accountRoutes(accounts: AccountService): Router {
  const router = Router({ mergeParams: true });
  router.get('/accounts', async (req, res) => {
    const list: AccountList = { accounts: await accounts.list(companyIdOf(req)) };
    res.json(list);
  });
  router.get('/accounts/:accountId/balance', async (req, res) => {
    const { accountId } = parse(getBalance.request.params, req.params);
    const balance: Balance = await accounts.balance(companyIdOf(req), accountId);
    res.json(balance);
  });
  return router;
}
