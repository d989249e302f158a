import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import { CompanyIdLength, DateTimeColumn } from '../db/columns';

/**
 * A company's own client registration, where the bank issued one per company. The vendor's registration
 * lives in configuration and is the default; the secret here is sealed like a token.
 */
@Entity('bank_app_registrations')
@Index('uq_bank_app_registrations_company', ['environment', 'companyId'], { unique: true })
export class BankAppRegistration {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id!: string;

  @Column({ type: 'varchar', length: 16 })
  environment!: string;

  @Column({ type: 'varchar', length: CompanyIdLength })
  companyId!: string;

  @Column({ type: 'varchar', length: 128 })
  clientId!: string;

  @Column({ type: 'text' })
  secretCiphertext!: string;

  @Column({ type: 'varchar', length: 32 })
  secretIv!: string;

  @Column({ type: 'varchar', length: 32 })
  secretTag!: string;

  @Column({ type: 'varchar', length: 32 })
  secretKeyId!: string;

  @Column({ type: 'varchar', length: 8 })
  authMethod!: 'post' | 'basic';

  @Column({ type: 'varchar', length: 512 })
  scopes!: string;

  @Column({ type: 'boolean', default: false })
  pkce!: boolean;

  @DateTimeColumn()
  createdAt!: Date;

  @DateTimeColumn()
  updatedAt!: Date;
}
