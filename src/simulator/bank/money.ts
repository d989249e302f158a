import type { Deposits } from './deposits';
import type { Ledger } from './ledger';
import { itemStatus, moneyPhase, type Transfer, type TransferItem, type TransferStatus } from './transfers';

const REFUND_REMARKS: Partial<Record<TransferStatus, string>> = { '22': '資金返却', '25': '組戻' };

/**
 * Puts a transfer's money where its status says: the whole amount and fee held against withdrawableAmount while it
 * waits, then per item what has left the account, written as ledger rows. A 振込 debits a pair of rows per item
 * (`振込 <name>`, `振込手数料`); a 総合振込 debits the items it paid as one 出金 row and one fee row [I]. Refunds are
 * written item by item. A paid item to GMO Aozora reaches the account behind it (Deposits).
 */
export class Money {
  /** per account, what accepted-but-unsettled transfers hold against withdrawableAmount */
  private readonly held = new Map<string, number>();

  constructor(
    private readonly ledger: Ledger,
    private readonly deposits: Deposits,
  ) {}

  /** withdrawableAmount: the balance less what waiting transfers hold. */
  withdrawable(accountId: string): number {
    return this.ledger.balance(accountId) - (this.held.get(accountId) ?? 0);
  }

  /** Call after the transfer's status (or some items' outcomes) changed; `items` are those whose money may move. */
  settle(t: Transfer, at: Date, items: readonly TransferItem[] = t.items): void {
    const reserve = moneyPhase(t.status).reserved;
    if (t.reserved !== reserve) {
      const change = (reserve ? 1 : -1) * (t.amount + t.fee);
      this.held.set(t.accountId, (this.held.get(t.accountId) ?? 0) + change);
      t.reserved = reserve;
    }
    const batch = { amount: 0, fee: 0, paid: [] as TransferItem[] };
    for (const item of items) {
      const status = itemStatus(t, item);
      const from = item.money;
      const to = moneyPhase(status);
      item.money = { amountDebited: to.amountDebited, feeDebited: to.feeDebited };
      const amountDebit = !from.amountDebited && to.amountDebited;
      const feeDebit = item.fee > 0 && !from.feeDebited && to.feeDebited;
      if (t.kind === 'bulk') {
        if (amountDebit) batch.paid.push(item);
        batch.amount += amountDebit ? item.amount : 0;
        batch.fee += feeDebit ? item.fee : 0;
      } else {
        if (amountDebit) this.ledger.post(t.accountId, at, '2', item.amount, `振込 ${item.beneficiaryName}`);
        if (feeDebit) this.ledger.post(t.accountId, at, '2', item.fee, '振込手数料');
        if (amountDebit) this.deposits.fromTransfer(t, item, at);
      }
      if (from.amountDebited && !to.amountDebited) {
        this.ledger.post(t.accountId, at, '1', item.amount, `${REFUND_REMARKS[status] ?? '振込返却'} ${item.beneficiaryName}`);
      }
      if (item.fee > 0 && from.feeDebited && !to.feeDebited) this.ledger.post(t.accountId, at, '1', item.fee, '振込手数料返却');
    }
    if (batch.amount > 0) this.ledger.post(t.accountId, at, '2', batch.amount, t.transferDataName ? `総合振込 ${t.transferDataName}` : '総合振込');
    if (batch.fee > 0) this.ledger.post(t.accountId, at, '2', batch.fee, '振込手数料');
    for (const item of batch.paid) this.deposits.fromTransfer(t, item, at);
  }
}
