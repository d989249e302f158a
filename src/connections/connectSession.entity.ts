import { Column, Entity, Index } from 'typeorm';
import { DateTimeColumn } from '../db/columns';
import { CompanyRow } from '../db/companyRow';

/**
 * One browser consent attempt. The state and the browser binding are stored only as SHA-256 hashes;
 * the PKCE verifier (when used) is sealed like a token.
 */
@Entity('connect_sessions')
@Index('ix_connect_sessions_expires', ['expiresAt'])
export class ConnectSession extends CompanyRow {
  @Column({ type: 'varchar', length: 2048, nullable: true })
  returnUrl!: string | null;

  @Index('uq_connect_sessions_state', { unique: true })
  @Column({ type: 'varchar', length: 64, nullable: true })
  stateHash!: string | null;

  @Column({ type: 'varchar', length: 64, nullable: true })
  browserHash!: string | null;

  @Column({ type: 'text', nullable: true })
  pkceVerifier!: string | null;

  @DateTimeColumn({ nullable: true })
  stateExpiresAt!: Date | null;

  @DateTimeColumn()
  expiresAt!: Date;

  @DateTimeColumn({ nullable: true })
  usedAt!: Date | null;

  @Column({ type: 'varchar', length: 32, nullable: true })
  outcome!: string | null;

  @DateTimeColumn()
  createdAt!: Date;
}
