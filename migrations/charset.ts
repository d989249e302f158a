import type { QueryRunner, Table } from 'typeorm';

/**
 * Every table is utf8mb4 with a BINARY collation on MySQL/MariaDB, whatever the database's default:
 * company ids, idempotency keys, hashes and states are identities, and `utf8mb4_unicode_ci` would make
 * `acme1` equal `ACME1` (one tenant reading another's rows, a second purchase answered as a replay).
 * SQLite compares strings byte for byte already and needs nothing.
 */
export const MYSQL_CHARSET = 'utf8mb4';
export const MYSQL_COLLATION = 'utf8mb4_bin';

export function isMysql(q: QueryRunner): boolean {
  return q.connection.driver.options.type === 'mysql' || q.connection.driver.options.type === 'mariadb';
}

export async function convertToBinaryUtf8mb4(q: QueryRunner, table: string): Promise<void> {
  if (!isMysql(q)) return;
  await q.query(`ALTER TABLE \`${table}\` CONVERT TO CHARACTER SET ${MYSQL_CHARSET} COLLATE ${MYSQL_COLLATION}`);
}

/** createTable, then the explicit character set and collation above (the Table API cannot say them per table). */
export async function createTable(q: QueryRunner, table: Table): Promise<void> {
  await q.createTable(table);
  await convertToBinaryUtf8mb4(q, table.name);
}
