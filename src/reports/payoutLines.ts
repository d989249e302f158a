import type { BulkTransferStore } from '../bulkTransfers/bulkTransferStore';
import type { PayoutRef } from '../statements/matching';
import { DEBITED_STATUSES, settlesOn } from '../statements/transferPayouts';
import type { TransferStore } from '../transfers/transferStore';
import { beneficiaryView, transferView } from '../transfers/transferView';
import type { PayoutReportLine } from './contract';

/** A line of the payout report before its statement is read. */
export type PayoutLine = Omit<PayoutReportLine, 'statementMatch'> & {
  /** the payout whose statement rows carry this line's money (a bulk item: its batch); null while not debited */
  debitedAs: PayoutRef | null;
};

/** Where the report's lines come from: transfers, and the items of bulk transfers. */
export interface PayoutLineSource {
  /** the company's payouts created in [from, to) */
  linesCreatedBetween(companyId: string, from: Date, to: Date): Promise<PayoutLine[]>;
}

/** Every transfer is a line. */
export class TransferLines implements PayoutLineSource {
  constructor(private readonly store: TransferStore) {}

  async linesCreatedBetween(companyId: string, from: Date, to: Date): Promise<PayoutLine[]> {
    return (await this.store.createdBetween(companyId, from, to)).map((t) => {
      const v = transferView(t);
      return {
        kind: 'transfer',
        id: v.id,
        itemNo: null,
        reference: v.reference,
        createdAt: v.createdAt,
        accountId: v.accountId,
        amount: v.amount,
        fee: v.fee,
        totalDebit: v.totalDebit,
        beneficiary: v.beneficiary,
        status: v.status,
        bankStatus: v.bankStatus,
        applyNo: v.applyNo,
        designatedDate: v.designatedDate,
        settlementDate: settlesOn(t),
        debitedAs: DEBITED_STATUSES.includes(t.status) ? { kind: 'transfer', id: t.id } : null,
      };
    });
  }
}

/** Every item of a bulk transfer is a line; its money leaves in the batch's one debit row. */
export class BulkItemLines implements PayoutLineSource {
  constructor(private readonly store: BulkTransferStore) {}

  async linesCreatedBetween(companyId: string, from: Date, to: Date): Promise<PayoutLine[]> {
    const lines: PayoutLine[] = [];
    for (const b of await this.store.createdBetween(companyId, from, to)) {
      for (const i of await this.store.allItems(b.id)) {
        const debited = i.status === 'completed' || i.status === 'returning' || i.status === 'returned';
        lines.push({
          kind: 'bulk_transfer_item',
          id: b.id,
          itemNo: i.itemNo,
          reference: i.reference,
          createdAt: b.createdAt.toISOString(),
          accountId: b.accountId,
          amount: i.amount,
          fee: null,
          totalDebit: debited ? i.amount : null,
          beneficiary: beneficiaryView(i),
          status: i.status,
          bankStatus: b.bankStatus,
          applyNo: b.applyNo,
          designatedDate: b.designatedDate,
          settlementDate: b.settlementDate,
          debitedAs: debited ? { kind: 'bulk_transfer', id: b.id } : null,
        });
      }
    }
    return lines;
  }
}
