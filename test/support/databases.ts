import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createConnection } from 'mysql2/promise';
import type { Database } from '../../src/db/database';
import { openDatabase } from '../../src/db/open';

export type TestDatabaseKind = 'sqlite' | 'mariadb';

/** Every database test runs on both: the embedded default and the production engine. */
export const DATABASES: TestDatabaseKind[] = ['sqlite', 'mariadb'];

export interface TestDatabase {
  kind: TestDatabaseKind;
  url: string;
  db: Database;
  close(): Promise<void>;
}

/** A brand-new, migrated database: a temp SQLite file, or a fresh schema in the run's MariaDB. */
export async function openTestDatabase(kind: TestDatabaseKind): Promise<TestDatabase> {
  if (kind === 'sqlite') {
    const dir = mkdtempSync(join(tmpdir(), 'gbi-sqlite-'));
    const url = `sqlite:${join(dir, 'test.sqlite')}`;
    const db = await openDatabase(url, { migrate: true });
    return {
      kind,
      url,
      db,
      close: async () => {
        await db.dataSource.destroy();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  }
  const base = process.env.TEST_MARIADB_URL;
  if (!base) throw new Error('TEST_MARIADB_URL is not set: the jest globalSetup starts MariaDB');
  const name = `gbi_${randomBytes(6).toString('hex')}`;
  const admin = await createConnection(base);
  await admin.query(`CREATE DATABASE \`${name}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`);
  await admin.end();
  const url = new URL(name, base).toString();
  const db = await openDatabase(url, { migrate: true });
  return {
    kind,
    url,
    db,
    close: async () => {
      await db.dataSource.destroy();
      const c = await createConnection(base);
      await c.query(`DROP DATABASE \`${name}\``);
      await c.end();
    },
  };
}
