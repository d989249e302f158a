import type { Arrival, LedgerRow } from '../bank/ledger';
import { VA_STATUS_NAMES, VA_TYPE_NAMES, changePossibleCode, vaBranch, type VirtualAccount } from '../bank/virtualAccounts';
import { GATEWAY, errorResponse } from '../errors';
import { jstDateTime } from '../jst';
import type { SeedAccount } from '../seed';
import { GMO_AOZORA_BANK_CODE, lookupBranch } from '../zengin';
import type { Flavour } from './context';

/** "提携企業以外の方が値を設定されている場合は「400 Bad Request」": the simulated users hold bank contracts. */
export function refusePartnerKey(vaContractAuthKey: string | undefined): void {
  if (vaContractAuthKey !== undefined) {
    throw errorResponse(400, GATEWAY.invalidParameter, '提携企業以外の方は振込入金口座API認証情報を指定できません。');
  }
}

/** The 入金口座 as VaDepositTransactionsResponse names it. */
export function receivingAccountView(ra: SeedAccount) {
  return {
    raId: ra.accountId,
    raBranchCode: ra.branchCode,
    raBranchNameKana: lookupBranch(GMO_AOZORA_BANK_CODE, ra.branchCode)?.branchNameKana ?? '',
    raAccountNumber: ra.accountNumber,
    raHolderName: ra.accountName,
  };
}

/** VAccount; fields without a value are left out. */
export function vaView(va: VirtualAccount, ra: SeedAccount) {
  const branch = vaBranch(va);
  return {
    vaId: va.vaId,
    vaBranchCode: va.branchCode,
    vaBranchName: branch.branchName,
    vaBranchNameKana: branch.branchNameKana,
    vaAccountNumber: va.accountNumber,
    vaHolderNameKana: va.holderNameKana,
    vaTypeCode: va.typeCode,
    vaTypeName: VA_TYPE_NAMES[va.typeCode],
    vaStatusCode: va.status,
    vaStatusName: VA_STATUS_NAMES[va.status],
    vaStatusChangePossibleCode: changePossibleCode(va.status),
    vaIssueDateTime: jstDateTime(va.issuedAt),
    vaChangeStatusDateTime: va.statusChangedAt && jstDateTime(va.statusChangedAt),
    vaCloseDateTime: va.closedAt && jstDateTime(va.closedAt),
    expireDateTime: va.expiresAt && jstDateTime(va.expiresAt),
    latestDepositDate: va.latestDeposit?.date,
    latestDepositAmount: va.latestDeposit && String(va.latestDeposit.amount),
    latestDepositCount: va.latestDeposit && String(va.latestDeposit.countThatDay),
    raId: ra.accountId,
    raBranchCode: ra.branchCode,
    raBranchName: ra.branchName,
    raAccountNumber: ra.accountNumber,
    raHolderName: ra.accountName,
  };
}

/** Va: what /va/issue lists of each new VA. */
export function issuedView(va: VirtualAccount) {
  return { vaId: va.vaId, vaBranchCode: va.branchCode, vaBranchNameKana: vaBranch(va).branchNameKana, vaAccountNumber: va.accountNumber };
}

/**
 * VaTransaction. [C example] partnerName is the bank's own name for a bank contract. [O] sunabar leaves the paying
 * bank and branch names empty (gmo-aozora-api-python PR #9).
 */
export function vaTransactionView(row: LedgerRow, arrival: Arrival, va: VirtualAccount, flavour: Flavour) {
  return {
    vaId: va.vaId,
    transactionDate: row.transactionDate,
    valueDate: row.valueDate,
    vaBranchCode: va.branchCode,
    vaBranchNameKana: vaBranch(va).branchNameKana,
    vaAccountNumber: va.accountNumber,
    vaAccountNameKana: va.holderNameKana,
    depositAmount: String(row.amount),
    remitterNameKana: arrival.applicantName,
    paymentBankName: flavour === 'sunabar' ? '' : arrival.paymentBankName,
    paymentBranchName: flavour === 'sunabar' ? '' : arrival.paymentBranchName,
    partnerName: 'GMOあおぞらネット銀行',
    remarks: row.remarks,
    itemKey: row.itemKey,
  };
}
