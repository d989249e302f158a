import { BUSINESS, controlError, transferError } from '../errors';
import { jstCompactDate, jstDate, monthStart } from '../jst';
import type { SimulatorConfig } from '../options';
import { dateAfterCutOff, needsBusinessDay } from './calendar';
import { Deposits, type Deposit } from './deposits';
import { IdempotencyStore } from './idempotency';
import { Ledger, type LedgerRow } from './ledger';
import { Money } from './money';
import { ClockSchedule } from './schedule';
import {
  ITEM_OUTCOMES,
  acceptedStatus,
  bulkCompletion,
  isAccepted,
  isCompleted,
  isStatusOf,
  type ItemOutcome,
  type Transfer,
  type TransferKind,
  type TransferOrder,
  type TransferStatus,
} from './transfers';
import { VirtualAccounts, type VirtualAccount } from './virtualAccounts';

export interface Clock {
  now(): Date;
}

export interface BalanceFigures {
  balance: number;
  withdrawable: number;
  previousDayBalance: number;
  previousMonthBalance: number;
}

/**
 * Accounts, their ledgers, the transfers drawn on them and the virtual accounts paying into them.
 * Time-driven transitions are evaluated lazily: every public method first replays, in clock order, whatever the
 * clock made due since the last call, so a jump of the injected clock settles everything it skipped over.
 */
export class Bank {
  readonly ledger = new Ledger();
  readonly idempotency = new IdempotencyStore();
  private readonly virtualAccounts = new VirtualAccounts();
  private readonly deposits = new Deposits(this.ledger, this.virtualAccounts);
  private readonly money = new Money(this.ledger, this.deposits);
  private readonly transfers: Transfer[] = [];
  private readonly byApplyNo = new Map<string, Transfer>();
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
      withdrawable: this.money.withdrawable(accountId),
      previousDayBalance: this.ledger.balanceBefore(accountId, today),
      previousMonthBalance: this.ledger.balanceBefore(accountId, monthStart(today)),
    };
  }

  transactions(accountId: string): readonly LedgerRow[] {
    this.advance();
    return this.ledger.rows(accountId);
  }

  /** The virtual accounts, once the clock's due changes (a contract's end) are made. */
  vas(): VirtualAccounts {
    this.advance();
    return this.virtualAccounts;
  }

  /** Books a validated order. A transfer is born 申請中 holding no money; auto approval accepts it at once. */
  book(order: TransferOrder, owner: { userId: string; companyId?: string }, idempotencyKey?: string): Transfer {
    this.advance();
    const now = this.clock.now();
    if (this.money.withdrawable(order.accountId) < order.amount + order.fee) {
      throw transferError(
        [{ errorDetailsCode: BUSINESS.insufficientFunds, errorDetailsMessage: '支払可能残高が不足しています。' }],
        [],
      );
    }
    const transfer: Transfer = {
      ...order,
      ...owner,
      // each booking owns its items: their money and outcomes are tracked one by one
      items: order.items.map((i) => ({ ...i, money: { amountDebited: false, feeDebited: false } })),
      applyNo: this.nextNumber(now, 'apply'),
      status: '2',
      autoApproved: this.config.approvalMode === 'auto',
      createdAt: now,
      idempotencyKey,
      reserved: false,
    };
    this.transfers.push(transfer);
    this.byApplyNo.set(transfer.applyNo, transfer);
    this.moveTo(transfer, transfer.autoApproved ? this.acceptance(transfer, now) : '2', now);
    return transfer;
  }

  /** A transfer of this kind on this account; the other kind's applyNos are unknown here. */
  find(kind: TransferKind, accountId: string, applyNo: string): Transfer | undefined {
    this.advance();
    const transfer = this.byApplyNo.get(applyNo);
    return transfer?.accountId === accountId && transfer.kind === kind ? transfer : undefined;
  }

  transfersOf(kind: TransferKind, accountId: string): Transfer[] {
    this.advance();
    return this.transfers.filter((t) => t.accountId === accountId && t.kind === kind);
  }

  all(kind: TransferKind): Transfer[] {
    this.advance();
    return this.transfers.filter((t) => t.kind === kind);
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
    this.moveTo(transfer, this.acceptance(transfer, now), now);
    return transfer;
  }

  /**
   * Test hook: any status the transfer's kind has, with the money movements it implies (a 総合振込's 30 follows from
   * its items). With itemIds (総合振込 only), those items' outcome instead: 40 手続不成立 until completion or after it,
   * 22 資金返却 and 24/25/26 組戻 once completed.
   */
  force(applyNo: string, status: TransferStatus, itemIds?: readonly string[]): Transfer {
    const transfer = this.known(applyNo);
    if (itemIds) {
      this.forceItems(transfer, status, itemIds);
    } else {
      if (!isStatusOf(transfer.kind, status) || (transfer.kind === 'bulk' && status === '30')) {
        throw controlError(400, `status ${status} cannot be forced on a ${transfer.kind === 'bulk' ? 'bulk transfer (30 follows from its items)' : 'transfer'}`);
      }
      this.moveTo(transfer, status, this.clock.now());
    }
    return transfer;
  }

  /** An incoming 振込 from another bank, `count` times: 入金 rows with their arrivals. */
  receive(accountId: string, deposit: Deposit, count: number): LedgerRow[] {
    if (!this.ledger.has(accountId)) throw controlError(404, `no account ${accountId}`);
    this.advance();
    const now = this.clock.now();
    return Array.from({ length: count }, () => this.deposits.toAccount(accountId, deposit, now));
  }

  /** An incoming 振込 into a VA, `count` times: credited to its 入金口座. */
  payIntoVirtualAccount(vaId: string, deposit: Deposit, count: number): { va: VirtualAccount; rows: LedgerRow[] } {
    this.advance();
    const now = this.clock.now();
    const va = this.virtualAccounts.byVaId(vaId);
    if (!va) throw controlError(404, `no virtual account ${vaId}`);
    if (!this.virtualAccounts.usable(va, now)) throw controlError(409, `virtual account ${vaId} takes no deposits (stopped, deleted or expired)`);
    return { va, rows: Array.from({ length: count }, () => this.deposits.toVirtualAccount(va, deposit, now)) };
  }

  private forceItems(transfer: Transfer, outcome: TransferStatus, itemIds: readonly string[]): void {
    if (transfer.kind !== 'bulk') throw controlError(400, 'itemIds apply to a bulk transfer only');
    if (!(ITEM_OUTCOMES as readonly string[]).includes(outcome)) throw controlError(400, `an item's outcome is one of ${ITEM_OUTCOMES.join(', ')}`);
    const completed = isCompleted(transfer);
    // `reserved`: accepted or applied for, and not yet completed (2, 11, 12, 13)
    if (!completed && !(outcome === '40' && transfer.reserved)) {
      throw controlError(409, `bulk transfer ${transfer.applyNo} is in status ${transfer.status}: items fail before completion, and come back only after it`);
    }
    const byId = new Map(transfer.items.map((i) => [i.itemId, i]));
    const missing = itemIds.filter((id) => !byId.has(id));
    if (missing.length > 0) throw controlError(400, `bulk transfer ${transfer.applyNo} has no item ${missing.join(', ')}`);
    const items = [...new Set(itemIds)].flatMap((id) => byId.get(id) ?? []);
    const now = this.clock.now();
    for (const item of items) {
      item.outcome = outcome as ItemOutcome;
      item.repaymentDate = outcome === '22' ? jstDate(now) : undefined;
    }
    if (!completed) return;
    const status = bulkCompletion(transfer.items);
    if (status === transfer.status) this.money.settle(transfer, now, items);
    else this.moveTo(transfer, status, now);
  }

  /** The status the bank gives a transfer it accepts at `now`; past the cut-off a same-day one moves to the next business day. */
  private acceptance(transfer: Transfer, now: Date): TransferStatus {
    if (needsBusinessDay(transfer.items.map((i) => i.bankCode))) transfer.designatedDate = dateAfterCutOff(transfer.designatedDate, now, this.config.bankCalendar);
    return acceptedStatus(transfer.designatedDate, jstDate(now));
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
    const now = this.clock.now();
    for (let due = this.schedule.takeDue(now.getTime()); due; due = this.schedule.takeDue(now.getTime())) {
      this.moveTo(due.transfer, due.to, due.at);
    }
    this.virtualAccounts.advance(now);
  }

  /** A 総合振込 that completes is 20, 30 or 40 by its items' outcomes. */
  private moveTo(transfer: Transfer, to: TransferStatus, at: Date): void {
    const from = transfer.status;
    const status = transfer.kind === 'bulk' && to === '20' ? bulkCompletion(transfer.items) : to;
    transfer.status = status;
    if (isAccepted(status) && !transfer.acceptNo) {
      transfer.acceptNo = this.nextNumber(at, 'accept');
      transfer.acceptedAt = at;
    }
    if (status === '12' && from !== '12') transfer.processingSince = at;
    if (from === '2' && status !== '2' && status !== '5') transfer.requestEndAt = at;
    this.money.settle(transfer, at);
    this.schedule.track(transfer);
  }

  /** applyNo and acceptNo: JST date of the clock + an 8-digit sequence (2026071100000001, observed in sunabar). */
  private nextNumber(at: Date, kind: 'apply' | 'accept'): string {
    const seq = kind === 'apply' ? ++this.applySeq : ++this.acceptSeq;
    return `${jstCompactDate(at)}${String(seq).padStart(8, '0')}`;
  }
}
