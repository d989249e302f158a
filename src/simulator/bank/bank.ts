import { BUSINESS, controlError, transferError } from '../errors';
import { jstCompactDate, jstDate, monthStart } from '../jst';
import type { SimulatorConfig } from '../options';
import { IdempotencyStore } from './idempotency';
import { Ledger, type LedgerRow } from './ledger';
import { ClockSchedule } from './schedule';
import {
  acceptedStatus,
  isAccepted,
  moneyPhase,
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
  private readonly byApplyNo = new Map<string, Transfer>();
  /** per account, what accepted-but-unsettled transfers hold against withdrawableAmount */
  private readonly held = new Map<string, number>();
  private readonly schedule: ClockSchedule;
  private applySeq = 0;
  private acceptSeq = 0;

  constructor(
    private readonly clock: Clock,
    private readonly config: SimulatorConfig,
  ) {
    this.schedule = new ClockSchedule(() => config.settleAfterSeconds);
  }

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
    this.byApplyNo.set(transfer.applyNo, transfer);
    this.moveTo(transfer, transfer.autoApproved ? acceptedStatus(order.designatedDate, jstDate(now)) : '2', now);
    return transfer;
  }

  find(accountId: string, applyNo: string): Transfer | undefined {
    this.advance();
    const transfer = this.byApplyNo.get(applyNo);
    return transfer?.accountId === accountId ? transfer : undefined;
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
    const transfer = this.known(applyNo);
    if (transfer.status !== '2') throw controlError(409, `transfer ${applyNo} is not awaiting approval (status ${transfer.status})`);
    const now = this.clock.now();
    this.moveTo(transfer, acceptedStatus(transfer.designatedDate, jstDate(now)), now);
    return transfer;
  }

  /** Test hook: any status, with the money movements that status implies. */
  force(applyNo: string, status: TransferStatus): Transfer {
    const transfer = this.known(applyNo);
    this.moveTo(transfer, status, this.clock.now());
    return transfer;
  }

  private known(applyNo: string): Transfer {
    this.advance();
    const transfer = this.byApplyNo.get(applyNo);
    if (!transfer) throw controlError(404, `no transfer with applyNo ${applyNo}`);
    return transfer;
  }

  /**
   * Replays, in clock order, every transition due by now. Each step takes one entry off the schedule, and only a
   * transition to 12 adds one, so the loop ends.
   */
  private advance(): void {
    const now = this.clock.now().getTime();
    for (let due = this.schedule.takeDue(now); due; due = this.schedule.takeDue(now)) {
      this.moveTo(due.transfer, due.to, due.at);
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
    this.schedule.track(transfer);
  }

  private moveMoney(transfer: Transfer, to: MoneyPhase, status: TransferStatus, at: Date): void {
    const from = transfer.money;
    if (from.reserved !== to.reserved) {
      const change = (to.reserved ? 1 : -1) * (transfer.amount + transfer.fee);
      this.held.set(transfer.accountId, (this.held.get(transfer.accountId) ?? 0) + change);
    }
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
    return this.ledger.balance(accountId) - (this.held.get(accountId) ?? 0);
  }

  /** applyNo and acceptNo: JST date of the clock + an 8-digit sequence (2026071100000001, observed in sunabar). */
  private nextNumber(at: Date, kind: 'apply' | 'accept'): string {
    const seq = kind === 'apply' ? ++this.applySeq : ++this.acceptSeq;
    return `${jstCompactDate(at)}${String(seq).padStart(8, '0')}`;
  }
}
