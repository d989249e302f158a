import { TableColumn, type MigrationInterface, type QueryRunner } from 'typeorm';
import { dateTime, str } from './columns';

/**
 * The vault's refresh lease moves from two columns of bank_connections to job_leases, where the cron
 * jobs' leases already live (one lease implementation). Lease names now carry the environment and the
 * company (`refresh-token:<env>:<companyId>`), so the name column grows.
 */
export class RefreshLeases1732700000000 implements MigrationInterface {
  name = 'RefreshLeases1732700000000';

  async up(q: QueryRunner): Promise<void> {
    await q.changeColumn('job_leases', 'name', new TableColumn({ ...str('name', 128), isPrimary: true }));
    await q.dropColumn('bank_connections', 'refreshLeaseHolder');
    await q.dropColumn('bank_connections', 'refreshLeaseUntil');
  }

  async down(q: QueryRunner): Promise<void> {
    await q.addColumn('bank_connections', new TableColumn(str('refreshLeaseHolder', 64, true)));
    await q.addColumn('bank_connections', new TableColumn(dateTime('refreshLeaseUntil', true)));
    await q.query("DELETE FROM job_leases WHERE name LIKE 'refresh-token:%'");
    await q.changeColumn('job_leases', 'name', new TableColumn({ ...str('name', 64), isPrimary: true }));
  }
}
