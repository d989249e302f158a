import { Table, TableIndex, type MigrationInterface, type QueryRunner } from 'typeorm';
import { createTable } from './charset';
import { bool, dateTime, id, str, text } from './columns';

export class Foundation1732300000000 implements MigrationInterface {
  name = 'Foundation1732300000000';

  async up(q: QueryRunner): Promise<void> {
    await createTable(
      q,
      new Table({
        name: 'api_keys',
        columns: [id(), str('name', 100), str('keyHash', 64), str('companyId', 64, true), dateTime('createdAt'), dateTime('revokedAt', true)],
        indices: [new TableIndex({ name: 'uq_api_keys_hash', columnNames: ['keyHash'], isUnique: true })],
      }),
    );
    await createTable(
      q,
      new Table({
        name: 'bank_app_registrations',
        columns: [
          id(),
          str('environment', 16),
          str('companyId', 64),
          str('clientId', 128),
          text('secretCiphertext'),
          str('secretIv', 32),
          str('secretTag', 32),
          str('secretKeyId', 32),
          str('authMethod', 8),
          str('scopes', 512),
          bool('pkce'),
          dateTime('createdAt'),
          dateTime('updatedAt'),
        ],
        indices: [new TableIndex({ name: 'uq_bank_app_registrations_company', columnNames: ['environment', 'companyId'], isUnique: true })],
      }),
    );
    await createTable(
      q,
      new Table({
        name: 'connect_sessions',
        columns: [
          id(),
          str('environment', 16),
          str('companyId', 64),
          str('returnUrl', 2048, true),
          str('stateHash', 64, true),
          str('browserHash', 64, true),
          text('pkceVerifier', true),
          dateTime('stateExpiresAt', true),
          dateTime('expiresAt'),
          dateTime('usedAt', true),
          str('outcome', 32, true),
          dateTime('createdAt'),
        ],
        indices: [
          new TableIndex({ name: 'uq_connect_sessions_state', columnNames: ['stateHash'], isUnique: true }),
          new TableIndex({ name: 'ix_connect_sessions_expires', columnNames: ['expiresAt'] }),
        ],
      }),
    );
    await createTable(
      q,
      new Table({
        name: 'bank_connections',
        columns: [
          id(),
          str('environment', 16),
          str('companyId', 64),
          str('status', 32),
          str('scopes', 512),
          text('accounts'),
          str('clientId', 128),
          dateTime('connectedAt', true),
          dateTime('disconnectedAt', true),
          str('statusReason', 64, true),
          str('refreshLeaseHolder', 64, true),
          dateTime('refreshLeaseUntil', true),
          dateTime('lastRefreshedAt', true),
          dateTime('createdAt'),
          dateTime('updatedAt'),
        ],
        indices: [new TableIndex({ name: 'uq_bank_connections_company', columnNames: ['environment', 'companyId'], isUnique: true })],
      }),
    );
    await createTable(
      q,
      new Table({
        name: 'bank_tokens',
        columns: [
          id(),
          str('environment', 16),
          str('companyId', 64),
          str('kind', 16),
          text('ciphertext'),
          str('iv', 32),
          str('tag', 32),
          str('keyId', 32),
          dateTime('expiresAt'),
          dateTime('createdAt'),
        ],
        indices: [
          new TableIndex({ name: 'uq_bank_tokens_owner_kind', columnNames: ['environment', 'companyId', 'kind'], isUnique: true }),
          new TableIndex({ name: 'ix_bank_tokens_expires', columnNames: ['expiresAt'] }),
        ],
      }),
    );
    await createTable(
      q,
      new Table({ name: 'job_leases', columns: [{ ...str('name', 64), isPrimary: true }, str('holder', 64, true), dateTime('until', true)] }),
    );
  }

  async down(q: QueryRunner): Promise<void> {
    for (const table of ['job_leases', 'bank_tokens', 'bank_connections', 'connect_sessions', 'bank_app_registrations', 'api_keys']) {
      await q.dropTable(table);
    }
  }
}
