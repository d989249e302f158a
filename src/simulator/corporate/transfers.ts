import type { Request, RequestHandler, Response, Router } from 'express';
import { z } from 'zod';
import type { IdempotentOperation } from '../bank/idempotency';
import { STATUS_NAMES, requestResultCode, type Transfer, type TransferKind, type TransferOrder } from '../bank/transfers';
import { BUSINESS, GATEWAY, errorResponse } from '../errors';
import { jsonBody, jsonBodyUpTo } from '../http';
import { baseDateTime, jstDate, jstDateTime } from '../jst';
import type { SimulatorState } from '../state';
import { accountIdSchema, applyNoSchema, digits, parseOrReject, required } from '../validation';
import { validateBulkTransferRequest } from './bulkTransferRequest';
import { ownedAccount, principal, type CorporateContext } from './context';
import { validateTransferRequest, type TransferContext } from './transferRequest';

/**
 * The request side of 振込 (`/transfer/*`) and 総合振込 (`/bulktransfer/*`): the same five operations on both,
 * with what differs between them here.
 */
interface RequestRoutes {
  kind: TransferKind;
  /** the routes' prefix, which is also the Idempotency-Key space */
  prefix: IdempotentOperation;
  scope: 'private:transfer' | 'private:bulk-transfer';
  validate(body: unknown, ctx: TransferContext): TransferOrder;
  body: RequestHandler[];
  /** cancelTargetKeyClass: 申請取消 (ビジネスID管理 only) and 受付取消, the one the simulated accounts may use */
  cancelClasses: { applicant: string; acceptance: string };
  name: string;
}

const KINDS: RequestRoutes[] = [
  {
    kind: 'transfer',
    prefix: 'transfer',
    scope: 'private:transfer',
    validate: validateTransferRequest,
    body: jsonBody,
    cancelClasses: { applicant: '1', acceptance: '2' },
    name: '振込',
  },
  {
    kind: 'bulk',
    prefix: 'bulktransfer',
    scope: 'private:bulk-transfer',
    validate: validateBulkTransferRequest,
    // [I] 9,999 items do not fit in the usual 1 MB
    body: jsonBodyUpTo('10mb'),
    cancelClasses: { applicant: '3', acceptance: '4' },
    name: '総合振込',
  },
];

/** TransferRequestResponse, TransferRequestResultResponse and their bulk twins share this shape. */
function resultView(t: Transfer) {
  const resultCode = requestResultCode(t.status);
  return {
    accountId: t.accountId,
    resultCode,
    applyNo: t.applyNo,
    applyEndDatetime: resultCode === '1' && t.requestEndAt ? jstDateTime(t.requestEndAt) : undefined,
  };
}

/** Optional Idempotency-Key: 1–128 visible ASCII characters (the length third-party clients document). */
function idempotencyKey(req: Request): string | undefined {
  const key = req.get('idempotency-key');
  if (key === undefined) return undefined;
  if (!/^[\x21-\x7E]{1,128}$/.test(key)) {
    throw errorResponse(400, GATEWAY.idempotencyKeyInvalid, 'Idempotency-Keyは1〜128文字の半角英数記号で指定してください。');
  }
  return key;
}

const resultQuery = z.object({ accountId: required(accountIdSchema), applyNo: required(applyNoSchema) });

const cancelBody = z.object({
  accountId: required(accountIdSchema),
  cancelTargetKeyClass: required(digits(1)),
  applyNo: required(applyNoSchema),
});

function findTransfer(state: SimulatorState, kind: TransferKind, accountId: string, applyNo: string): Transfer {
  const transfer = state.bank.find(kind, accountId, applyNo);
  if (!transfer) throw errorResponse(400, BUSINESS.applyNoNotFound, '指定された受付番号（振込申請番号）は存在しません。');
  return transfer;
}

/** Without ビジネスID管理 only the 受付取消 class of the transfer's own kind is allowed. */
function checkCancelClass(cancelTargetKeyClass: string, own: RequestRoutes): void {
  const { applicant, acceptance } = own.cancelClasses;
  if (cancelTargetKeyClass === acceptance) return;
  const other = KINDS.find((k) => k !== own && Object.values(k.cancelClasses).includes(cancelTargetKeyClass));
  const message =
    cancelTargetKeyClass === applicant
      ? `ビジネスID管理をご利用でないため、取消対象キー区分には${acceptance}を指定してください。`
      : other
        ? `取消対象キー区分${Object.values(other.cancelClasses).join('、')}は${other.name}の取消でのみ指定できます。`
        : '取消対象キー区分が不正です。';
  throw errorResponse(400, BUSINESS.cancelClassNotAllowed, message);
}

function checkCancellable(t: Transfer, k: RequestRoutes): void {
  if (t.status === '8') throw errorResponse(400, BUSINESS.alreadyCancelled, `この${k.name}はすでに取消済みです。`);
  if (t.status !== '2' && t.status !== '11') {
    throw errorResponse(400, BUSINESS.notCancellable, `振込ステータスが「${STATUS_NAMES[t.status]}」のため取消できません。`);
  }
}

function requestRoutes(router: Router, ctx: CorporateContext, k: RequestRoutes): void {
  const { state } = ctx;
  const orderFrom = (req: Request, res: Response) => {
    const { userId } = principal(res);
    return k.validate(req.body, {
      ownedAccount: (accountId) => state.bank.ledger.ownedAccount(userId, accountId),
      today: jstDate(state.clock.now()),
      config: state.config,
    });
  };

  router.post(`/${k.prefix}/transferfee`, ...ctx.guard(`${k.prefix}.fee`, k.scope), ...k.body, (req, res) => {
    const order = orderFrom(req, res);
    res.json({
      accountId: order.accountId,
      ...baseDateTime(state.clock.now()),
      totalFee: String(order.fee),
      transferFeeDetails: order.items.map((i) => ({ itemId: i.itemId, transferFee: String(i.fee) })),
    });
  });

  router.post(`/${k.prefix}/request`, ...ctx.guard(`${k.prefix}.request`, k.scope), ...k.body, (req, res) => {
    const key = idempotencyKey(req);
    const { userId, companyId } = principal(res);
    const now = state.clock.now();
    const replay = key === undefined ? undefined : state.bank.idempotency.replay(k.prefix, userId, key, req.body, now);
    if (replay) {
      res.status(201).json(replay);
      return;
    }
    const transfer = state.bank.book(orderFrom(req, res), { userId, companyId }, key);
    const response = resultView(transfer);
    if (key !== undefined) state.bank.idempotency.remember(k.prefix, userId, key, req.body, response, now);
    res.status(201).json(response);
  });

  router.get(`/${k.prefix}/request-result`, ...ctx.guard(`${k.prefix}.result`, k.scope), (req, res) => {
    const q = parseOrReject(resultQuery, req.query);
    ownedAccount(state, res, q.accountId);
    res.json(resultView(findTransfer(state, k.kind, q.accountId, q.applyNo)));
  });

  router.post(`/${k.prefix}/cancel`, ...ctx.guard(`${k.prefix}.cancel`, k.scope), ...jsonBody, (req, res) => {
    const body = parseOrReject(cancelBody, req.body);
    ownedAccount(state, res, body.accountId);
    checkCancelClass(body.cancelTargetKeyClass, k);
    const transfer = findTransfer(state, k.kind, body.accountId, body.applyNo);
    checkCancellable(transfer, k);
    state.bank.cancel(transfer);
    res.status(201).json({
      accountId: transfer.accountId,
      cancelTargetKeyClass: body.cancelTargetKeyClass,
      resultCode: '1',
      applyNo: transfer.applyNo,
      applyEndDatetime: jstDateTime(state.clock.now()),
    });
  });
}

export function transferRoutes(router: Router, ctx: CorporateContext): void {
  for (const k of KINDS) requestRoutes(router, ctx, k);
}
