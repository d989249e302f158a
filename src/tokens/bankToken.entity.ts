import { Column, Entity, Index } from 'typeorm';
import { DateTimeColumn } from '../db/columns';
import { CompanyRow } from '../db/companyRow';

export type TokenKind = 'access' | 'refresh';

/** One row per token so each can expire, and be physically deleted, on its own schedule. */
@Entity('bank_tokens')
@Index('uq_bank_tokens_owner_kind', ['environment', 'companyId', 'kind'], { unique: true })
@Index('ix_bank_tokens_expires', ['expiresAt'])
export class BankToken extends CompanyRow {
  @Column({ type: 'varchar', length: 16 })
  kind!: TokenKind;

  @Column({ type: 'text' })
  ciphertext!: string;

  @Column({ type: 'varchar', length: 32 })
  iv!: string;

  @Column({ type: 'varchar', length: 32 })
  tag!: string;

  @Column({ type: 'varchar', length: 32 })
  keyId!: string;

  @DateTimeColumn()
  expiresAt!: Date;

  @DateTimeColumn()
  createdAt!: Date;
}
