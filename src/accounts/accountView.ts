import type { BankAccount } from '../bank/accountsApi';
import type { AccountView } from './contract';

/** How the API shows one of the company's own bank accounts: the `Account` schema of the accounts contract. */
export type { AccountView };

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
