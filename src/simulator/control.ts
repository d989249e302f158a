import express, { Router } from 'express';
import { z } from 'zod';
import { ALL_STATUSES } from './bank/transfers';
import { controlError } from './errors';
import { ENDPOINTS, FAULT_KINDS } from './faults';
import { isHalfWidth, isZenginText } from './kana';
import type { SimulatorState } from './state';

const faultBody = z.object({
  target: z.enum([...ENDPOINTS, '*']),
  kind: z.enum(FAULT_KINDS),
  count: z.number().int().positive().default(1),
});

const companyId = z.string().min(1).optional();
const expireBody = z.object({ companyId, kind: z.enum(['access', 'refresh', 'all']) });
const revokeBody = z.object({ companyId });

const seconds = z.number().int().nonnegative();
const configBody = z.strictObject({
  approvalMode: z.enum(['auto', 'manual']).optional(),
  rotateRefreshTokens: z.boolean().optional(),
  accessTokenTtlSeconds: seconds.optional(),
  refreshTokenTtlSeconds: seconds.optional(),
  codeTtlSeconds: seconds.optional(),
  settleAfterSeconds: seconds.optional(),
  hangMs: seconds.optional(),
  otherBankFeeYen: seconds.optional(),
  bankCalendar: z.boolean().optional(),
  bulkDetailDelaySeconds: seconds.optional(),
  strictClientAuth: z.boolean().optional(),
  rateLimitPerSecond: z.number().int().nonnegative().optional(),
});

/** itemIds: items of a bulk transfer whose outcome this is */
const statusBody = z.object({ status: z.enum(ALL_STATUSES), itemIds: z.array(z.string()).min(1).optional() });

const halfWidth = (max: number) => z.string().min(1).max(max).refine(isHalfWidth, 'half-width characters only');
/** An incoming 振込 as PaymentArrival shows it; count repeats it (statements of a few thousand rows) */
const depositBody = z.object({
  amount: z.number().int().positive(),
  applicantName: halfWidth(48),
  paymentBankName: halfWidth(30),
  paymentBranchName: halfWidth(15),
  ediInfo: z.string().min(1).max(20).refine(isZenginText, '振込許容文字 only').optional(),
  count: z.number().int().positive().max(10_000).default(1),
});

function parse<T extends z.ZodType>(schema: T, body: unknown): z.infer<T> {
  const result = schema.safeParse(body ?? {});
  if (!result.success) throw controlError(400, z.prettifyError(result.error));
  return result.data;
}

/** /_sim: test and demo controls. Plain JSON; errors are {"error": "..."}. */
export function controlRouter(state: SimulatorState): Router {
  const router = Router();
  router.use(express.json());

  router.get('/faults', (_req, res) => {
    res.json({ faults: state.pendingFaults() });
  });
  router.post('/faults', (req, res) => {
    res.status(201).json({ faults: state.injectFault(parse(faultBody, req.body)) });
  });
  router.delete('/faults', (_req, res) => {
    state.clearFaults();
    res.status(204).end();
  });

  router.post('/tokens/expire', (req, res) => {
    res.json({ expired: state.expireTokens(parse(expireBody, req.body)) });
  });
  router.post('/tokens/revoke', (req, res) => {
    res.json({ revoked: state.revokeTokens(parse(revokeBody, req.body)) });
  });

  router.get('/config', (_req, res) => {
    res.json({ ...state.config });
  });
  router.post('/config', (req, res) => {
    res.json(state.configure(parse(configBody, req.body)));
  });

  router.get('/stats', (_req, res) => {
    res.json(state.stats());
  });

  router.get('/transfers', (_req, res) => {
    res.json({ transfers: state.transfers() });
  });
  router.post('/transfers/:applyNo/approve', (req, res) => {
    res.json(state.approveTransfer(req.params.applyNo));
  });
  router.post('/transfers/:applyNo/status', (req, res) => {
    const { status, itemIds } = parse(statusBody, req.body);
    res.json(state.forceTransferStatus(req.params.applyNo, status, itemIds));
  });
  router.get('/bulktransfers', (_req, res) => {
    res.json({ bulkTransfers: state.bulkTransfers() });
  });

  router.post('/accounts/:accountId/deposits', (req, res) => {
    const { count, ...deposit } = parse(depositBody, req.body);
    res.status(201).json({ deposits: state.receiveDeposit(req.params.accountId, deposit, count) });
  });
  router.post('/va/:vaId/deposits', (req, res) => {
    const { count, ...deposit } = parse(depositBody, req.body);
    res.status(201).json({ deposits: state.depositToVirtualAccount(req.params.vaId, deposit, count) });
  });

  router.post('/reset', (_req, res) => {
    state.reset();
    res.status(204).end();
  });

  router.use(() => {
    throw controlError(404, 'unknown control route; see src/simulator/README.md');
  });
  return router;
}
