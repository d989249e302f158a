import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import { DateTimeColumn } from '../db/columns';

export type DeliveryStatus = 'pending' | 'delivered' | 'failed';

/** One event to one endpoint, tried until a 2xx or for 24 h. */
@Entity('webhook_deliveries')
@Index('ix_webhook_deliveries_due', ['status', 'nextAttemptAt'])
@Index('ix_webhook_deliveries_order', ['endpointId', 'resourceId', 'status'])
@Index('uq_webhook_deliveries_event_endpoint', ['eventId', 'endpointId'], { unique: true })
export class WebhookDelivery {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id!: string;

  @Column({ type: 'varchar', length: 16 })
  environment!: string;

  @Column({ type: 'varchar', length: 36 })
  eventId!: string;

  /** a webhook_endpoints id, or `default` for WEBHOOK_URL */
  @Column({ type: 'varchar', length: 36 })
  endpointId!: string;

  @Column({ type: 'varchar', length: 48 })
  eventType!: string;

  @Column({ type: 'varchar', length: 128 })
  resourceId!: string;

  /** order of recording (time in ms × 1000 + a counter): deliveries of one resource go out in this order */
  @Column({ type: 'bigint', transformer: { to: (v: number) => v, from: (v: string | number) => Number(v) } })
  seq!: number;

  @Column({ type: 'varchar', length: 16 })
  status!: DeliveryStatus;

  @Column({ type: 'integer', default: 0 })
  attempts!: number;

  /** the last attempts (JSON: at, status code or error, ms), newest last */
  @Column({ type: 'text' })
  attemptLog!: string;

  @Column({ type: 'varchar', length: 256, nullable: true })
  lastError!: string | null;

  @DateTimeColumn({ nullable: true })
  nextAttemptAt!: Date | null;

  /** the instance sending it now, and until when (so two instances never send the same attempt) */
  @Column({ type: 'varchar', length: 64, nullable: true })
  leaseHolder!: string | null;

  @DateTimeColumn({ nullable: true })
  leaseUntil!: Date | null;

  @DateTimeColumn({ nullable: true })
  deliveredAt!: Date | null;

  @DateTimeColumn()
  createdAt!: Date;

  @DateTimeColumn()
  updatedAt!: Date;
}
