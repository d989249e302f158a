import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import { DateTimeColumn } from '../db/columns';
import { yen } from '../db/yen';
import type { ItemStatus } from './lifecycle';

/** One beneficiary of a bulk transfer; `itemNo` is GMO's itemId (1–9,999) inside the batch. */
@Entity('bulk_transfer_items')
@Index('ix_bulk_transfer_items_status', ['bulkTransferId', 'status', 'itemNo'])
export class BulkTransferItem {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  bulkTransferId!: string;

  @PrimaryColumn({ type: 'integer' })
  itemNo!: number;

  @Column({ type: 'bigint', transformer: yen })
  amount!: number;

  @Column({ type: 'varchar', length: 4 })
  beneficiaryBankCode!: string;

  @Column({ type: 'varchar', length: 64 })
  beneficiaryBankName!: string;

  @Column({ type: 'varchar', length: 3 })
  beneficiaryBranchCode!: string;

  @Column({ type: 'varchar', length: 64 })
  beneficiaryBranchName!: string;

  @Column({ type: 'varchar', length: 1 })
  accountTypeCode!: string;

  @Column({ type: 'varchar', length: 7 })
  beneficiaryAccountNumber!: string;

  /** as sent: half-width, at most the 30 characters the bank uses in a bulk transfer */
  @Column({ type: 'varchar', length: 48 })
  beneficiaryName!: string;

  @Column({ type: 'varchar', length: 20, nullable: true })
  ediInfo!: string | null;

  @Column({ type: 'varchar', length: 64, nullable: true })
  reference!: string | null;

  @Column({ type: 'varchar', length: 16 })
  status!: ItemStatus;

  /** the bank's transferDetailStatus (1 手続済, 2 手続不成立) / refundStatus, kept as its truth */
  @Column({ type: 'varchar', length: 8, nullable: true })
  bankDetailStatus!: string | null;

  @Column({ type: 'varchar', length: 32, nullable: true })
  errorCode!: string | null;

  @Column({ type: 'varchar', length: 255, nullable: true })
  errorMessage!: string | null;

  /** 資金返却日, for a returned item */
  @Column({ type: 'varchar', length: 10, nullable: true })
  returnedOn!: string | null;

  @DateTimeColumn()
  updatedAt!: Date;
}
