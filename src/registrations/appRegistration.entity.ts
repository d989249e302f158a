import { Column, Entity, Index } from 'typeorm';
import { DateTimeColumn } from '../db/columns';
import { CompanyRow } from '../db/companyRow';

/**
 * A company's own client registration, where the bank issued one per company. The vendor's registration
 * lives in configuration and is the default; the secret here is sealed like a token.
 */
@Entity('bank_app_registrations')
@Index('uq_bank_app_registrations_company', ['environment', 'companyId'], { unique: true })
export class BankAppRegistration extends CompanyRow {
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
