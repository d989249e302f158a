import { Router, type Response } from 'express';
import type { BankErrorDetail } from '../bank/errors';
import { companyIdOf } from '../http/auth';
import { Problem, sendProblem } from '../http/problem';
import { parse } from '../http/validate';
import type { SubmissionOutcome } from '../transfers/lifecycle';
import { bankItemIssues } from './bankIssues';
import type { BulkTransfer } from './bulkTransfer.entity';
import type { BulkTransferService } from './bulkTransferService';
import { bulkFeeQuote, cancelBulkTransfer, createBulkTransfer, getBulkTransfer, listBulkItems, listBulkTransfers, type BulkFeeQuote, type BulkList, type ItemList } from './contract';
import { bulkItemView, bulkTransferView, maskedBulkTransferView, type ItemCounts } from './views';

const OUTCOME_STATUS: Record<SubmissionOutcome, 201 | 202 | 422> = { accepted: 201, deferred: 202, outcome_unknown: 202, refused: 422 };

/** The bank's item errors of a refused batch, when it gave any. */
function refusalIssues(b: BulkTransfer) {
  const details: BankErrorDetail[] = b.errorDetails ? JSON.parse(b.errorDetails) : [];
  return details.length > 0 ? bankItemIssues(details) : undefined;
}

function sendBulk(res: Response, b: BulkTransfer, counts: ItemCounts, status: number): void {
  if (status === 422) {
    return sendProblem(
      res,
      new Problem(422, 'bulk-transfer-refused', 'Bulk transfer refused', b.errorMessage ?? 'The bank refused the bulk transfer.', refusalIssues(b), {
        bulkTransfer: maskedBulkTransferView(b, counts),
      }),
    );
  }
  res.status(status).json(bulkTransferView(b, counts));
}

/** Every request is parsed with the bulk transfers contract (./contract.ts). */
export function bulkTransferRoutes(bulk: BulkTransferService): Router {
  const router = Router({ mergeParams: true });

  router.post('/bulk-transfers/fee-quote', async (req, res) => {
    const body = parse(bulkFeeQuote.request.body, req.body);
    const quote: BulkFeeQuote = await bulk.feeQuote(companyIdOf(req), body);
    res.json(quote);
  });

  router.post('/bulk-transfers', async (req, res) => {
    const { 'Idempotency-Key': key } = parse(createBulkTransfer.request.headers, { 'Idempotency-Key': req.get('idempotency-key') });
    const body = parse(createBulkTransfer.request.body, req.body);
    const result = await bulk.create(companyIdOf(req), key, body, res.locals.apiPrincipal?.keyId ?? null);
    if (result.replayed) res.setHeader('Idempotent-Replayed', 'true');
    res.setHeader('Location', `${req.baseUrl}/bulk-transfers/${result.bulkTransfer.id}`);
    sendBulk(res, result.bulkTransfer, await bulk.itemCounts(result.bulkTransfer), OUTCOME_STATUS[result.outcome]);
  });

  router.get('/bulk-transfers', async (req, res) => {
    const query = parse(listBulkTransfers.request.query, req.query);
    const page = await bulk.listWithCounts(companyIdOf(req), query);
    const list: BulkList = { items: page.items.map(({ batch, counts }) => bulkTransferView(batch, counts)), nextCursor: page.nextCursor };
    res.json(list);
  });

  router.get('/bulk-transfers/:id', async (req, res) => {
    const { id } = parse(getBulkTransfer.request.params, req.params);
    const b = await bulk.get(companyIdOf(req), id);
    res.json(bulkTransferView(b, await bulk.itemCounts(b)));
  });

  router.get('/bulk-transfers/:id/items', async (req, res) => {
    const { id } = parse(listBulkItems.request.params, req.params);
    const query = parse(listBulkItems.request.query, req.query);
    const page = await bulk.items(companyIdOf(req), id, query);
    const list: ItemList = { items: page.items.map(bulkItemView), nextCursor: page.nextCursor };
    res.json(list);
  });

  router.post('/bulk-transfers/:id/cancel', async (req, res) => {
    const { id } = parse(cancelBulkTransfer.request.params, req.params);
    const result = await bulk.cancel(companyIdOf(req), id);
    res.status(result.outcome === 'cancelled' ? 200 : 202).json(bulkTransferView(result.bulkTransfer, await bulk.itemCounts(result.bulkTransfer)));
  });

  return router;
}
