import type { BankAccount } from '../bank/accountsApi';

/** How the API shows one of the company's own bank accounts (GMO's codes kept alongside). */
export interface AccountView {
  accountId: string;
  branchCode: string | null;
  branchName: string | null;
  accountTypeCode: string;
  accountTypeName: string;
  accountNumber: string | null;
  accountName: string | null;
  accountNameKana: string | null;
  primary: boolean;
  currencyCode: string;
  transferLimitAmount: number | null;
}

export function toAccountView(a: BankAccount): AccountView {
  return {
    accountId: a.accountId,
    branchCode: a.branchCode ?? null,
    branchName: a.branchName ?? null,
    accountTypeCode: a.accountTypeCode,
    accountTypeName: a.accountTypeName,
    accountNumber: a.accountNumber ?? null,
    accountName: a.accountName ?? null,
    accountNameKana: a.accountNameKana ?? null,
    primary: a.primaryAccountCode === '1',
    currencyCode: a.currencyCode,
    transferLimitAmount: a.transferLimitAmount !== undefined && /^\d+$/.test(a.transferLimitAmount) ? Number(a.transferLimitAmount) : null,
  };
}
