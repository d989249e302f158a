import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import { CompanyIdLength, DateTimeColumn } from '../db/columns';

/** Only the SHA-256 of a key is kept: a database leak does not hand out working keys. */
@Entity('api_keys')
export class ApiKey {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id!: string;

  @Column({ type: 'varchar', length: 100 })
  name!: string;

  @Index('uq_api_keys_hash', { unique: true })
  @Column({ type: 'varchar', length: 64 })
  keyHash!: string;

  /** null: the key covers every company */
  @Column({ type: 'varchar', length: CompanyIdLength, nullable: true })
  companyId!: string | null;

  /** space-separated scopes (src/apiKeys/scopes.ts), canonical order */
  @Column({ type: 'varchar', length: 255, default: '' })
  scopes!: string;

  @DateTimeColumn()
  createdAt!: Date;

  /** null: never expires; from then on the key is refused like a revoked one */
  @DateTimeColumn({ nullable: true })
  expiresAt!: Date | null;

  @DateTimeColumn({ nullable: true })
  revokedAt!: Date | null;

  /** the key that a rotation replaced this one with (this one then expires after the grace period) */
  @Column({ type: 'varchar', length: 36, nullable: true })
  replacedById!: string | null;
}
