import type { BankAccount } from '../bank/accountsApi';
import type { BulkTransferRequestBody } from '../bank/bulkTransfersApi';
import { GMO_AOZORA_BANK_CODE, isFieldIssue, planSettlement } from '../calendar/settlement';
import type { FieldIssue } from '../domain/errors';
import { draftBeneficiary, draftEdiInfo, draftPayingAccount, transferLimit, type BeneficiaryDraft } from '../transfers/draft';
import { TransferInvalidError } from '../transfers/errors';
import { normaliseRemitterName } from '../transfers/zengin/kana';
import type { BulkTransfer } from './bulkTransfer.entity';
import type { BulkTransferItem } from './bulkTransferItem.entity';
import type { BulkBody } from './contract';

/** A bulk beneficiary's name: the bank uses only its first 30 characters, so more is refused, never cut. */
const BULK_NAME_LENGTH = 30;
/** GMO's limit on a batch's total (totalAmount). */
const MAX_TOTAL_AMOUNT = 999_999_999_999;

export interface ItemDraft extends BeneficiaryDraft {
  itemNo: number;
  amount: number;
  ediInfo: string | null;
  reference: string | null;
}

export interface BulkDraft {
  accountId: string;
  designatedDate: string;
  holidayCode: string;
  settlementDate: string;
  settlementNote: string | null;
  /** the caller's 振込データ名; absent: ours is set once the id exists */
  transferDataName: string | undefined;
  remitterName: string | null;
  totalCount: number;
  totalAmount: number;
  items: ItemDraft[];
}

/**
 * Every item checked like a transfer (zengin, kana, the account's limit), the totals computed here, and
 * every failing field of every item reported at once as `items.<index>.<field>` (422): nothing is stored.
 */
export function buildBulkDraft(body: BulkBody, accounts: BankAccount[], now: Date): BulkDraft {
  const errors: FieldIssue[] = [];
  const account = draftPayingAccount(accounts, body.accountId, errors);
  const limit = transferLimit(account);
  const remitter = body.remitterName !== undefined ? normaliseRemitterName(body.remitterName) : undefined;
  if (remitter && !remitter.ok) errors.push({ field: 'remitterName', reason: remitter.reason });

  const items: ItemDraft[] = [];
  let totalAmount = 0;
  body.items.forEach((item, i) => {
    const at = `items.${i}`;
    if (limit !== undefined && item.amount > limit) errors.push({ field: `${at}.amount`, reason: `exceeds the account's transfer limit of ${limit} yen` });
    const beneficiary = draftBeneficiary(item.beneficiary, `${at}.beneficiary`, errors, BULK_NAME_LENGTH);
    const ediInfo = draftEdiInfo(item.ediInfo, `${at}.ediInfo`, errors);
    totalAmount += item.amount;
    if (beneficiary) items.push({ ...beneficiary, itemNo: i + 1, amount: item.amount, ediInfo: ediInfo ?? null, reference: item.reference ?? null });
  });
  if (totalAmount > MAX_TOTAL_AMOUNT) errors.push({ field: 'items', reason: `the total, ${totalAmount} yen, is over the bank's limit of ${MAX_TOTAL_AMOUNT} yen per bulk transfer` });

  // transfers inside GMO Aozora settle at once; one item to another bank brings the cut-off in
  const allInternal = body.items.every((i) => i.beneficiary.bankCode === GMO_AOZORA_BANK_CODE);
  const plan = planSettlement({ requested: body.designatedDate, rule: body.holidayRule, now, beneficiaryBankCode: allInternal ? GMO_AOZORA_BANK_CODE : undefined });
  if (isFieldIssue(plan)) errors.push(plan);

  if (errors.length > 0 || !account || isFieldIssue(plan)) throw new TransferInvalidError(errors);
  return {
    accountId: account.accountId,
    designatedDate: plan.designatedDate,
    holidayCode: plan.holidayCode,
    settlementDate: plan.settlementDate,
    settlementNote: plan.note,
    transferDataName: body.transferDataName,
    remitterName: remitter?.ok ? remitter.value : null,
    totalCount: items.length,
    totalAmount,
    items,
  };
}

/** GMO's BulkTransferRequest for a stored batch and its items (the same request on every resend). */
export function gmoBulkRequest(
  b: Pick<BulkTransfer, 'accountId' | 'remitterName' | 'designatedDate' | 'holidayCode' | 'transferDataName' | 'totalCount' | 'totalAmount'>,
  items: readonly BulkTransferItem[] | readonly ItemDraft[]): BulkTransferRequestBody {
  return {
    accountId: b.accountId,
    ...(b.remitterName ? { remitterName: b.remitterName } : {}),
    transferDesignatedDate: b.designatedDate,
    transferDateHolidayCode: b.holidayCode,
    transferDataName: b.transferDataName,
    totalCount: String(b.totalCount),
    totalAmount: String(b.totalAmount),
    bulkTransfers: items.map((i) => ({
      itemId: String(i.itemNo),
      beneficiaryBankCode: i.beneficiaryBankCode,
      beneficiaryBankName: i.beneficiaryBankName,
      beneficiaryBranchCode: i.beneficiaryBranchCode,
      beneficiaryBranchName: i.beneficiaryBranchName,
      accountTypeCode: i.accountTypeCode,
      accountNumber: i.beneficiaryAccountNumber,
      beneficiaryName: i.beneficiaryName,
      transferAmount: String(i.amount),
      ...(i.ediInfo ? { ediInfo: i.ediInfo, identification: 'Y' as const } : {}),
    })),
  };
}
