import type { TransferStatus } from '../transfers/lifecycle';
import type { Transfer } from '../transfers/transfer.entity';
import type { TransferStore } from '../transfers/transferStore';
import type { Payout, PayoutSource } from './matching';

/** The statuses in which the bank has debited a transfer (a returned one too: its debit stays on the statement). */
export const DEBITED_STATUSES: readonly TransferStatus[] = ['completed', 'returning', 'returned'];

/** The day a transfer is debited: its settlement date, or for a row from before those were kept, its designated date. */
export const settlesOn = (t: Transfer): string => t.settlementDate ?? t.designatedDate;

/** The transfers source of payouts for statement matching. */
export class TransferPayouts implements PayoutSource {
  constructor(private readonly store: TransferStore) {}

  async payoutsSettling(companyId: string, accountId: string, from: string, to: string): Promise<Payout[]> {
    const transfers = await this.store.settlingBetween(companyId, accountId, DEBITED_STATUSES, from, to);
    return transfers.map((t) => ({ kind: 'transfer', id: t.id, amount: t.amount, fee: t.fee, settlementDate: settlesOn(t), beneficiaryName: t.beneficiaryName }));
  }
}
