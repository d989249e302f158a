import { maskAccountId, maskAccountNumber } from '../log';
import type { TransferView } from './contract';
import type { BeneficiaryDraft } from './draft';
import { ACCOUNT_TYPE_NAMES } from './accountTypes';
import type { Transfer } from './transfer.entity';
import { findBank, findBranch } from './zengin/directory';

const iso = (d: Date | null) => (d ? d.toISOString() : null);

export type { TransferView };

/** A beneficiary as stored (a transfer, a bulk item) as the API shows it: codes, the bank's and branch's names, as sent. */
export function beneficiaryView(b: BeneficiaryDraft): TransferView['beneficiary'] {
  const bank = findBank(b.beneficiaryBankCode);
  const branch = findBranch(b.beneficiaryBankCode, b.beneficiaryBranchCode);
  return {
    bankCode: b.beneficiaryBankCode,
    bankName: bank?.name ?? null,
    bankNameKana: b.beneficiaryBankName,
    branchCode: b.beneficiaryBranchCode,
    branchName: branch?.name ?? null,
    branchNameKana: b.beneficiaryBranchName,
    accountType: ACCOUNT_TYPE_NAMES[b.accountTypeCode],
    accountNumber: b.beneficiaryAccountNumber,
    name: b.beneficiaryName,
  };
}

/** The transfer resource as the API shows it: the `Transfer` schema of the transfers contract. */
export function transferView(t: Transfer): TransferView {
  return {
    id: t.id,
    status: t.status,
    amount: t.amount,
    fee: t.fee,
    feeStatus: t.feeStatus,
    totalDebit: t.fee === null ? null : t.amount + t.fee,
    accountId: t.accountId,
    beneficiary: beneficiaryView(t),
    designatedDate: t.designatedDate,
    settlementDate: t.settlementDate,
    settlementNote: t.settlementNote,
    ediInfo: t.ediInfo,
    reference: t.reference,
    idempotencyKey: t.idempotencyKey,
    applyNo: t.applyNo,
    bankStatus: t.bankStatus,
    bankResultCode: t.bankResultCode,
    error: t.errorCode || t.errorMessage ? { code: t.errorCode, message: t.errorMessage, details: t.errorDetails ? JSON.parse(t.errorDetails) : [] } : null,
    createdAt: t.createdAt.toISOString(),
    updatedAt: t.updatedAt.toISOString(),
    submittedAt: iso(t.submittedAt),
    completedAt: iso(t.completedAt),
    cancelRequestedAt: iso(t.cancelRequestedAt),
  };
}

/** The transfer inside an error body: error bodies never carry a full account number (GET /transfers/:id has it). */
export function maskedTransferView(t: Transfer): TransferView {
  const view = transferView(t);
  return { ...view, accountId: maskAccountId(view.accountId), beneficiary: { ...view.beneficiary, accountNumber: maskAccountNumber(view.beneficiary.accountNumber) } };
}
