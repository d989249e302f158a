import type { Router } from 'express';
import { z } from 'zod';
import { STATUS_NAMES, isCompleted, itemStatus, type Transfer, type TransferItem } from '../bank/transfers';
import { GATEWAY, errorResponse } from '../errors';
import { baseDateTime } from '../jst';
import { PAGE_SIZE } from '../listing';
import { digits, label, optional, parseOrReject } from '../validation';
import { ownedAccount, type CorporateContext } from './context';
import { applicationViews, checkCombination, infoView, notAllowedWithClass, periodPage, statusQuery } from './transferStatus';

/** A boolean query parameter as clients write it. */
const booleanParam = z
  .string()
  .transform((s) => s.toLowerCase())
  .pipe(z.enum(['true', 'false']))
  .transform((s) => s === 'true');

const bulkStatusQuery = statusQuery('bulk').extend({
  detailInfoNecessity: optional(booleanParam),
  bulktransferItemKey: optional(digits(1, 6).refine((s) => Number(s) >= 1)),
});

type BulkStatusQuery = z.infer<typeof bulkStatusQuery>;

/** detailInfoNecessity true only with class 1; bulktransferItemKey only with detailInfoNecessity true. */
function checkDetailParameters(q: BulkStatusQuery): void {
  if (q.detailInfoNecessity && q.queryKeyClass !== '1') throw notAllowedWithClass(q.queryKeyClass, 'detailInfoNecessity');
  if (q.bulktransferItemKey !== undefined && !q.detailInfoNecessity) {
    throw errorResponse(
      400,
      GATEWAY.invalidParameter,
      `${label('detailInfoNecessity')}が「True：取得する」の場合のみ${label('bulktransferItemKey')}を指定できます。`,
    );
  }
}

/** BulkTransferInfo: the item as requested (itemId first, the informational fields echoed) and its outcome. */
function bulkInfoView(t: Transfer, item: TransferItem) {
  return {
    itemId: item.itemId,
    ...infoView(item, itemStatus(t, item)),
    clearingHouseName: item.clearingHouseName,
    newCode: item.newCode,
    transferDesignatedType: item.transferDesignatedType,
    identification: item.identification,
  };
}

/**
 * BulkTransferDetail. totalFee and totalDebitAmount are the estimate until completion, then what the items that were
 * executed cost [I]. `infos` (one page of items) only when they were asked for and can be read.
 */
function bulkDetailView(t: Transfer, infos?: object[]) {
  const charged = isCompleted(t) ? t.items.filter((i) => i.outcome !== '40') : t.items;
  const fee = charged.reduce((s, i) => s + i.fee, 0);
  const amount = charged.reduce((s, i) => s + i.amount, 0);
  return {
    transferStatus: t.status,
    transferStatusName: STATUS_NAMES[t.status],
    transferTypeName: '総合振込',
    // "総合振込では無料回数は利用できないため、常にfalse"
    isFeeFreeUse: false,
    isFeePointUse: false,
    totalFee: String(fee),
    totalDebitAmount: String(amount + fee),
    ...applicationViews(t),
    bulktransferResponses: [
      {
        accountId: t.accountId,
        remitterName: t.remitterName,
        transferDesignatedDate: t.designatedDate,
        transferDataName: t.transferDataName,
        totalCount: String(t.items.length),
        totalAmount: String(t.amount),
        bulkTransferInfos: infos,
      },
    ],
  };
}

export function bulkTransferStatusRoutes(router: Router, ctx: CorporateContext): void {
  const { state } = ctx;

  router.get('/bulktransfer/status', ...ctx.guard('bulktransfer.status', 'private:bulk-transfer'), (req, res) => {
    const q = parseOrReject(bulkStatusQuery, req.query);
    checkCombination(q);
    checkDetailParameters(q);
    ownedAccount(state, res, q.accountId);
    const now = state.clock.now();

    if (q.queryKeyClass === '1') {
      const found = state.bank.find('bulk', q.accountId, q.applyNo as string);
      // "依頼完了後１０分程度すると「True：取得可」": the items are readable only that long after the request
      const readable = found !== undefined && now.getTime() >= found.createdAt.getTime() + state.config.bulkDetailDelaySeconds * 1000;
      // bulktransferItemKey is the number of the first item to list (1, 501, 1001, …) in itemId order
      const start = Number(q.bulktransferItemKey ?? '1') - 1;
      const infos = found && q.detailInfoNecessity && readable ? found.items.slice(start, start + PAGE_SIZE).map((i) => bulkInfoView(found, i)) : undefined;
      const details = found ? [bulkDetailView(found, infos)] : [];
      res.json({
        acceptanceKeyClass: '1',
        detailInfoNecessity: q.detailInfoNecessity,
        bulktransferItemKey: q.bulktransferItemKey,
        ...baseDateTime(now),
        count: String(details.length),
        detailInfoResult: q.detailInfoNecessity ? readable : undefined,
        bulkTransferDetails: details,
      });
      return;
    }

    const { listed, bulkResponse } = periodPage(q, state.bank.transfersOf('bulk', q.accountId), now);
    res.json({
      acceptanceKeyClass: '2',
      detailInfoNecessity: q.detailInfoNecessity,
      ...baseDateTime(now),
      count: String(listed.items.length),
      transferQueryBulkResponses: [bulkResponse],
      bulkTransferDetails: listed.items.map((t) => bulkDetailView(t)),
    });
  });
}
