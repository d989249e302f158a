import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import { DateTimeColumn } from '../db/columns';

/** A running process of the service (a server, or a CLI run that calls the bank), by its heartbeat. */
@Entity('service_instances')
@Index('ix_service_instances_seen', ['environment', 'lastSeenAt'])
export class ServiceInstance {
  /** the process's instance id, the same that holds its job leases */
  @PrimaryColumn({ type: 'varchar', length: 64 })
  id!: string;

  @Column({ type: 'varchar', length: 16 })
  environment!: string;

  @DateTimeColumn()
  startedAt!: Date;

  @DateTimeColumn()
  lastSeenAt!: Date;
}
