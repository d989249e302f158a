import { BUSINESS, controlError, transferError } from '../errors';
import { jstCompactDate, jstDate, monthStart } from '../jst';
import type { SimulatorConfig } from '../options';
import { IdempotencyStore } from './idempotency';
import { Ledger, type LedgerRow } from './ledger';
import {
  acceptedStatus,
  clockTransition,
  isAccepted,
  moneyPhase,
  type DueTransition,
  type MoneyPhase,
  type Transfer,
  type TransferOrder,
  type TransferStatus,
} from './transfers';

export interface Clock {
  now(): Date;
}

export interface BalanceFigures {
  balance: number;
  withdrawable: number;
  previousDayBalance: number;
  previousMonthBalance: number;
}

const REFUND_REMARKS: Partial<Record<TransferStatus, string>> = { '22': '資金返却', '25': '組戻' };

/**
 * Accounts, their ledgers and the transfers drawn on them.
 * Time-driven transitions are evaluated lazily: every public method first replays, in clock order, whatever the
 * clock made due since the last call, so a jump of the injected clock settles everything it skipped over.
 */
export class Bank {
  readonly ledger = new Ledger();
  readonly idempotency = new IdempotencyStore();
  private readonly transfers: Transfer[] = [];
  private applySeq = 0;
  private acceptSeq = 0;

  constructor(
    private readonly clock: Clock,
    private readonly config: SimulatorConfig,
  ) {}

  balances(accountId: string): BalanceFigures {
    this.advance();
    const today = jstDate(this.clock.now());
    return {
      balance: this.ledger.balance(accountId),
      withdrawable: this.withdrawable(accountId),
      previousDayBalance: this.ledger.balanceBefore(accountId, today),
      previousMonthBalance: this.ledger.balanceBefore(accountId, monthStart(today)),
    };
  }

  transactions(accountId: string): readonly LedgerRow[] {
    this.advance();
    return this.ledger.rows(accountId);
  }

  /** Books a validated order. A transfer is born 申請中 holding no money; auto approval accepts it at once. */
  book(order: TransferOrder, owner: { userId: string; companyId?: string }, idempotencyKey?: string): Transfer {
    this.advance();
    const now = this.clock.now();
    if (this.withdrawable(order.accountId) < order.amount + order.fee) {
      throw transferError(
        [{ errorDetailsCode: BUSINESS.insufficientFunds, errorDetailsMessage: '支払可能残高が不足しています。' }],
        [],
      );
    }
    const transfer: Transfer = {
      ...order,
      ...owner,
      applyNo: this.nextNumber(now, 'apply'),
      status: '2',
      autoApproved: this.config.approvalMode === 'auto',
      createdAt: now,
      idempotencyKey,
      money: { reserved: false, amountDebited: false, feeDebited: false },
    };
    this.transfers.push(transfer);
    this.moveTo(transfer, transfer.autoApproved ? acceptedStatus(order.designatedDate, jstDate(now)) : '2', now);
    return transfer;
  }

  find(accountId: string, applyNo: string): Transfer | undefined {
    this.advance();
    return this.transfers.find((t) => t.accountId === accountId && t.applyNo === applyNo);
  }

  transfersOf(accountId: string): Transfer[] {
    this.advance();
    return this.transfers.filter((t) => t.accountId === accountId);
  }

  all(): readonly Transfer[] {
    this.advance();
    return this.transfers;
  }

  /** The caller checked that the transfer is in 2 or 11. */
  cancel(transfer: Transfer): void {
    const now = this.clock.now();
    this.moveTo(transfer, '8', now);
    transfer.requestEndAt = now;
  }

  /** What the user does in the bank's web site to let a manual-mode transfer go. */
  approve(applyNo: string): Transfer {
    const transfer = this.byApplyNo(applyNo);
    if (transfer.status !== '2') throw controlError(409, `transfer ${applyNo} is not awaiting approval (status ${transfer.status})`);
    const now = this.clock.now();
    this.moveTo(transfer, acceptedStatus(transfer.designatedDate, jstDate(now)), now);
    return transfer;
  }

  /** Test hook: any status, with the money movements that status implies. */
  force(applyNo: string, status: TransferStatus): Transfer {
    const transfer = this.byApplyNo(applyNo);
    this.moveTo(transfer, status, this.clock.now());
    return transfer;
  }

  private byApplyNo(applyNo: string): Transfer {
    this.advance();
    const transfer = this.transfers.find((t) => t.applyNo === applyNo);
    if (!transfer) throw controlError(404, `no transfer with applyNo ${applyNo}`);
    return transfer;
  }

  private advance(): void {
    const now = this.clock.now().getTime();
    // Each transfer makes at most three clock transitions (2→5, or 11→12→20), which bounds the loop.
    for (let budget = this.transfers.length * 3; budget > 0; budget--) {
      let next: (DueTransition & { transfer: Transfer }) | undefined;
      for (const transfer of this.transfers) {
        const due = clockTransition(transfer, this.config.settleAfterSeconds);
        if (due && due.at.getTime() <= now && (!next || due.at < next.at)) next = { ...due, transfer };
      }
      if (!next) return;
      this.moveTo(next.transfer, next.to, next.at);
    }
  }

  private moveTo(transfer: Transfer, to: TransferStatus, at: Date): void {
    const from = transfer.status;
    this.moveMoney(transfer, moneyPhase(to), to, at);
    if (isAccepted(to) && !transfer.acceptNo) {
      transfer.acceptNo = this.nextNumber(at, 'accept');
      transfer.acceptedAt = at;
    }
    if (to === '12' && from !== '12') transfer.processingSince = at;
    if (from === '2' && to !== '2' && to !== '5') transfer.requestEndAt = at;
    transfer.status = to;
  }

  private moveMoney(transfer: Transfer, to: MoneyPhase, status: TransferStatus, at: Date): void {
    const from = transfer.money;
    for (const item of transfer.items) {
      if (from.amountDebited !== to.amountDebited) {
        const label = to.amountDebited ? '振込' : (REFUND_REMARKS[status] ?? '振込返却');
        this.ledger.post(transfer.accountId, at, to.amountDebited ? '2' : '1', item.amount, `${label} ${item.beneficiaryName}`);
      }
      if (item.fee > 0 && from.feeDebited !== to.feeDebited) {
        this.ledger.post(transfer.accountId, at, to.feeDebited ? '2' : '1', item.fee, to.feeDebited ? '振込手数料' : '振込手数料返却');
      }
    }
    transfer.money = to;
  }

  /** withdrawableAmount: the balance less what accepted-but-unsettled transfers hold. */
  private withdrawable(accountId: string): number {
    const held = this.transfers
      .filter((t) => t.accountId === accountId && t.money.reserved)
      .reduce((sum, t) => sum + t.amount + t.fee, 0);
    return this.ledger.balance(accountId) - held;
  }

  /** applyNo and acceptNo: JST date of the clock + an 8-digit sequence (2026071100000001, observed in sunabar). */
  private nextNumber(at: Date, kind: 'apply' | 'accept'): string {
    const seq = kind === 'apply' ? ++this.applySeq : ++this.acceptSeq;
    return `${jstCompactDate(at)}${String(seq).padStart(8, '0')}`;
  }
}
