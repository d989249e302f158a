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

  /**
   * After a physical delete: SQLite runs with secure_delete (freed pages are zeroed), and the WAL, which
   * still holds the deleted rows' pages, is checkpointed and truncated so no copy survives on disk.
   * MySQL/MariaDB purge deleted rows from their pages on their own (see README, Security).
   */
  async eraseFreedPages(): Promise<void> {
    if (this.kind === 'sqlite') await this.dataSource.query('PRAGMA wal_checkpoint(TRUNCATE)');
  }

  async ping(): Promise<void> {
    await this.dataSource.query('SELECT 1');
  }
}
