import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createConnection } from 'mysql2/promise';
import type { Database } from '../../src/db/database';
import { openDatabase } from '../../src/schema';

export type TestDatabaseKind = 'sqlite' | 'mariadb';

/** Every database test runs on both: the embedded default and the production engine. */
export const DATABASES: TestDatabaseKind[] = ['sqlite', 'mariadb'];

export interface TestDatabase {
  kind: TestDatabaseKind;
  url: string;
  db: Database;
  close(): Promise<void>;
}

/** An empty database nobody has touched: a temp SQLite path, or a fresh schema in the run's MariaDB. */
/** `charset`: the MariaDB database's default character set (production servers may still default to latin1). */
export async function createEmptyDatabase(kind: TestDatabaseKind, charset = 'utf8mb4 COLLATE utf8mb4_unicode_ci'): Promise<{ url: string; drop(): Promise<void> }> {
  if (kind === 'sqlite') {
    const dir = mkdtempSync(join(tmpdir(), 'gbi-sqlite-'));
    return { url: `sqlite:${join(dir, 'test.sqlite')}`, drop: async () => rmSync(dir, { recursive: true, force: true }) };
  }
  const base = process.env.TEST_MARIADB_URL;
  if (!base) throw new Error('TEST_MARIADB_URL is not set: the jest globalSetup starts MariaDB');
  const name = `gbi_${randomBytes(6).toString('hex')}`;
  const admin = await createConnection(base);
  await admin.query(`CREATE DATABASE \`${name}\` CHARACTER SET ${charset}`);
  await admin.end();
  return {
    url: new URL(name, base).toString(),
    drop: async () => {
      const c = await createConnection(base);
      await c.query(`DROP DATABASE \`${name}\``);
      await c.end();
    },
  };
}

/** A brand-new, migrated database. */
export async function openTestDatabase(kind: TestDatabaseKind, charset?: string, connectThrough?: (url: string) => Promise<string>): Promise<TestDatabase> {
  const empty = await createEmptyDatabase(kind, charset);
  const url = connectThrough ? await connectThrough(empty.url) : empty.url;
  const db = await openDatabase(url, { migrate: true });
  return {
    kind,
    url,
    db,
    close: async () => {
      await db.dataSource.destroy();
      await empty.drop();
    },
  };
}
