import { Column, Entity, Index } from 'typeorm';
import type { HolidayCode } from '../bank/transfersApi';
import { DateTimeColumn } from '../db/columns';
import { CompanyRow } from '../db/companyRow';
import { yen } from '../db/yen';
import type { FeeStatus, SubmissionOutcome, TransferStatus } from './lifecycle';

/**
 * One payout. The row commits BEFORE the bank is called; its id is the Idempotency-Key sent to GMO and
 * (idempotencyKey, requestHash) are the caller's, unique per company.
 */
@Entity('transfers')
@Index('uq_transfers_idempotency', ['environment', 'companyId', 'idempotencyKey'], { unique: true })
@Index('ix_transfers_company_created', ['companyId', 'createdAt'])
@Index('ix_transfers_company_status_created', ['companyId', 'status', 'createdAt'])
@Index('ix_transfers_poll', ['nextPollAt'])
// one bank transfer belongs to one row: the reconciler can never attach it to a second one
@Index('uq_transfers_apply_no', ['environment', 'accountId', 'applyNo'], { unique: true })
export class Transfer extends CompanyRow {
  @Column({ type: 'varchar', length: 128 })
  idempotencyKey!: string;

  @Column({ type: 'varchar', length: 64 })
  requestHash!: string;

  @Column({ type: 'varchar', length: 29 })
  accountId!: string;

  @Column({ type: 'bigint', transformer: yen })
  amount!: number;

  @Column({ type: 'bigint', nullable: true, transformer: yen })
  fee!: number | null;

  /** `quoted` from /transfer/transferfee at submission, `final` once the bank's status shows the fee charged */
  @Column({ type: 'varchar', length: 8, nullable: true })
  feeStatus!: FeeStatus | null;

  @Column({ type: 'varchar', length: 4 })
  beneficiaryBankCode!: string;

  @Column({ type: 'varchar', length: 64 })
  beneficiaryBankName!: string;

  @Column({ type: 'varchar', length: 3 })
  beneficiaryBranchCode!: string;

  @Column({ type: 'varchar', length: 64 })
  beneficiaryBranchName!: string;

  /** GMO's 1-digit 預金種別: 1 普通, 2 当座, 4 貯蓄, 9 その他 */
  @Column({ type: 'varchar', length: 1 })
  accountTypeCode!: string;

  @Column({ type: 'varchar', length: 7 })
  beneficiaryAccountNumber!: string;

  /** as sent to the bank: half-width 振込許容文字 */
  @Column({ type: 'varchar', length: 48 })
  beneficiaryName!: string;

  /** the 振込指定日 sent to the bank */
  @Column({ type: 'varchar', length: 10 })
  designatedDate!: string;

  /** GMO's transferDateHolidayCode sent with it, and with every resend (rows from before it was kept were sent 1) */
  @Column({ type: 'varchar', length: 1, default: '1' })
  holidayCode!: HolidayCode;

  /** the business day the money is expected to arrive: planned at creation, corrected by what the bank's status shows */
  @Column({ type: 'varchar', length: 10, nullable: true })
  settlementDate!: string | null;

  /** why settlementDate is not designatedDate (a holiday rule, the cut-off, the bank); null when they agree */
  @Column({ type: 'varchar', length: 255, nullable: true })
  settlementNote!: string | null;

  @Column({ type: 'varchar', length: 20 })
  ediInfo!: string;

  @Column({ type: 'varchar', length: 64, nullable: true })
  reference!: string | null;

  /** the API key that asked for it, for the audit trail */
  @Column({ type: 'varchar', length: 36, nullable: true })
  createdByKeyId!: string | null;

  @Column({ type: 'varchar', length: 16 })
  status!: TransferStatus;

  /** the bank's raw transferStatus code, kept as the bank's truth */
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

  @Column({ type: 'text', nullable: true })
  errorDetails!: string | null;

  /** what the first submission came to, replayed with the same key; null until the bank answered once */
  @Column({ type: 'varchar', length: 16, nullable: true })
  submissionOutcome!: SubmissionOutcome | null;

  @Column({ type: 'integer', default: 0 })
  attempts!: number;

  /** set while a /transfer/request may be on the wire; a stale value means a crash: reconcile first */
  @DateTimeColumn({ nullable: true })
  inFlightSince!: Date | null;

  /** when /transfer/request was last put on the wire */
  @DateTimeColumn({ nullable: true })
  lastAttemptAt!: Date | null;

  @DateTimeColumn({ nullable: true })
  nextPollAt!: Date | null;

  @Column({ type: 'integer', default: 0 })
  pollCount!: number;

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
