import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import { CompanyIdLength, DateTimeColumn } from '../db/columns';

/** The outbox: written in the transaction of the state change that causes it. */
@Entity('webhook_events')
@Index('ix_webhook_events_resource', ['environment', 'resourceId', 'type'])
export class WebhookEvent {
  /** also the `webhook-id` header: receivers dedupe on it */
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id!: string;

  @Column({ type: 'varchar', length: 16 })
  environment!: string;

  @Column({ type: 'varchar', length: 48 })
  type!: string;

  @Column({ type: 'varchar', length: CompanyIdLength, nullable: true })
  companyId!: string | null;

  @Column({ type: 'varchar', length: 128 })
  resourceId!: string;

  /** the envelope as sent (JSON) */
  @Column({ type: 'text' })
  payload!: string;

  @DateTimeColumn()
  createdAt!: Date;
}
