import 'reflect-metadata';
import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { DataSource, type DataSourceOptions } from 'typeorm';
import { StatementCounter } from './statementCounter';

export type DatabaseKind = 'sqlite' | 'mysql';

export function databaseKind(url: string): DatabaseKind {
  return url.startsWith('sqlite:') ? 'sqlite' : 'mysql';
}

/** What the service keeps in the database: its entities and the migrations that make their tables. */
interface Schema {
  entities: NonNullable<DataSourceOptions['entities']>;
  migrations: NonNullable<DataSourceOptions['migrations']>;
}

/** DATABASE_URL → TypeORM options; `sqlite:<path>` (`sqlite::memory:` too) or `mysql://user:pass@host:port/db`. */
function dataSourceOptions(url: string, schema: Schema): DataSourceOptions {
  const common = { entities: schema.entities, migrations: schema.migrations, migrationsTableName: 'migrations', synchronize: false, logging: false, logger: new StatementCounter() } as const;
  if (databaseKind(url) === 'sqlite') {
    const path = url.slice('sqlite:'.length);
    const database = path === ':memory:' ? path : resolve(path);
    if (database !== ':memory:') mkdirSync(dirname(database), { recursive: true });
    return {
      ...common,
      type: 'better-sqlite3',
      database,
      enableWAL: database !== ':memory:',
      timeout: 5000,
      // the checklist's physical deletion (Sec-37): a deleted token's bytes are overwritten, not left in free pages
      prepareDatabase: (db: { pragma(sql: string): unknown }) => {
        db.pragma('secure_delete = ON');
      },
    };
  }
  const u = new URL(url.replace(/^mariadb:/, 'mysql:'));
  return {
    ...common,
    type: 'mysql',
    host: u.hostname,
    port: u.port ? Number(u.port) : 3306,
    username: decodeURIComponent(u.username),
    password: decodeURIComponent(u.password),
    database: decodeURIComponent(u.pathname.slice(1)),
    // utf8mb4 on the wire; binary collation so literals compare as exactly as the (binary) columns
    charset: 'utf8mb4_bin',
    // Dates are UTC on the wire and in the tables, whatever the server's or the host's zone.
    timezone: 'Z',
    extra: { connectionLimit: 10 },
    // mysql2 otherwise captures a stack trace for every statement (5% of a payout's CPU under load) only to
    // decorate the error of the few that fail; those still carry the server's code and message
    trace: false,
    supportBigNumbers: true,
    bigNumberStrings: false,
  };
}

export function createDataSource(url: string, schema: Schema): DataSource {
  return new DataSource(dataSourceOptions(url, schema));
}
