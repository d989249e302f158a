import { TableColumn, type MigrationInterface, type QueryRunner } from 'typeorm';
import { str } from './columns';

/**
 * The first answer to a transfer is stored as what happened (`submissionOutcome`), not as an HTTP
 * status; the fee says whether it is the quote known at submission or what the bank charged.
 * A stored 202 cannot tell a deferred send from a lost answer: both replay as 202, so `outcome_unknown`.
 */
export class OutcomesAndFees1732600000000 implements MigrationInterface {
  name = 'OutcomesAndFees1732600000000';

  async up(q: QueryRunner): Promise<void> {
    await q.addColumn('transfers', new TableColumn(str('submissionOutcome', 16, true)));
    await q.addColumn('transfers', new TableColumn(str('feeStatus', 8, true)));
    await q.query(
      `UPDATE transfers SET submissionOutcome = CASE firstResponseStatus
         WHEN 201 THEN 'accepted' WHEN 202 THEN 'outcome_unknown' WHEN 422 THEN 'refused' ELSE NULL END`,
    );
    await q.query("UPDATE transfers SET feeStatus = 'final' WHERE fee IS NOT NULL");
    await q.dropColumn('transfers', 'firstResponseStatus');
  }

  async down(q: QueryRunner): Promise<void> {
    await q.addColumn('transfers', new TableColumn({ name: 'firstResponseStatus', type: 'integer', isNullable: false, default: 0 }));
    await q.query(
      `UPDATE transfers SET firstResponseStatus = CASE submissionOutcome
         WHEN 'accepted' THEN 201 WHEN 'refused' THEN 422 WHEN 'deferred' THEN 202 WHEN 'outcome_unknown' THEN 202 ELSE 0 END`,
    );
    await q.dropColumn('transfers', 'feeStatus');
    await q.dropColumn('transfers', 'submissionOutcome');
  }
}
