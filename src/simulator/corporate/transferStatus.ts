import type { Router } from 'express';
import { z } from 'zod';
import {
  STATUS_NAMES,
  applyStatus,
  isExecuted,
  isStatusOf,
  unableDetail,
  type Transfer,
  type TransferItem,
  type TransferKind,
  type TransferStatus,
} from '../bank/transfers';
import { GATEWAY, errorResponse } from '../errors';
import { baseDateTime, jstDate, jstDateTime } from '../jst';
import { inPeriod, page, period, type Page } from '../listing';
import { accountIdSchema, applyNoSchema, dateSchema, digits, label, optional, parameterError, parseOrReject, required } from '../validation';
import { ownedAccount, type CorporateContext } from './context';

/** TransferInfo, and the shared part of BulkTransferInfo: `status` is the item's (itemStatus). */
export function infoView(item: TransferItem, status: TransferStatus) {
  const unable = unableDetail(status);
  return {
    transferAmount: String(item.amount),
    ediInfo: item.ediInfo,
    beneficiaryBankCode: item.bankCode,
    beneficiaryBankName: item.bankNameKana,
    beneficiaryBranchCode: item.branchCode,
    beneficiaryBranchName: item.branchNameKana,
    accountTypeCode: item.accountTypeCode,
    accountNumber: item.accountNumber,
    beneficiaryName: item.beneficiaryName,
    transferDetailResponses: isExecuted(status)
      ? [
          {
            beneficiaryBankNameKanji: item.bankNameKanji,
            beneficiaryBranchNameKanji: item.branchNameKanji,
            isFeeFreeUsed: false,
            transferFee: String(item.fee),
          },
        ]
      : [],
    unableDetailInfos: unable ? [{ ...unable, repaymentDate: item.repaymentDate }] : undefined,
  };
}

/** transferApplies and transferAccepts of a TransferDetail or a BulkTransferDetail. */
export function applicationViews(t: Transfer) {
  return {
    transferApplies: [
      { applyNo: t.applyNo, transferApplyDetails: [{ applyDatetime: jstDateTime(t.createdAt), applyStatus: applyStatus(t) }] },
    ],
    transferAccepts: t.acceptNo && t.acceptedAt ? [{ acceptNo: t.acceptNo, acceptDatetime: jstDateTime(t.acceptedAt) }] : [],
  };
}

/** TransferDetail (§5.5); optional fields without a value are left out, empty lists stay empty lists. */
export function detailView(t: Transfer) {
  return {
    transferStatus: t.status,
    transferStatusName: STATUS_NAMES[t.status],
    transferTypeName: '振込振替',
    isFeeFreeUse: false,
    isFeePointUse: false,
    transferDetailFee: String(t.fee),
    totalDebitAmount: String(t.amount + t.fee),
    ...applicationViews(t),
    transferResponses: [
      {
        accountId: t.accountId,
        remitterName: t.remitterName,
        transferDesignatedDate: t.designatedDate,
        transferInfos: t.items.map((i) => infoView(i, t.status)),
      },
    ],
  };
}

/** requestTransferStatus: repeated (Swagger collectionFormat multi) or comma-separated (GMO's 2023 Java fix). */
function statusList(kind: TransferKind) {
  return z
    .union([z.string(), z.array(z.string())])
    .transform((v) => (Array.isArray(v) ? v : [v]).flatMap((s) => s.split(',')))
    .pipe(z.array(z.string().refine((s) => isStatusOf(kind, s))).min(1))
    .transform((codes) => codes as TransferStatus[]);
}

/** The query of /transfer/status, and the part /bulktransfer/status shares; the statuses are the kind's own. */
export function statusQuery(kind: TransferKind) {
  return z.object({
    accountId: required(accountIdSchema),
    queryKeyClass: required(z.enum(['1', '2'])),
    applyNo: optional(applyNoSchema),
    dateFrom: optional(dateSchema),
    dateTo: optional(dateSchema),
    nextItemKey: optional(digits(1, 24)),
    requestTransferStatus: optional(statusList(kind)),
    requestTransferClass: optional(z.string()),
    requestTransferTerm: optional(z.enum(['1', '2'])),
  });
}

type StatusQuery = z.infer<ReturnType<typeof statusQuery>>;

const PERIOD_ONLY = ['dateFrom', 'dateTo', 'nextItemKey', 'requestTransferStatus', 'requestTransferTerm'] as const;

/** The spec's rules for which parameters go with which queryKeyClass; anything else is a 400. */
export function checkCombination(q: StatusQuery): void {
  if (q.requestTransferClass !== undefined) {
    // Errata 5: only accounts with ビジネスID管理 may send it, and the simulated accounts have none.
    throw errorResponse(400, GATEWAY.invalidParameter, `${label('requestTransferClass')}はビジネスID管理をご利用の場合のみ指定できます。`);
  }
  if (q.queryKeyClass === '1') {
    if (q.applyNo === undefined) throw parameterError('applyNo', true);
    const extra = PERIOD_ONLY.find((f) => q[f] !== undefined);
    if (extra) throw notAllowedWithClass(q.queryKeyClass, extra);
  } else if (q.applyNo !== undefined) {
    throw notAllowedWithClass(q.queryKeyClass, 'applyNo');
  }
}

export function notAllowedWithClass(queryKeyClass: string, field: string) {
  return errorResponse(400, GATEWAY.invalidParameter, `照会対象キー区分が${queryKeyClass}の場合、${label(field)}は指定できません。`);
}

/**
 * queryKeyClass 2: the transfers by apply date (term 1, default) or designated date (term 2), sorted by that date then
 * applyNo, filtered by status, one page; and the TransferQueryBulkResponse echoing the request with the paging.
 */
export function periodPage(q: StatusQuery, transfers: readonly Transfer[], now: Date): { listed: Page<Transfer>; bulkResponse: object } {
  const range = period(q.dateFrom, q.dateTo, jstDate(now));
  const byDesignatedDate = q.requestTransferTerm === '2';
  const dateOf = (t: Transfer) => (byDesignatedDate ? t.designatedDate : jstDate(t.createdAt));
  const matching = transfers
    .filter((t) => inPeriod(dateOf(t), range) && (!q.requestTransferStatus || q.requestTransferStatus.includes(t.status)))
    .sort((a, b) => dateOf(a).localeCompare(dateOf(b)) || a.applyNo.localeCompare(b.applyNo));
  // nextItemKey is the position of the next item in this sorted list.
  const listed = page(matching, q.nextItemKey === undefined ? 0 : Number(q.nextItemKey), String);
  return {
    listed,
    // Errata 4: paging sits inside transferQueryBulkResponses, echoing the request.
    bulkResponse: {
      dateFrom: q.dateFrom,
      dateTo: q.dateTo,
      requestNextItemKey: q.nextItemKey,
      requestTransferStatuses: q.requestTransferStatus?.map((s) => ({ requestTransferStatus: s })),
      requestTransferTerm: q.requestTransferTerm,
      hasNext: listed.hasNext,
      nextItemKey: listed.nextItemKey,
    },
  };
}

const transferStatusQuery = statusQuery('transfer');

export function transferStatusRoutes(router: Router, ctx: CorporateContext): void {
  const { state } = ctx;

  router.get('/transfer/status', ...ctx.guard('transfer.status', 'private:transfer'), (req, res) => {
    const q = parseOrReject(transferStatusQuery, req.query);
    checkCombination(q);
    ownedAccount(state, res, q.accountId);
    const now = state.clock.now();

    if (q.queryKeyClass === '1') {
      // An unknown applyNo is "no matching detail": 200 with count 0, as the spec says for empty results.
      const found = state.bank.find('transfer', q.accountId, q.applyNo as string);
      const details = found ? [detailView(found)] : [];
      res.json({ acceptanceKeyClass: '1', ...baseDateTime(now), count: String(details.length), transferDetails: details });
      return;
    }

    const { listed, bulkResponse } = periodPage(q, state.bank.transfersOf('transfer', q.accountId), now);
    res.json({
      acceptanceKeyClass: '2',
      ...baseDateTime(now),
      count: String(listed.items.length),
      transferQueryBulkResponses: [bulkResponse],
      transferDetails: listed.items.map(detailView),
    });
  });
}
