import { TableIndex, type MigrationInterface, type QueryRunner } from 'typeorm';
import { convertToBinaryUtf8mb4 } from './charset';

const TABLES = ['api_keys', 'bank_app_registrations', 'connect_sessions', 'bank_connections', 'bank_tokens', 'job_leases', 'transfers'];

/**
 * 1. Tables created before this migration took the database's default character set and collation
 *    (latin1, or a case-insensitive utf8mb4): convert them to utf8mb4 + binary collation.
 * 2. One bank transfer (applyNo of an account) can belong to one row only. Rows that an earlier
 *    reconciliation attached to the same applyNo go back to `unknown`, flagged, so the reconciler
 *    decides again under the exact rules instead of the index refusing the migration.
 */
export class ExactIdentities1732500000000 implements MigrationInterface {
  name = 'ExactIdentities1732500000000';

  async up(q: QueryRunner): Promise<void> {
    for (const table of TABLES) await convertToBinaryUtf8mb4(q, table);

    const shared: Array<{ environment: string; accountId: string; applyNo: string }> = await q.query(
      'SELECT environment, accountId, applyNo FROM transfers WHERE applyNo IS NOT NULL GROUP BY environment, accountId, applyNo HAVING COUNT(*) > 1',
    );
    for (const s of shared) {
      await q.query(
        `UPDATE transfers SET status = 'unknown', applyNo = NULL, bankStatus = NULL, errorCode = 'RECONCILE_AMBIGUOUS',
           errorMessage = 'attached to the same bank transfer as another row; to be reconciled again', nextPollAt = createdAt
         WHERE environment = ? AND accountId = ? AND applyNo = ?`,
        [s.environment, s.accountId, s.applyNo],
      );
    }
    await q.createIndex('transfers', new TableIndex({ name: 'uq_transfers_apply_no', columnNames: ['environment', 'accountId', 'applyNo'], isUnique: true }));
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropIndex('transfers', 'uq_transfers_apply_no');
  }
}
