import type { BulkTransferStore } from '../bulkTransfers/bulkTransferStore';
import type { Payout, PayoutSource } from './matching';

/**
 * The bulk transfers source of payouts for statement matching: a settled batch is debited as one 出金 row
 * of the items it paid and one fee row. Its remarks carry no beneficiary, so it fits on amount and day.
 */
export class BulkPayouts implements PayoutSource {
  constructor(private readonly store: BulkTransferStore) {}

  async payoutsSettling(companyId: string, accountId: string, from: string, to: string): Promise<Payout[]> {
    const settled = await this.store.settledBetween(companyId, accountId, from, to);
    return settled
      .filter(({ debited }) => debited > 0)
      .map(({ batch, debited }) => ({ kind: 'bulk_transfer', id: batch.id, amount: debited, fee: batch.fee, settlementDate: batch.settlementDate }));
  }
}
