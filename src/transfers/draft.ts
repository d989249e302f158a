import type { BankAccount } from '../bank/accountsApi';
import type { TransferRequestBody } from '../bank/transfersApi';
import type { FieldIssue } from '../domain/errors';
import { TransferInvalidError } from './errors';
import { ACCOUNT_TYPE_CODES } from './accountTypes';
import type { TransferBody } from './contract';
import { bankNameKanaHalfWidth, branchNameKanaHalfWidth, findBank, findBranch } from './zengin/directory';
import { normaliseBeneficiaryName, normaliseEdiInfo } from './zengin/kana';

/** A transfer that passed every check we can make before the bank sees it, in GMO's own terms. */
interface TransferDraft {
  accountId: string;
  amount: number;
  beneficiaryBankCode: string;
  beneficiaryBankName: string;
  beneficiaryBranchCode: string;
  beneficiaryBranchName: string;
  accountTypeCode: string;
  beneficiaryAccountNumber: string;
  /** half-width 振込許容文字, as sent to the bank */
  beneficiaryName: string;
  designatedDate: string;
  /** the caller's, normalised; absent: our reference is used */
  ediInfo?: string;
  reference: string | null;
}

/** Only 普通預金 accounts (科目 01/02) can send transfers. */
const PAYING_ACCOUNT_TYPES = new Set(['01', '02']);

function payingAccount(accounts: BankAccount[], accountId: string | undefined): BankAccount | undefined {
  const paying = accounts.filter((a) => PAYING_ACCOUNT_TYPES.has(a.accountTypeCode) && a.currencyCode === 'JPY');
  if (accountId) return paying.find((a) => a.accountId === accountId);
  return paying.find((a) => a.primaryAccountCode === '1') ?? paying[0];
}

/**
 * Checks against zengin-code, the connection's accounts and GMO's character rules. Every failing field
 * is reported at once (422), and nothing is stored.
 */
export function buildDraft(body: TransferBody, accounts: BankAccount[], todayJst: string): TransferDraft {
  const errors: FieldIssue[] = [];
  const account = payingAccount(accounts, body.accountId);
  if (!account) {
    errors.push({
      field: 'accountId',
      reason: body.accountId ? "is not one of this company's connected accounts that can send transfers" : 'the connection has no account that can send transfers',
    });
  }
  const limit = account?.transferLimitAmount && /^\d+$/.test(account.transferLimitAmount) ? Number(account.transferLimitAmount) : undefined;
  if (limit !== undefined && body.amount > limit) {
    errors.push({ field: 'amount', reason: `exceeds the account's transfer limit of ${limit} yen` });
  }

  const bank = findBank(body.beneficiary.bankCode);
  if (!bank) errors.push({ field: 'beneficiary.bankCode', reason: 'is not a bank code in the zengin-code directory' });
  const branch = bank ? findBranch(bank.code, body.beneficiary.branchCode) : undefined;
  if (bank && !branch) errors.push({ field: 'beneficiary.branchCode', reason: `is not a branch of ${bank.name} in the zengin-code directory` });

  const name = normaliseBeneficiaryName(body.beneficiary.name);
  if (!name.ok) errors.push({ field: 'beneficiary.name', reason: name.reason });
  const edi = body.ediInfo !== undefined ? normaliseEdiInfo(body.ediInfo) : undefined;
  if (edi && !edi.ok) errors.push({ field: 'ediInfo', reason: edi.reason });

  const designatedDate = body.designatedDate ?? todayJst;
  if (designatedDate < todayJst) errors.push({ field: 'designatedDate', reason: `must be today (${todayJst} JST) or later` });

  if (errors.length > 0 || !account || !bank || !branch || !name.ok || (edi && !edi.ok)) {
    throw new TransferInvalidError(errors);
  }
  return {
    accountId: account.accountId,
    amount: body.amount,
    beneficiaryBankCode: bank.code,
    beneficiaryBankName: bankNameKanaHalfWidth(bank),
    beneficiaryBranchCode: branch.code,
    beneficiaryBranchName: branchNameKanaHalfWidth(branch),
    accountTypeCode: ACCOUNT_TYPE_CODES[body.beneficiary.accountType],
    beneficiaryAccountNumber: body.beneficiary.accountNumber.padStart(7, '0'),
    beneficiaryName: name.value,
    designatedDate,
    ediInfo: edi?.ok ? edi.value : undefined,
    reference: body.reference ?? null,
  };
}

/** GMO's one-item TransferRequest for a draft or a stored transfer (same field names). */
export function gmoTransferRequest(t: Omit<TransferDraft, 'ediInfo' | 'reference'>, ediInfo: string): TransferRequestBody {
  const amount = String(t.amount);
  return {
    accountId: t.accountId,
    transferDesignatedDate: t.designatedDate,
    transferDateHolidayCode: '1',
    totalCount: '1',
    totalAmount: amount,
    transfers: [
      {
        itemId: '1',
        transferAmount: amount,
        ediInfo,
        beneficiaryBankCode: t.beneficiaryBankCode,
        beneficiaryBankName: t.beneficiaryBankName,
        beneficiaryBranchCode: t.beneficiaryBranchCode,
        beneficiaryBranchName: t.beneficiaryBranchName,
        accountTypeCode: t.accountTypeCode,
        accountNumber: t.beneficiaryAccountNumber,
        beneficiaryName: t.beneficiaryName,
      },
    ],
  };
}
