import { Column, PrimaryColumn } from 'typeorm';
import { CompanyIdLength } from './columns';

/** Every company-owned row carries its bank environment: rows of one environment are never used in another. */
export abstract class CompanyRow {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id!: string;

  @Column({ type: 'varchar', length: 16 })
  environment!: string;

  @Column({ type: 'varchar', length: CompanyIdLength })
  companyId!: string;
}
