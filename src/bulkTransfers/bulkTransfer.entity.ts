import { Column, Entity, Index } from 'typeorm';
import { DateTimeColumn } from '../db/columns';
import { CompanyRow } from '../db/companyRow';
import { yen } from '../db/yen';
import type { FeeStatus, SubmissionOutcome } from '../transfers/lifecycle';
import type { BulkStatus } from './lifecycle';

/**
 * One 総合振込: up to 9,999 payouts in one bank request. Like a transfer, the row (with all its items)
 * commits BEFORE the bank is called; its id is the Idempotency-Key sent to GMO.
 */
@Entity('bulk_transfers')
@Index('uq_bulk_transfers_idempotency', ['environment', 'companyId', 'idempotencyKey'], { unique: true })
@Index('ix_bulk_transfers_company_created', ['companyId', 'createdAt'])
@Index('ix_bulk_transfers_company_status_created', ['companyId', 'status', 'createdAt'])
@Index('ix_bulk_transfers_poll', ['nextPollAt'])
@Index('uq_bulk_transfers_apply_no', ['environment', 'accountId', 'applyNo'], { unique: true })
export class BulkTransfer extends CompanyRow {
  @Column({ type: 'varchar', length: 128 })
  idempotencyKey!: string;

  @Column({ type: 'varchar', length: 64 })
  requestHash!: string;

  @Column({ type: 'varchar', length: 29 })
  accountId!: string;

  /** 振込データ名 as sent: the caller's memo, or our reference `RB…` (which makes reconciliation exact) */
  @Column({ type: 'varchar', length: 10 })
  transferDataName!: string;

  /** 振込依頼人名 as sent (at most the 40 characters the bank uses); null: the account holder's name */
  @Column({ type: 'varchar', length: 48, nullable: true })
  remitterName!: string | null;

  @Column({ type: 'varchar', length: 10 })
  designatedDate!: string;

  /** GMO's transferDateHolidayCode sent with it: 1 翌営業日, 2 前営業日, 3 エラー返却 */
  @Column({ type: 'varchar', length: 1 })
  holidayCode!: string;

  /** the business day the money is expected to arrive; the bank's date once its status shows one */
  @Column({ type: 'varchar', length: 10 })
  settlementDate!: string;

  @Column({ type: 'varchar', length: 255, nullable: true })
  settlementNote!: string | null;

  @Column({ type: 'integer' })
  totalCount!: number;

  @Column({ type: 'bigint', transformer: yen })
  totalAmount!: number;

  @Column({ type: 'bigint', nullable: true, transformer: yen })
  fee!: number | null;

  @Column({ type: 'varchar', length: 8, nullable: true })
  feeStatus!: FeeStatus | null;

  @Column({ type: 'varchar', length: 64, nullable: true })
  reference!: string | null;

  @Column({ type: 'varchar', length: 36, nullable: true })
  createdByKeyId!: string | null;

  @Column({ type: 'varchar', length: 32 })
  status!: BulkStatus;

  @Column({ type: 'varchar', length: 4, nullable: true })
  bankStatus!: string | null;

  @Column({ type: 'varchar', length: 2, nullable: true })
  bankResultCode!: string | null;

  @Column({ type: 'varchar', length: 16, nullable: true })
  applyNo!: string | null;

  @Column({ type: 'varchar', length: 32, nullable: true })
  errorCode!: string | null;

  @Column({ type: 'varchar', length: 512, nullable: true })
  errorMessage!: string | null;

  /** the bank's error details (JSON), item by item when it refused the batch */
  @Column({ type: 'text', nullable: true })
  errorDetails!: string | null;

  @Column({ type: 'varchar', length: 16, nullable: true })
  submissionOutcome!: SubmissionOutcome | null;

  @Column({ type: 'integer', default: 0 })
  attempts!: number;

  @DateTimeColumn({ nullable: true })
  inFlightSince!: Date | null;

  @DateTimeColumn({ nullable: true })
  lastAttemptAt!: Date | null;

  @DateTimeColumn({ nullable: true })
  nextPollAt!: Date | null;

  @Column({ type: 'integer', default: 0 })
  pollCount!: number;

  /** when the bank's item details were last read in full (detailInfoResult true) */
  @DateTimeColumn({ nullable: true })
  itemsReadAt!: Date | null;

  @DateTimeColumn({ nullable: true })
  submittedAt!: Date | null;

  @DateTimeColumn({ nullable: true })
  completedAt!: Date | null;

  @DateTimeColumn({ nullable: true })
  cancelRequestedAt!: Date | null;

  @DateTimeColumn()
  createdAt!: Date;

  @DateTimeColumn()
  updatedAt!: Date;
}
