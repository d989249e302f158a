import { Column, Entity, Index } from 'typeorm';
import { DateTimeColumn } from '../db/columns';
import { CompanyRow } from '../db/companyRow';

export type ConnectionStatus = 'connected' | 'reauthorization_required' | 'disconnected';

@Entity('bank_connections')
@Index('uq_bank_connections_company', ['environment', 'companyId'], { unique: true })
export class BankConnection extends CompanyRow {
  @Column({ type: 'varchar', length: 32 })
  status!: ConnectionStatus;

  /** space-separated, as granted by the bank */
  @Column({ type: 'varchar', length: 512 })
  scopes!: string;

  /** the bank's account list (GMO's AccountInfo objects, JSON) at connect time, refreshed by GET /accounts */
  @Column({ type: 'text' })
  accounts!: string;

  /** which client registration obtained the tokens: refreshes must use the same one */
  @Column({ type: 'varchar', length: 128 })
  clientId!: string;

  @DateTimeColumn({ nullable: true })
  connectedAt!: Date | null;

  @DateTimeColumn({ nullable: true })
  disconnectedAt!: Date | null;

  @Column({ type: 'varchar', length: 64, nullable: true })
  statusReason!: string | null;

  @DateTimeColumn({ nullable: true })
  lastRefreshedAt!: Date | null;

  @DateTimeColumn()
  createdAt!: Date;

  @DateTimeColumn()
  updatedAt!: Date;
}
