import { Column, Entity, PrimaryColumn } from 'typeorm';
import { DateTimeColumn } from '../db/columns';

/** A portable lease: one instance runs a cron job, or refreshes one company's tokens, at a time. */
@Entity('job_leases')
export class JobLease {
  @PrimaryColumn({ type: 'varchar', length: 128 })
  name!: string;

  @Column({ type: 'varchar', length: 64, nullable: true })
  holder!: string | null;

  @DateTimeColumn({ nullable: true })
  until!: Date | null;
}
