import { migrations } from '../migrations';
import { ApiKey } from './apiKeys/apiKey.entity';
import { AuditEvent } from './audit/auditEvent.entity';
import { BulkTransfer } from './bulkTransfers/bulkTransfer.entity';
import { BulkTransferItem } from './bulkTransfers/bulkTransferItem.entity';
import { BankConnection } from './connections/bankConnection.entity';
import { ConnectSession } from './connections/connectSession.entity';
import { createDataSource } from './db/dataSource';
import { Database } from './db/database';
import { JobLease } from './jobs/jobLease.entity';
import { ServiceInstance } from './instances/serviceInstance.entity';
import { BankAppRegistration } from './registrations/appRegistration.entity';
import { BankToken } from './tokens/bankToken.entity';
import { Transfer } from './transfers/transfer.entity';
import { WebhookDelivery } from './webhooks/webhookDelivery.entity';
import { WebhookEndpoint } from './webhooks/webhookEndpoint.entity';
import { WebhookEvent } from './webhooks/webhookEvent.entity';

/** Every table of the service, each owned by one feature; db/ itself knows none of them. */
export const schema = {
  entities: [ApiKey, BankAppRegistration, BankConnection, ConnectSession, BankToken, JobLease, Transfer, BulkTransfer, BulkTransferItem, WebhookEndpoint, WebhookEvent, WebhookDelivery, AuditEvent, ServiceInstance],
  migrations,
};

/** Connects and, unless told not to, applies pending migrations. */
export async function openDatabase(url: string, options: { migrate: boolean }): Promise<Database> {
  const dataSource = createDataSource(url, schema);
  await dataSource.initialize();
  if (options.migrate) await dataSource.runMigrations({ transaction: 'each' });
  return new Database(dataSource);
}
