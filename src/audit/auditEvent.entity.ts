import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';
import { CompanyIdLength, DateTimeColumn } from '../db/columns';

/**
 * One state-changing call: who, what, when, from where, and how it ended. Written only by AuditLog
 * (src/audit/auditLog.ts), never updated or deleted by the service. Never a secret: no API key, client
 * secret, token, code, state or full account number (test/db/audit.test.ts dumps the table to check).
 */
@Entity('audit_events')
@Index('ix_audit_events_company', ['companyId', 'id'])
@Index('ix_audit_events_action', ['action', 'id'])
@Index('ix_audit_events_occurred', ['occurredAt'])
export class AuditEvent {
  /** increasing: the order events were written in, and the cursor of the list */
  @PrimaryGeneratedColumn({ type: 'integer' })
  id!: number;

  @Column({ type: 'varchar', length: 16 })
  environment!: string;

  @DateTimeColumn()
  occurredAt!: Date;

  /** `api_key` | `operator` | `browser` | `system` */
  @Column({ type: 'varchar', length: 16 })
  actorType!: string;

  /** the API key's id, the operator's name or the job runner; null for the browser */
  @Column({ type: 'varchar', length: 100, nullable: true })
  actorId!: string | null;

  /** the API key's name */
  @Column({ type: 'varchar', length: 100, nullable: true })
  actorName!: string | null;

  @Column({ type: 'varchar', length: 64 })
  action!: string;

  @Column({ type: 'varchar', length: CompanyIdLength, nullable: true })
  companyId!: string | null;

  /** the transfer, connect session, API key, registration, webhook endpoint… the call was about */
  @Column({ type: 'varchar', length: 128, nullable: true })
  resourceId!: string | null;

  /** `succeeded` | `failed` */
  @Column({ type: 'varchar', length: 16 })
  outcome!: string;

  /** a short code: an error name, a failure such as `state_expired`, a submission outcome */
  @Column({ type: 'varchar', length: 255, nullable: true })
  reason!: string | null;

  @Column({ type: 'varchar', length: 64, nullable: true })
  clientIp!: string | null;

  @Column({ type: 'varchar', length: 64, nullable: true })
  requestId!: string | null;

  /** JSON: counts and names (never a secret: redacted like a log line) */
  @Column({ type: 'text', nullable: true })
  details!: string | null;
}
