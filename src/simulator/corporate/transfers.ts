import type { Request, Response, Router } from 'express';
import { z } from 'zod';
import { STATUS_NAMES, requestResultCode, type Transfer } from '../bank/transfers';
import { BUSINESS, GATEWAY, errorResponse } from '../errors';
import { jsonBody } from '../http';
import { baseDateTime, jstDate, jstDateTime } from '../jst';
import type { SimulatorState } from '../state';
import { accountIdSchema, applyNoSchema, digits, parseOrReject, required } from '../validation';
import { ownedAccount, principal, type CorporateContext } from './context';
import { validateTransferRequest } from './transferRequest';

/** TransferRequestResponse and TransferRequestResultResponse share this shape. */
function resultView(t: Transfer) {
  const resultCode = requestResultCode(t.status);
  return {
    accountId: t.accountId,
    resultCode,
    applyNo: t.applyNo,
    applyEndDatetime: resultCode === '1' && t.requestEndAt ? jstDateTime(t.requestEndAt) : undefined,
  };
}

function orderFrom(state: SimulatorState, req: Request, res: Response) {
  const { userId } = principal(res);
  return validateTransferRequest(req.body, {
    ownedAccount: (accountId) => state.bank.ledger.ownedAccount(userId, accountId),
    today: jstDate(state.clock.now()),
    config: state.config,
  });
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

function findTransfer(state: SimulatorState, accountId: string, applyNo: string): Transfer {
  const transfer = state.bank.find(accountId, applyNo);
  if (!transfer) throw errorResponse(400, BUSINESS.applyNoNotFound, '指定された受付番号（振込申請番号）は存在しません。');
  return transfer;
}

/** Without ビジネスID管理 only class 2 (振込受付取消) is allowed; 3 and 4 belong to 総合振込. */
function checkCancelClass(cancelTargetKeyClass: string): void {
  if (cancelTargetKeyClass === '2') return;
  const message =
    cancelTargetKeyClass === '1'
      ? 'ビジネスID管理をご利用でないため、取消対象キー区分には2を指定してください。'
      : cancelTargetKeyClass === '3' || cancelTargetKeyClass === '4'
        ? '取消対象キー区分3、4は総合振込の取消でのみ指定できます。'
        : '取消対象キー区分が不正です。';
  throw errorResponse(400, BUSINESS.cancelClassNotAllowed, message);
}

function checkCancellable(t: Transfer): void {
  if (t.status === '8') throw errorResponse(400, BUSINESS.alreadyCancelled, 'この振込はすでに取消済みです。');
  if (t.status !== '2' && t.status !== '11') {
    throw errorResponse(400, BUSINESS.notCancellable, `振込ステータスが「${STATUS_NAMES[t.status]}」のため取消できません。`);
  }
}

export function transferRoutes(router: Router, ctx: CorporateContext): void {
  const { state } = ctx;

  router.post('/transfer/transferfee', ...ctx.guard('transfer.fee', 'private:transfer'), ...jsonBody, (req, res) => {
    const order = orderFrom(state, req, res);
    res.json({
      accountId: order.accountId,
      ...baseDateTime(state.clock.now()),
      totalFee: String(order.fee),
      transferFeeDetails: order.items.map((i) => ({ itemId: i.itemId, transferFee: String(i.fee) })),
    });
  });

  router.post('/transfer/request', ...ctx.guard('transfer.request', 'private:transfer'), ...jsonBody, (req, res) => {
    const key = idempotencyKey(req);
    const { userId, companyId } = principal(res);
    const now = state.clock.now();
    const replay = key === undefined ? undefined : state.bank.idempotency.replay(userId, key, req.body, now);
    if (replay) {
      res.status(201).json(replay);
      return;
    }
    const transfer = state.bank.book(orderFrom(state, req, res), { userId, companyId }, key);
    const response = resultView(transfer);
    if (key !== undefined) state.bank.idempotency.remember(userId, key, req.body, response, now);
    res.status(201).json(response);
  });

  router.get('/transfer/request-result', ...ctx.guard('transfer.result', 'private:transfer'), (req, res) => {
    const q = parseOrReject(resultQuery, req.query);
    ownedAccount(state, res, q.accountId);
    res.json(resultView(findTransfer(state, q.accountId, q.applyNo)));
  });

  router.post('/transfer/cancel', ...ctx.guard('transfer.cancel', 'private:transfer'), ...jsonBody, (req, res) => {
    const body = parseOrReject(cancelBody, req.body);
    ownedAccount(state, res, body.accountId);
    checkCancelClass(body.cancelTargetKeyClass);
    const transfer = findTransfer(state, body.accountId, body.applyNo);
    checkCancellable(transfer);
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
