import { Column, Entity, PrimaryColumn } from 'typeorm';
import { CompanyIdLength, DateTimeColumn } from '../db/columns';

type EndpointStatus = 'active' | 'disabled';

/** A receiver of events (ReCORE's, or one per company). Its secret is sealed like a token. */
@Entity('webhook_endpoints')
export class WebhookEndpoint {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id!: string;

  @Column({ type: 'varchar', length: 16 })
  environment!: string;

  /** null: events of every company */
  @Column({ type: 'varchar', length: CompanyIdLength, nullable: true })
  companyId!: string | null;

  @Column({ type: 'varchar', length: 2048 })
  url!: string;

  /** JSON array of event types; null: every type */
  @Column({ type: 'text', nullable: true })
  eventTypes!: string | null;

  @Column({ type: 'varchar', length: 16 })
  status!: EndpointStatus;

  /** the sealed signing secret (JSON of the cipher's Sealed) */
  @Column({ type: 'text' })
  secret!: string;

  /** the secret before the last rotation, still signed with until previousSecretUntil */
  @Column({ type: 'text', nullable: true })
  previousSecret!: string | null;

  @DateTimeColumn({ nullable: true })
  previousSecretUntil!: Date | null;

  @DateTimeColumn()
  createdAt!: Date;

  @DateTimeColumn()
  updatedAt!: Date;
}
