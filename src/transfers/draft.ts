import type { BankAccount } from '../bank/accountsApi';
import type { HolidayCode, TransferRequestBody } from '../bank/transfersApi';
import { isFieldIssue, planSettlement } from '../calendar/settlement';
import type { FieldIssue } from '../domain/errors';
import { TransferInvalidError } from './errors';
import { ACCOUNT_TYPE_CODES } from './accountTypes';
import type { TransferBody } from './contract';
import { bankNameKanaHalfWidth, branchNameKanaHalfWidth, findBank, findBranch } from './zengin/directory';
import { normaliseBeneficiaryName, normaliseEdiInfo } from './zengin/kana';

/** A transfer that passed every check we can make before the bank sees it, in GMO's own terms. */
export interface TransferDraft {
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
  /** the 振込指定日 sent to the bank */
  designatedDate: string;
  /** what the bank is told to do should it find designatedDate not a business day (sent again on every resend) */
  holidayCode: HolidayCode;
  /** the business day the money is expected to arrive */
  settlementDate: string;
  /** why settlementDate is not designatedDate (a holiday rule, the cut-off); null when they agree */
  settlementNote: string | null;
  /** the caller's, normalised; absent: our reference is used */
  ediInfo?: string;
  reference: string | null;
}

/** Only 普通預金 accounts (科目 01/02) can send transfers. */
const PAYING_ACCOUNT_TYPES = new Set(['01', '02']);

export function payingAccount(accounts: BankAccount[], accountId: string | undefined): BankAccount | undefined {
  const paying = accounts.filter((a) => PAYING_ACCOUNT_TYPES.has(a.accountTypeCode) && a.currencyCode === 'JPY');
  if (accountId) return paying.find((a) => a.accountId === accountId);
  return paying.find((a) => a.primaryAccountCode === '1') ?? paying[0];
}

/** The account a transfer (or a bulk transfer) is paid from; an issue names `accountId` when there is none. */
export function draftPayingAccount(accounts: BankAccount[], accountId: string | undefined, errors: FieldIssue[]): BankAccount | undefined {
  const account = payingAccount(accounts, accountId);
  if (!account) {
    errors.push({
      field: 'accountId',
      reason: accountId ? "is not one of this company's connected accounts that can send transfers" : 'the connection has no account that can send transfers',
    });
  }
  return account;
}

/** The account's per-transfer limit (`transferLimitAmount`), when the bank states one. */
export function transferLimit(account: BankAccount | undefined): number | undefined {
  return account?.transferLimitAmount && /^\d+$/.test(account.transferLimitAmount) ? Number(account.transferLimitAmount) : undefined;
}

/** A beneficiary in GMO's terms, as sent to the bank. */
export type BeneficiaryDraft = Pick<
  TransferDraft,
  'beneficiaryBankCode' | 'beneficiaryBankName' | 'beneficiaryBranchCode' | 'beneficiaryBranchName' | 'accountTypeCode' | 'beneficiaryAccountNumber' | 'beneficiaryName'
>;

/**
 * One beneficiary checked against zengin-code and GMO's character rules; every bad field is pushed to
 * `errors` under `prefix` (e.g. `items[3].beneficiary`). `maxNameLength`: the characters the bank uses
 * (48 for a transfer; 30 in a bulk transfer, whose bank truncates the rest: refused here, never cut).
 */
export function draftBeneficiary(
  b: TransferBody['beneficiary'],
  prefix: string,
  errors: FieldIssue[],
  maxNameLength?: number,
): BeneficiaryDraft | undefined {
  const bank = findBank(b.bankCode);
  if (!bank) errors.push({ field: `${prefix}.bankCode`, reason: 'is not a bank code in the zengin-code directory' });
  const branch = bank ? findBranch(bank.code, b.branchCode) : undefined;
  if (bank && !branch) errors.push({ field: `${prefix}.branchCode`, reason: `is not a branch of ${bank.name} in the zengin-code directory` });
  const name = normaliseBeneficiaryName(b.name, maxNameLength);
  if (!name.ok) errors.push({ field: `${prefix}.name`, reason: name.reason });
  if (!bank || !branch || !name.ok) return undefined;
  return {
    beneficiaryBankCode: bank.code,
    beneficiaryBankName: bankNameKanaHalfWidth(bank),
    beneficiaryBranchCode: branch.code,
    beneficiaryBranchName: branchNameKanaHalfWidth(branch),
    accountTypeCode: ACCOUNT_TYPE_CODES[b.accountType],
    beneficiaryAccountNumber: b.accountNumber.padStart(7, '0'),
    beneficiaryName: name.value,
  };
}

/** The caller's EDI information converted to 振込許容文字; undefined when none was given or it is bad (then in `errors`). */
export function draftEdiInfo(ediInfo: string | undefined, field: string, errors: FieldIssue[]): string | undefined {
  if (ediInfo === undefined) return undefined;
  const edi = normaliseEdiInfo(ediInfo);
  if (!edi.ok) {
    errors.push({ field, reason: edi.reason });
    return undefined;
  }
  return edi.value;
}

/**
 * Checks against zengin-code, the connection's accounts, GMO's character rules and the bank's calendar
 * (`now` decides today and the cut-off). Every failing field is reported at once (422), and nothing is stored.
 */
export function buildDraft(body: TransferBody, accounts: BankAccount[], now: Date): TransferDraft {
  const errors: FieldIssue[] = [];
  const account = draftPayingAccount(accounts, body.accountId, errors);
  const limit = transferLimit(account);
  if (limit !== undefined && body.amount > limit) {
    errors.push({ field: 'amount', reason: `exceeds the account's transfer limit of ${limit} yen` });
  }
  const beneficiary = draftBeneficiary(body.beneficiary, 'beneficiary', errors);
  const ediInfo = draftEdiInfo(body.ediInfo, 'ediInfo', errors);

  const settlement = planSettlement({ requested: body.designatedDate, rule: body.holidayRule, now, beneficiaryBankCode: body.beneficiary.bankCode });
  if (isFieldIssue(settlement)) errors.push(settlement);

  if (errors.length > 0 || !account || !beneficiary || isFieldIssue(settlement)) throw new TransferInvalidError(errors);
  return {
    accountId: account.accountId,
    amount: body.amount,
    ...beneficiary,
    designatedDate: settlement.designatedDate,
    holidayCode: settlement.holidayCode,
    settlementDate: settlement.settlementDate,
    settlementNote: settlement.note,
    ediInfo,
    reference: body.reference ?? null,
  };
}

/** GMO's one-item TransferRequest for a draft or a stored transfer (same field names). */
export function gmoTransferRequest(
  t: Pick<TransferDraft, 'accountId' | 'amount' | 'designatedDate' | 'holidayCode' | keyof BeneficiaryDraft>,
  ediInfo: string,
): TransferRequestBody {
  const amount = String(t.amount);
  return {
    accountId: t.accountId,
    transferDesignatedDate: t.designatedDate,
    transferDateHolidayCode: t.holidayCode,
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
