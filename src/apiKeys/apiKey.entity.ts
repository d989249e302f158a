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

  @DateTimeColumn()
  createdAt!: Date;

  @DateTimeColumn({ nullable: true })
  revokedAt!: Date | null;
}
