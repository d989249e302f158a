import { Table, TableIndex, type MigrationInterface, type QueryRunner } from 'typeorm';
import { createTable } from './charset';
import { bigInt, dateTime, id, int, str, text } from './columns';

/** The webhook outbox (events), their deliveries per endpoint, and the endpoints with sealed secrets. */
export class Webhooks1732800000000 implements MigrationInterface {
  name = 'Webhooks1732800000000';

  async up(q: QueryRunner): Promise<void> {
    await createTable(
      q,
      new Table({
        name: 'webhook_endpoints',
        columns: [
          id(),
          str('environment', 16),
          str('companyId', 64, true),
          str('url', 2048),
          text('eventTypes', true),
          str('status', 16),
          text('secret'),
          text('previousSecret', true),
          dateTime('previousSecretUntil', true),
          dateTime('createdAt'),
          dateTime('updatedAt'),
        ],
      }),
    );
    await createTable(
      q,
      new Table({
        name: 'webhook_events',
        columns: [id(), str('environment', 16), str('type', 48), str('companyId', 64, true), str('resourceId', 128), text('payload'), dateTime('createdAt')],
        indices: [new TableIndex({ name: 'ix_webhook_events_resource', columnNames: ['environment', 'resourceId', 'type'] })],
      }),
    );
    await createTable(
      q,
      new Table({
        name: 'webhook_deliveries',
        columns: [
          id(),
          str('environment', 16),
          str('eventId', 36),
          str('endpointId', 36),
          str('eventType', 48),
          str('resourceId', 128),
          bigInt('seq'),
          str('status', 16),
          { ...int('attempts'), default: 0 },
          text('attemptLog'),
          str('lastError', 256, true),
          dateTime('nextAttemptAt', true),
          str('leaseHolder', 64, true),
          dateTime('leaseUntil', true),
          dateTime('deliveredAt', true),
          dateTime('createdAt'),
          dateTime('updatedAt'),
        ],
        indices: [
          new TableIndex({ name: 'ix_webhook_deliveries_due', columnNames: ['status', 'nextAttemptAt'] }),
          new TableIndex({ name: 'ix_webhook_deliveries_order', columnNames: ['endpointId', 'resourceId', 'status'] }),
          new TableIndex({ name: 'uq_webhook_deliveries_event_endpoint', columnNames: ['eventId', 'endpointId'], isUnique: true }),
        ],
      }),
    );
  }

  async down(q: QueryRunner): Promise<void> {
    for (const table of ['webhook_deliveries', 'webhook_events', 'webhook_endpoints']) await q.dropTable(table);
  }
}
