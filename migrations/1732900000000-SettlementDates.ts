import { TableColumn, type MigrationInterface, type QueryRunner } from 'typeorm';
import { str } from './columns';

/**
 * Business days and the cut-off: a transfer keeps the transferDateHolidayCode it was first sent with (so a
 * resend by the poller sends the same), the business day it is expected to settle on and why that is not its
 * designated date. Every row from before was sent code 1; when it settles was not recorded (null).
 */
export class SettlementDates1732900000000 implements MigrationInterface {
  name = 'SettlementDates1732900000000';

  async up(q: QueryRunner): Promise<void> {
    // one call: SQLite rebuilds the table once for all three
    await q.addColumns('transfers', [
      new TableColumn({ ...str('holidayCode', 1), default: "'1'" }),
      new TableColumn(str('settlementDate', 10, true)),
      new TableColumn(str('settlementNote', 255, true)),
    ]);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropColumns('transfers', ['settlementNote', 'settlementDate', 'holidayCode']);
  }
}
