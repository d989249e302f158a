import type { Router } from 'express';
import { z } from 'zod';
import { VA_STATUS_NAMES, VA_TYPE_NAMES, holderName, type VirtualAccount, type VirtualAccounts } from '../bank/virtualAccounts';
import { BUSINESS, GATEWAY, errorResponse } from '../errors';
import { jsonBody } from '../http';
import { jstDate, jstDateTime } from '../jst';
import { normaliseSmallKana } from '../kana';
import { accountIdSchema, digits, invalidMessage, optional, parameterError, parseOrReject, required } from '../validation';
import { ownedAccount, principal, type CorporateContext } from './context';
import { issuedView, refusePartnerKey, vaView } from './vaViews';

/** 追加名義カナ: half-width kana (small forms are made large), A-Z, 0-9, space and "/ ( ) . , -". */
const VA_NAME = /^[\uFF66-\uFF9F A-Z0-9/().,-]+$/;
const MAX_ISSUE = 1000;
const MAX_STATUS_CHANGES = 100;

const partnerKey = optional(z.string().max(400));

const issueBody = z.object({
  vaContractAuthKey: partnerKey,
  vaTypeCode: required(z.enum(['1', '2'])),
  issueRequestCount: required(digits(1, 4).refine((s) => Number(s) >= 1 && Number(s) <= MAX_ISSUE)),
  // "銀行契約の場合は必須": checked once the partner key is ruled out
  raId: optional(accountIdSchema),
  vaHolderNameKana: optional(z.string().max(40).regex(VA_NAME)),
  vaHolderNamePos: optional(z.enum(['1', '2'])),
});

export const vaIdList = (max: number) => z.array(z.object({ vaId: required(digits(10)) })).max(max);

const statusChangeBody = z.object({
  vaContractAuthKey: partnerKey,
  vaStatusChangeCode: required(z.enum(['1', '2', '3'])),
  vaIdList: required(vaIdList(MAX_STATUS_CHANGES).min(1)),
});

const closeBody = z.object({ vaContractAuthKey: partnerKey });

/** Before the account name, the addition takes no space on its left, no double space, and at most one space on its right. */
function checkSpacing(extra: string | undefined, position: '1' | '2'): void {
  if (extra !== undefined && position === '2' && (extra.startsWith(' ') || extra.includes('  '))) {
    throw errorResponse(400, GATEWAY.invalidParameter, invalidMessage('vaHolderNameKana'));
  }
}

/** A VA of the token's user, or the 400 the bank gives for any other vaId. */
export function ownedVa(vas: VirtualAccounts, userId: string, vaId: string): VirtualAccount {
  const va = vas.find(userId, vaId);
  if (!va) throw errorResponse(400, BUSINESS.vaNotFound, '指定された振込入金口座IDは存在しません。');
  return va;
}

/** /va/issue, /va/status-change and /va/close-request. */
export function virtualAccountRoutes(router: Router, ctx: CorporateContext): void {
  const { state } = ctx;

  router.post('/va/issue', ...ctx.guard('va.issue', 'private:virtual-account'), ...jsonBody, (req, res) => {
    const body = parseOrReject(issueBody, req.body);
    refusePartnerKey(body.vaContractAuthKey);
    if (body.raId === undefined) throw parameterError('raId', true);
    const ra = ownedAccount(state, res, body.raId);
    const { userId } = principal(res);
    const vas = state.bank.vas();
    if (vas.contractEnded(userId)) throw errorResponse(400, BUSINESS.vaContractClosed, '振込入金口座の契約は解約済みです。');
    const position = body.vaHolderNamePos ?? '1';
    checkSpacing(body.vaHolderNameKana, position);
    const extra = body.vaHolderNameKana === undefined ? undefined : normaliseSmallKana(body.vaHolderNameKana);
    const name = holderName(ra.accountNameKana, extra, position);
    const issued = vas.issue(userId, ra, body.vaTypeCode, Number(body.issueRequestCount), name, state.clock.now());
    const [first] = issued;
    res.status(201).json({
      vaTypeCode: body.vaTypeCode,
      vaTypeName: VA_TYPE_NAMES[body.vaTypeCode],
      // "振込入金口座種別コードが「2=継続型」の場合は、項目自体を設定しません"
      expireDateTime: first.expiresAt && jstDateTime(first.expiresAt),
      vaHolderNameKana: name,
      vaList: issued.map(issuedView),
    });
  });

  router.post('/va/status-change', ...ctx.guard('va.status-change', 'private:virtual-account'), ...jsonBody, (req, res) => {
    const body = parseOrReject(statusChangeBody, req.body);
    refusePartnerKey(body.vaContractAuthKey);
    const { userId } = principal(res);
    const vas = state.bank.vas();
    const targets = body.vaIdList.map(({ vaId }) => ownedVa(vas, userId, vaId));
    // All or nothing: one VA that cannot change refuses the request.
    const stuck = targets.find((va) => !vas.canChange(va, body.vaStatusChangeCode));
    if (stuck) {
      throw errorResponse(400, BUSINESS.vaNotChangeable, `振込入金口座${stuck.vaId}は「${VA_STATUS_NAMES[stuck.status]}」のため変更できません。`);
    }
    vas.change(targets, body.vaStatusChangeCode, state.clock.now());
    res.json({ vAccounts: targets.map((va) => vaView(va, state.bank.ledger.account(va.raId))) });
  });

  router.post('/va/close-request', ...ctx.guard('va.close-request', 'private:virtual-account'), ...jsonBody, (req, res) => {
    const body = parseOrReject(closeBody, req.body);
    refusePartnerKey(body.vaContractAuthKey);
    const now = state.clock.now();
    // "解約は解約受付月の月末に行われます": every VA is deleted then, and none can be issued after.
    if (!state.bank.vas().requestClose(principal(res).userId, now)) {
      throw errorResponse(400, BUSINESS.vaCloseAlreadyRequested, '振込入金口座の解約申込はすでに受け付けています。');
    }
    res.json({ acceptDate: jstDate(now) });
  });
}
