import type { Router } from 'express';
import { z } from 'zod';
import type { VirtualAccount } from '../bank/virtualAccounts';
import { BUSINESS, GATEWAY, errorResponse } from '../errors';
import { jsonBody } from '../http';
import { addMonths, baseDateTime, jstDate } from '../jst';
import { normaliseSmallKana } from '../kana';
import { checkOrder, inPeriod, page, pageFromKey, period } from '../listing';
import { accountIdSchema, dateSchema, digits, optional, parameterError, parseOrReject, required } from '../validation';
import { ownedAccount, principal, type CorporateContext } from './context';
import { receivingAccountView, refusePartnerKey, vaTransactionView, vaView } from './vaViews';
import { ownedVa, vaIdList } from './virtualAccounts';

const listBody = z.object({
  vaContractAuthKey: optional(z.string().max(400)),
  vaTypeCode: optional(z.enum(['1', '2'])),
  depositAmountExistCode: optional(z.enum(['1', '2'])),
  vaHolderNameKana: optional(z.string().max(40)),
  vaStatusCodeList: optional(z.array(z.object({ vaStatusCode: required(z.enum(['1', '2', '3'])) })).max(3)),
  latestDepositDateFrom: optional(dateSchema),
  latestDepositDateTo: optional(dateSchema),
  vaIssueDateFrom: optional(dateSchema),
  vaIssueDateTo: optional(dateSchema),
  expireDateFrom: optional(dateSchema),
  expireDateTo: optional(dateSchema),
  raId: optional(accountIdSchema),
  nextItemKey: optional(z.string().regex(/^[0-9A-Za-z]{1,24}$/)),
  sortItemCode: optional(z.enum(['1', '2', '3', '4'])),
  sortOrderCode: optional(z.enum(['1', '2'])),
  vaIdList: optional(vaIdList(500)),
});

type ListQuery = z.infer<typeof listBody>;

/** sortItemCode: 1 有効期限日時, 2 最終入金日, 3 発行日時 (the default order), 4 最終入金金額. */
const SORT_KEYS: Record<'1' | '2' | '3' | '4', (va: VirtualAccount) => string | number | undefined> = {
  '1': (va) => va.expiresAt?.getTime(),
  '2': (va) => va.latestDeposit?.date,
  '3': (va) => va.issuedAt.getTime(),
  '4': (va) => va.latestDeposit?.amount,
};

/** "From ≦ To" for each pair, and the pairs only allowed with some codes ("それ以外はNULLを設定"). */
function checkListQuery(q: ListQuery): void {
  const notAllowed = (field: string, because: string) =>
    errorResponse(400, GATEWAY.invalidParameter, `${because}場合、${field}は指定できません。`);
  if (q.depositAmountExistCode === '2' && (q.latestDepositDateFrom || q.latestDepositDateTo)) {
    throw notAllowed('最終入金日', '入金有無コードが2=入金なしの');
  }
  if (q.vaTypeCode === '2' && (q.expireDateFrom || q.expireDateTo)) throw notAllowed('有効期限', '振込入金口座種類コードが2=継続型の');
  checkOrder(q.latestDepositDateFrom, q.latestDepositDateTo, '最終入金日');
  checkOrder(q.vaIssueDateFrom, q.vaIssueDateTo, '振込入金口座発行日');
  checkOrder(q.expireDateFrom, q.expireDateTo, '有効期限');
}

const within = (value: string | undefined, from: string | undefined, to: string | undefined) =>
  from === undefined && to === undefined ? true : value !== undefined && (from === undefined || value >= from) && (to === undefined || value <= to);

/** Every filter of VaListRequest the simulator can apply. [I] vaHolderNameKana matches a part of the name. */
function matches(va: VirtualAccount, q: ListQuery): boolean {
  const name = q.vaHolderNameKana === undefined ? undefined : normaliseSmallKana(q.vaHolderNameKana);
  const ids = q.vaIdList?.map((v) => v.vaId);
  return (
    (q.vaTypeCode === undefined || va.typeCode === q.vaTypeCode) &&
    (q.depositAmountExistCode === undefined || (va.latestDeposit !== undefined) === (q.depositAmountExistCode === '1')) &&
    (name === undefined || va.holderNameKana.includes(name)) &&
    (q.vaStatusCodeList === undefined || q.vaStatusCodeList.some((s) => s.vaStatusCode === va.status)) &&
    within(va.latestDeposit?.date, q.latestDepositDateFrom, q.latestDepositDateTo) &&
    within(jstDate(va.issuedAt), q.vaIssueDateFrom, q.vaIssueDateTo) &&
    within(va.expiresAt && jstDate(va.expiresAt), q.expireDateFrom, q.expireDateTo) &&
    (q.raId === undefined || va.raId === q.raId) &&
    (ids === undefined || ids.includes(va.vaId))
  );
}

/**
 * Issue order by default. [I] With sortItemCode, the VAs that have that value come first in its order (sortOrderCode
 * 2: descending), the others after them in issue order ("ソートは効きません").
 */
function sorted(vas: VirtualAccount[], q: ListQuery): VirtualAccount[] {
  const keyOf = SORT_KEYS[q.sortItemCode ?? '3'];
  const direction = q.sortOrderCode === '2' ? -1 : 1;
  return vas.sort((a, b) => {
    const [x, y] = [keyOf(a), keyOf(b)];
    if (x === undefined || y === undefined) return Number(x === undefined) - Number(y === undefined);
    return (x < y ? -direction : x > y ? direction : 0) || a.vaId.localeCompare(b.vaId) * direction;
  });
}

const depositsQuery = z.object({
  vaContractAuthKey: optional(z.string().max(400)),
  raId: optional(accountIdSchema),
  vaId: optional(digits(10)),
  dateFrom: optional(dateSchema),
  dateTo: optional(dateSchema),
  sortOrderCode: optional(z.enum(['1', '2'])),
  nextItemKey: optional(digits(1, 24)),
});

/** "照会する日付より6ヶ月以内": older dates are a 400, and without From nothing older is listed. */
const HISTORY_MONTHS = 6;

/** /va/list and /va/deposit-transactions. */
export function vaListingRoutes(router: Router, ctx: CorporateContext): void {
  const { state } = ctx;

  router.post('/va/list', ...ctx.guard('va.list', 'private:virtual-account'), ...jsonBody, (req, res) => {
    const q = parseOrReject(listBody, req.body);
    refusePartnerKey(q.vaContractAuthKey);
    checkListQuery(q);
    const { userId } = principal(res);
    const vas = state.bank.vas();
    if (q.raId !== undefined) {
      ownedAccount(state, res, q.raId);
      // "振込入金口座IDが入金口座IDに紐付いているか判定を行い…NGであればエラー"
      const foreign = q.vaIdList?.map(({ vaId }) => vas.find(userId, vaId)).find((va) => va !== undefined && va.raId !== q.raId);
      if (foreign) throw errorResponse(400, BUSINESS.vaNotOfAccount, `振込入金口座${foreign.vaId}は指定された入金口座IDに紐付いていません。`);
    }
    // [I] nextItemKey is the position of the next VA in this order
    const start = q.nextItemKey === undefined ? 0 : Number(q.nextItemKey);
    if (!Number.isInteger(start)) throw parameterError('nextItemKey', false);
    const one = page(sorted(vas.ofUser(userId).filter((va) => matches(va, q)), q), start, String);
    res.json({
      ...baseDateTime(state.clock.now()),
      hasNext: one.hasNext,
      nextItemKey: one.nextItemKey,
      count: String(one.items.length),
      vAccounts: one.items.map((va) => vaView(va, state.bank.ledger.account(va.raId))),
    });
  });

  router.get('/va/deposit-transactions', ...ctx.guard('va.deposit-transactions', 'private:virtual-account'), (req, res) => {
    const q = parseOrReject(depositsQuery, req.query);
    refusePartnerKey(q.vaContractAuthKey);
    const now = state.clock.now();
    const today = jstDate(now);
    const oldest = addMonths(today, -HISTORY_MONTHS);
    if ([q.dateFrom, q.dateTo].some((d) => d !== undefined && d < oldest)) {
      throw errorResponse(400, GATEWAY.invalidParameter, `対象期間には照会日から${HISTORY_MONTHS}か月以内（${oldest}以降）の日付を指定してください。`);
    }
    const vas = state.bank.vas();
    const va = q.vaId === undefined ? undefined : ownedVa(vas, principal(res).userId, q.vaId);
    const raId = q.raId ?? va?.raId;
    // "本値が設定されていない場合、振込入金口座IDは必須" (and the other way round)
    if (raId === undefined) throw parameterError('raId', true);
    const ra = ownedAccount(state, res, raId);
    if (va && va.raId !== ra.accountId) throw errorResponse(400, BUSINESS.vaNotOfAccount, `振込入金口座${va.vaId}は指定された入金口座IDに紐付いていません。`);

    const range = period(q.dateFrom, q.dateTo, today);
    const from = range.from ?? oldest;
    const rows = state.bank
      .transactions(ra.accountId)
      .filter((r) => r.arrival?.vaId !== undefined && (va === undefined || r.arrival.vaId === va.vaId) && inPeriod(r.transactionDate, { from, to: range.to }));
    const one = pageFromKey(rows, q.nextItemKey, (r) => r.itemKey, q.sortOrderCode === '2');
    res.json({
      ...receivingAccountView(ra),
      dateFrom: from,
      dateTo: range.to,
      ...baseDateTime(now),
      hasNext: one.hasNext,
      nextItemKey: one.nextItemKey,
      count: String(one.items.length),
      vaTransactions: one.items.flatMap((r) => {
        const paidInto = r.arrival?.vaId === undefined ? undefined : vas.byVaId(r.arrival.vaId);
        return r.arrival && paidInto ? [vaTransactionView(r, r.arrival, paidInto, ctx.flavour)] : [];
      }),
    });
  });
}
