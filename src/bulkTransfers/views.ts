import { maskAccountId, maskAccountNumber } from '../log';
import { ACCOUNT_TYPE_NAMES } from '../transfers/accountTypes';
import type { BulkTransfer } from './bulkTransfer.entity';
import type { BulkTransferItem } from './bulkTransferItem.entity';
import type { BulkItemView, BulkTransferView } from './contract';
import { ITEM_STATUSES, type ItemStatus } from './lifecycle';

const iso = (d: Date | null) => (d ? d.toISOString() : null);

export type ItemCounts = Record<ItemStatus, number>;

export function itemCounts(rows: Array<{ status: string; n: number }>): ItemCounts {
  const counts = Object.fromEntries(ITEM_STATUSES.map((s) => [s, 0])) as ItemCounts;
  for (const r of rows) if (r.status in counts) counts[r.status as ItemStatus] = r.n;
  return counts;
}

/** The bulk transfer as the API shows it (`BulkTransfer` in the contract). */
export function bulkTransferView(b: BulkTransfer, counts: ItemCounts): BulkTransferView {
  return {
    id: b.id,
    status: b.status,
    accountId: b.accountId,
    transferDataName: b.transferDataName,
    remitterName: b.remitterName,
    designatedDate: b.designatedDate,
    settlementDate: b.settlementDate,
    settlementNote: b.settlementNote,
    totalCount: b.totalCount,
    totalAmount: b.totalAmount,
    fee: b.fee,
    feeStatus: b.feeStatus,
    totalDebit: b.fee === null ? null : b.totalAmount + b.fee,
    reference: b.reference,
    idempotencyKey: b.idempotencyKey,
    applyNo: b.applyNo,
    bankStatus: b.bankStatus,
    bankResultCode: b.bankResultCode,
    error: b.errorCode || b.errorMessage ? { code: b.errorCode, message: b.errorMessage } : null,
    itemCounts: counts,
    itemsReadAt: iso(b.itemsReadAt),
    createdAt: b.createdAt.toISOString(),
    updatedAt: b.updatedAt.toISOString(),
    submittedAt: iso(b.submittedAt),
    completedAt: iso(b.completedAt),
    cancelRequestedAt: iso(b.cancelRequestedAt),
  };
}

/** Inside webhooks and problems: no full account id. */
export function maskedBulkTransferView(b: BulkTransfer, counts: ItemCounts): BulkTransferView {
  const view = bulkTransferView(b, counts);
  return { ...view, accountId: maskAccountId(view.accountId) };
}

export function bulkItemView(i: BulkTransferItem): BulkItemView {
  return {
    bulkTransferId: i.bulkTransferId,
    itemNo: i.itemNo,
    status: i.status,
    amount: i.amount,
    beneficiary: {
      bankCode: i.beneficiaryBankCode,
      bankNameKana: i.beneficiaryBankName,
      branchCode: i.beneficiaryBranchCode,
      branchNameKana: i.beneficiaryBranchName,
      accountType: ACCOUNT_TYPE_NAMES[i.accountTypeCode],
      accountNumber: i.beneficiaryAccountNumber,
      name: i.beneficiaryName,
    },
    ediInfo: i.ediInfo,
    reference: i.reference,
    bankDetailStatus: i.bankDetailStatus,
    error: i.errorCode || i.errorMessage ? { code: i.errorCode, message: i.errorMessage } : null,
    returnedOn: i.returnedOn,
    updatedAt: i.updatedAt.toISOString(),
  };
}

export function maskedBulkItemView(i: BulkTransferItem): BulkItemView {
  const view = bulkItemView(i);
  return { ...view, beneficiary: { ...view.beneficiary, accountNumber: maskAccountNumber(view.beneficiary.accountNumber) } };
}
