import { Table, TableColumn, TableIndex, type MigrationInterface, type QueryRunner } from 'typeorm';
import { createTable } from './charset';
import { dateTime, str, text } from './columns';

/**
 * Issue 9: API keys get scopes, an optional expiry and rotation; the audit trail gets its table.
 *
 * Existing keys keep exactly what they could do before scopes existed:
 * - a key of one company: every scope but `admin` (it could use every /v1 route of its company, and the
 *   admin routes are new);
 * - a key of every company: every scope including `admin`. Such a key is the operator's own key (only the
 *   CLI could create one) and could already act on every company; without `admin` nobody could use the new
 *   admin routes until an operator made a new key. Revoke it and create a narrower one if that is too much.
 */
export class AuditEvents1732820000000 implements MigrationInterface {
  name = 'AuditEvents1732820000000';

  async up(q: QueryRunner): Promise<void> {
    await q.addColumn('api_keys', new TableColumn({ ...str('scopes', 255), default: "''" }));
    await q.addColumn('api_keys', new TableColumn(dateTime('expiresAt', true)));
    await q.addColumn('api_keys', new TableColumn(str('replacedById', 36, true)));
    await q.query(
      "UPDATE api_keys SET scopes = 'transfers:write transfers:read accounts:read connections:write connections:read' WHERE companyId IS NOT NULL",
    );
    await q.query("UPDATE api_keys SET scopes = 'transfers:write transfers:read accounts:read connections:write connections:read admin' WHERE companyId IS NULL");

    await createTable(
      q,
      new Table({
        name: 'audit_events',
        columns: [
          { name: 'id', type: 'integer', isPrimary: true, isGenerated: true, generationStrategy: 'increment' },
          str('environment', 16),
          dateTime('occurredAt'),
          str('actorType', 16),
          str('actorId', 100, true),
          str('actorName', 100, true),
          str('action', 64),
          str('companyId', 64, true),
          str('resourceId', 128, true),
          str('outcome', 16),
          str('reason', 255, true),
          str('clientIp', 64, true),
          str('requestId', 64, true),
          text('details', true),
        ],
        indices: [
          new TableIndex({ name: 'ix_audit_events_company', columnNames: ['companyId', 'id'] }),
          new TableIndex({ name: 'ix_audit_events_action', columnNames: ['action', 'id'] }),
          new TableIndex({ name: 'ix_audit_events_occurred', columnNames: ['occurredAt'] }),
        ],
      }),
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropTable('audit_events');
    await q.dropColumn('api_keys', 'replacedById');
    await q.dropColumn('api_keys', 'expiresAt');
    await q.dropColumn('api_keys', 'scopes');
  }
}
