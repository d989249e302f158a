import { toFullWidth } from '../kana';
import { GMO_AOZORA_BANK_CODE, lookupBranch } from '../zengin';
import type { Arrival, Ledger, LedgerRow } from './ledger';
import type { Transfer, TransferItem } from './transfers';
import { vaBranch, type VirtualAccount, type VirtualAccounts } from './virtualAccounts';

/** An incoming 振込 as the bank records it (PaymentArrival without the row's own fields). */
export interface Deposit {
  amount: number;
  applicantName: string;
  paymentBankName: string;
  paymentBranchName: string;
  ediInfo?: string;
}

/** [O] The 摘要 of an incoming 振込: `振込 <EDI> <remitter, full-width>` (the spec's example; sunabar shows full width). */
function remarks(d: Deposit, ...more: string[]): string {
  return ['振込', d.ediInfo, toFullWidth(d.applicantName), ...more].filter(Boolean).join(' ');
}

/**
 * Money arriving at the bank: a 入金 row carrying its Arrival, which /accounts/deposit-transactions lists, and for a
 * virtual account also the VA's latest deposit, which /va/* shows.
 */
export class Deposits {
  constructor(
    private readonly ledger: Ledger,
    private readonly virtualAccounts: VirtualAccounts,
  ) {}

  toAccount(accountId: string, d: Deposit, at: Date): LedgerRow {
    const { applicantName, paymentBankName, paymentBranchName, ediInfo } = d;
    return this.ledger.post(accountId, at, '1', d.amount, remarks(d), { applicantName, paymentBankName, paymentBranchName, ediInfo });
  }

  /** The caller checked that the VA takes deposits. [I] The 摘要 adds the VA's branch and number, as the spec's example. */
  toVirtualAccount(va: VirtualAccount, d: Deposit, at: Date): LedgerRow {
    const { applicantName, paymentBankName, paymentBranchName, ediInfo } = d;
    const arrival: Arrival = { applicantName, paymentBankName, paymentBranchName, ediInfo, vaId: va.vaId };
    this.virtualAccounts.recordDeposit(va, d.amount, at);
    return this.ledger.post(va.raId, at, '1', d.amount, remarks(d, vaBranch(va).branchName, va.accountNumber), arrival);
  }

  /**
   * An item of a transfer to GMO Aozora, once paid, reaches the simulated account or usable VA behind its branch and
   * number; anything else is outside the simulation. A 総合振込 passes its EDI on only with identification Y.
   */
  fromTransfer(t: Transfer, item: TransferItem, at: Date): void {
    if (item.bankCode !== GMO_AOZORA_BANK_CODE) return;
    const payer = this.ledger.account(t.accountId);
    const d: Deposit = {
      amount: item.amount,
      applicantName: t.remitterName,
      paymentBankName: item.bankNameKana,
      paymentBranchName: lookupBranch(GMO_AOZORA_BANK_CODE, payer.branchCode)?.branchNameKana ?? payer.branchName,
      ediInfo: t.kind === 'transfer' || item.identification === 'Y' ? item.ediInfo : undefined,
    };
    const accountId = this.ledger.accountAt(item.branchCode, item.accountNumber);
    if (accountId) {
      this.toAccount(accountId, d, at);
      return;
    }
    const va = this.virtualAccounts.at(item.branchCode, item.accountNumber);
    if (va && this.virtualAccounts.usable(va, at)) this.toVirtualAccount(va, d, at);
  }
}
