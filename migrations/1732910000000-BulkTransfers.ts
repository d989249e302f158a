import { Table, TableIndex, type MigrationInterface, type QueryRunner } from 'typeorm';
import { createTable } from './charset';
import { bigInt, dateTime, id, int, str, text } from './columns';

/** Issue 10: 総合振込, a batch of up to 9,999 payouts in one bank request, and its items. */
export class BulkTransfers1732910000000 implements MigrationInterface {
  name = 'BulkTransfers1732910000000';

  async up(q: QueryRunner): Promise<void> {
    await createTable(
      q,
      new Table({
        name: 'bulk_transfers',
        columns: [
          id(),
          str('environment', 16),
          str('companyId', 64),
          str('idempotencyKey', 128),
          str('requestHash', 64),
          str('accountId', 29),
          str('transferDataName', 10),
          str('remitterName', 48, true),
          str('designatedDate', 10),
          str('holidayCode', 1),
          str('settlementDate', 10),
          str('settlementNote', 255, true),
          int('totalCount'),
          bigInt('totalAmount'),
          bigInt('fee', true),
          str('feeStatus', 8, true),
          str('reference', 64, true),
          str('createdByKeyId', 36, true),
          str('status', 32),
          str('bankStatus', 4, true),
          str('bankResultCode', 2, true),
          str('applyNo', 16, true),
          str('errorCode', 32, true),
          str('errorMessage', 512, true),
          text('errorDetails', true),
          str('submissionOutcome', 16, true),
          { ...int('attempts'), default: 0 },
          dateTime('inFlightSince', true),
          dateTime('lastAttemptAt', true),
          dateTime('nextPollAt', true),
          { ...int('pollCount'), default: 0 },
          dateTime('itemsReadAt', true),
          dateTime('submittedAt', true),
          dateTime('completedAt', true),
          dateTime('cancelRequestedAt', true),
          dateTime('createdAt'),
          dateTime('updatedAt'),
        ],
        indices: [
          new TableIndex({ name: 'uq_bulk_transfers_idempotency', columnNames: ['environment', 'companyId', 'idempotencyKey'], isUnique: true }),
          new TableIndex({ name: 'ix_bulk_transfers_company_created', columnNames: ['companyId', 'createdAt'] }),
          new TableIndex({ name: 'ix_bulk_transfers_poll', columnNames: ['nextPollAt'] }),
          new TableIndex({ name: 'uq_bulk_transfers_apply_no', columnNames: ['environment', 'accountId', 'applyNo'], isUnique: true }),
        ],
      }),
    );
    await createTable(
      q,
      new Table({
        name: 'bulk_transfer_items',
        columns: [
          { ...str('bulkTransferId', 36), isPrimary: true },
          { ...int('itemNo'), isPrimary: true },
          bigInt('amount'),
          str('beneficiaryBankCode', 4),
          str('beneficiaryBankName', 64),
          str('beneficiaryBranchCode', 3),
          str('beneficiaryBranchName', 64),
          str('accountTypeCode', 1),
          str('beneficiaryAccountNumber', 7),
          str('beneficiaryName', 48),
          str('ediInfo', 20, true),
          str('reference', 64, true),
          str('status', 16),
          str('bankDetailStatus', 8, true),
          str('errorCode', 32, true),
          str('errorMessage', 255, true),
          str('returnedOn', 10, true),
          dateTime('updatedAt'),
        ],
        indices: [new TableIndex({ name: 'ix_bulk_transfer_items_status', columnNames: ['bulkTransferId', 'status', 'itemNo'] })],
      }),
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropTable('bulk_transfer_items');
    await q.dropTable('bulk_transfers');
  }
}
