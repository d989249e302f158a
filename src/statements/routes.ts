import { Router } from 'express';
import { companyIdOf } from '../http/auth';
import { parse } from '../http/validate';
import { listDeposits, listTransactions, type DepositPage, type TransactionPage } from './contract';
import type { StatementService } from './statementService';

/** Every request is parsed with the statements contract (./contract.ts), the shapes the OpenAPI document shows. */
export function statementRoutes(statements: StatementService): Router {
  const router = Router({ mergeParams: true });
  router.get('/accounts/:accountId/transactions', async (req, res) => {
    const { accountId } = parse(listTransactions.request.params, req.params);
    const query = parse(listTransactions.request.query, req.query);
    const page: TransactionPage = await statements.transactions(companyIdOf(req), accountId, query);
    res.json(page);
  });
  router.get('/accounts/:accountId/deposit-transactions', async (req, res) => {
    const { accountId } = parse(listDeposits.request.params, req.params);
    const query = parse(listDeposits.request.query, req.query);
    const page: DepositPage = await statements.deposits(companyIdOf(req), accountId, query);
    res.json(page);
  });
  return router;
}
