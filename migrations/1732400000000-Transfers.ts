import { Table, TableIndex, type MigrationInterface, type QueryRunner } from 'typeorm';
import { createTable } from './charset';
import { bigInt, dateTime, id, int, str, text } from './columns';

export class Transfers1732400000000 implements MigrationInterface {
  name = 'Transfers1732400000000';

  async up(q: QueryRunner): Promise<void> {
    await createTable(
      q,
      new Table({
        name: 'transfers',
        columns: [
          id(),
          str('environment', 16),
          str('companyId', 64),
          str('idempotencyKey', 128),
          str('requestHash', 64),
          str('accountId', 29),
          bigInt('amount'),
          bigInt('fee', true),
          str('beneficiaryBankCode', 4),
          str('beneficiaryBankName', 64),
          str('beneficiaryBranchCode', 3),
          str('beneficiaryBranchName', 64),
          str('accountTypeCode', 1),
          str('beneficiaryAccountNumber', 7),
          str('beneficiaryName', 48),
          str('designatedDate', 10),
          str('ediInfo', 20),
          str('reference', 64, true),
          str('createdByKeyId', 36, true),
          str('status', 16),
          str('bankStatus', 4, true),
          str('bankResultCode', 2, true),
          str('applyNo', 16, true),
          str('errorCode', 32, true),
          str('errorMessage', 512, true),
          text('errorDetails', true),
          int('firstResponseStatus'),
          { ...int('attempts'), default: 0 },
          dateTime('inFlightSince', true),
          dateTime('lastAttemptAt', true),
          dateTime('nextPollAt', true),
          { ...int('pollCount'), default: 0 },
          dateTime('submittedAt', true),
          dateTime('completedAt', true),
          dateTime('cancelRequestedAt', true),
          dateTime('createdAt'),
          dateTime('updatedAt'),
        ],
        indices: [
          new TableIndex({ name: 'uq_transfers_idempotency', columnNames: ['environment', 'companyId', 'idempotencyKey'], isUnique: true }),
          new TableIndex({ name: 'ix_transfers_company_created', columnNames: ['companyId', 'createdAt'] }),
          new TableIndex({ name: 'ix_transfers_poll', columnNames: ['nextPollAt'] }),
        ],
      }),
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropTable('transfers');
  }
}
