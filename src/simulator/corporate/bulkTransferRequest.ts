import { z } from 'zod';
import type { TransferOrder } from '../bank/transfers';
import { digits, optional, required } from '../validation';
import { headerFields, itemFields, itemIdSchema, validateOrder, type RequestForm, type TransferContext } from './transferRequest';

/** BulkTransferRequest's limits (§6). */
const MAX_ITEMS = 9_999;
const MAX_ITEM_AMOUNT = 9_999_999_999;

const bulkForm: RequestForm = {
  kind: 'bulk',
  itemsField: 'bulkTransfers',
  schema: z
    .object({
      ...headerFields,
      totalCount: required(digits(1, 6)),
      totalAmount: required(digits(1, 20)),
      transferDataName: optional(z.string().max(10)),
      bulkTransfers: required(
        z
          .array(
            z.object({
              itemId: required(itemIdSchema),
              ...itemFields,
              // informational fields, checked only for the form the spec gives them
              clearingHouseName: optional(z.string().regex(/^(0{4}| {4})$/)),
              newCode: optional(z.string().regex(/^[0-9 ]$/)),
              transferDesignatedType: optional(z.enum(['7', ' '])),
              identification: optional(z.enum(['Y', ' '])),
            }),
          )
          .min(1)
          .max(MAX_ITEMS),
      ),
    })
    .transform(({ bulkTransfers, ...header }) => ({ ...header, items: bulkTransfers })),
  maxItems: MAX_ITEMS,
  // "重複/0はエラー 1～9999とします": no order is required
  itemIds(items, problems) {
    const seen = new Set<number>();
    return items.map((t) => {
      const itemId = t.itemId ?? '';
      const n = Number(itemId);
      if (n < 1 || n > MAX_ITEMS) problems.onItem(itemId, 'itemId', '明細番号は1から9999の範囲で指定してください。');
      else if (seen.has(n)) problems.onItem(itemId, 'itemId', '明細番号が重複しています。');
      seen.add(n);
      return itemId;
    });
  },
  // [I] the account's transferLimitAmount is the 振込 limit; a 総合振込 is bounded by the spec's range only
  checkAmount(amount, _account, itemId, problems) {
    if (amount < 1 || amount > MAX_ITEM_AMOUNT) problems.onItem(itemId, 'transferAmount', '振込金額は1円以上9,999,999,999円以下で指定してください。');
  },
  // "30文字目まで有効（31文字目以降は切り捨てます）", "40文字目まで有効": cut, never refused
  keep: { beneficiaryName: 30, remitterName: 40 },
};

/** Validates a BulkTransferRequest body like the bank does and prices it. Throws a 400 TransferError. */
export function validateBulkTransferRequest(body: unknown, ctx: TransferContext): TransferOrder {
  return validateOrder(body, ctx, bulkForm);
}
