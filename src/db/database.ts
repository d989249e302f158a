import type { DataSource, EntityManager } from 'typeorm';
import { databaseKind, type DatabaseKind } from './dataSource';

/**
 * The service's handle on the database. On SQLite TypeORM shares ONE connection, so two concurrent
 * `transaction()` calls would silently nest as savepoints of each other; every write therefore goes
 * through `transaction()`, which queues them on SQLite. MySQL/MariaDB use a pool and need no queue.
 */
export class Database {
  readonly kind: DatabaseKind;
  private queue: Promise<unknown> = Promise.resolve();

  constructor(readonly dataSource: DataSource) {
    this.kind = databaseKind(dataSource.options.type === 'better-sqlite3' ? 'sqlite:' : 'mysql://');
  }

  get manager(): EntityManager {
    return this.dataSource.manager;
  }

  transaction<T>(work: (em: EntityManager) => Promise<T>): Promise<T> {
    if (this.kind !== 'sqlite') return this.dataSource.transaction(work);
    const run = this.queue.then(() => this.dataSource.transaction(work));
    this.queue = run.catch(() => undefined);
    return run;
  }

  async ping(): Promise<void> {
    await this.dataSource.query('SELECT 1');
  }
}
