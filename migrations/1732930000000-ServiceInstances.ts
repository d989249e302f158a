import { Table, TableIndex, type MigrationInterface, type QueryRunner } from 'typeorm';
import { createTable } from './charset';
import { dateTime, str } from './columns';

/** Issue 11: the instances' heartbeats, so that they share the bank's rate limit of the client id. */
export class ServiceInstances1732930000000 implements MigrationInterface {
  name = 'ServiceInstances1732930000000';

  async up(q: QueryRunner): Promise<void> {
    await createTable(
      q,
      new Table({
        name: 'service_instances',
        columns: [{ ...str('id', 64), isPrimary: true }, str('environment', 16), dateTime('startedAt'), dateTime('lastSeenAt')],
        indices: [new TableIndex({ name: 'ix_service_instances_seen', columnNames: ['environment', 'lastSeenAt'] })],
      }),
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropTable('service_instances');
  }
}
