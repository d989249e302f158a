import { Router, type Response } from 'express';
import { companyIdOf } from '../http/auth';
import { Problem, sendProblem } from '../http/problem';
import { parse } from '../http/validate';
import { cancelTransfer, createTransfer, feeQuote, getTransfer, listTransfers, type FeeQuote, type TransferList } from './contract';
import type { SubmissionOutcome } from './lifecycle';
import type { Transfer } from './transfer.entity';
import type { TransferService } from './transferService';
import { maskedTransferView, transferView } from './transferView';

/**
 * A transfer refused by the bank is a 422 that still carries the stored transfer; error bodies never
 * carry a full account number (GET /transfers/:id has it).
 */
function sendTransfer(res: Response, transfer: Transfer, status: number): void {
  if (status === 422) {
    return sendProblem(
      res,
      new Problem(422, 'transfer-refused', 'Transfer refused', transfer.errorMessage ?? 'The bank refused the transfer.', undefined, {
        transfer: maskedTransferView(transfer),
      }),
    );
  }
  res.status(status).json(transferView(transfer));
}

/** HTTP status of each submission outcome (a refusal is a 422 problem that carries the transfer). */
const OUTCOME_STATUS: Record<SubmissionOutcome, 201 | 202 | 422> = { accepted: 201, deferred: 202, outcome_unknown: 202, refused: 422 };

/** Every request is parsed with the transfers contract (./contract.ts), the shapes the OpenAPI document shows. */
export function transferRoutes(transfers: TransferService): Router {
  const router = Router({ mergeParams: true });

  router.post('/transfers/fee-quote', async (req, res) => {
    const body = parse(feeQuote.request.body, req.body);
    const quote: FeeQuote = await transfers.feeQuote(companyIdOf(req), body);
    res.json(quote);
  });

  router.post('/transfers', async (req, res) => {
    const { 'Idempotency-Key': key } = parse(createTransfer.request.headers, { 'Idempotency-Key': req.get('idempotency-key') });
    const body = parse(createTransfer.request.body, req.body);
    const result = await transfers.create(companyIdOf(req), key, body, res.locals.apiPrincipal?.keyId ?? null);
    if (result.replayed) res.setHeader('Idempotent-Replayed', 'true');
    res.setHeader('Location', `${req.baseUrl}/transfers/${result.transfer.id}`);
    sendTransfer(res, result.transfer, OUTCOME_STATUS[result.outcome]);
  });

  router.get('/transfers', async (req, res) => {
    const query = parse(listTransfers.request.query, req.query);
    const page = await transfers.list(companyIdOf(req), query);
    const list: TransferList = { items: page.items.map(transferView), nextCursor: page.nextCursor };
    res.json(list);
  });

  router.get('/transfers/:id', async (req, res) => {
    const { id } = parse(getTransfer.request.params, req.params);
    res.json(transferView(await transfers.get(companyIdOf(req), id)));
  });

  router.post('/transfers/:id/cancel', async (req, res) => {
    const { id } = parse(cancelTransfer.request.params, req.params);
    const result = await transfers.cancel(companyIdOf(req), id);
    res.status(result.outcome === 'cancelled' ? 200 : 202).json(transferView(result.transfer));
  });

  return router;
}
