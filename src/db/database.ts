import type { DataSource, EntityManager, QueryResult } from 'typeorm';
import { databaseKind, type DatabaseKind } from './dataSource';
import { runSql } from './rowSql';
import type { StatementCounter } from './statementCounter';

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

  /** Every statement sent since the data source was made (a transaction's BEGIN and COMMIT too). */
  get statementsSent(): number {
    return (this.dataSource.logger as StatementCounter).sent;
  }

  get manager(): EntityManager {
    return this.dataSource.manager;
  }

  transaction<T>(work: (em: EntityManager) => Promise<T>): Promise<T> {
    return this.inTurn(() => this.dataSource.transaction(work));
  }

  /** On SQLite, after every write queued before it; on MySQL/MariaDB (a pool) at once. */
  private inTurn<T>(write: () => Promise<T>): Promise<T> {
    if (this.kind !== 'sqlite') return write();
    const run = this.queue.then(write);
    this.queue = run.catch(() => undefined);
    return run;
  }

  /**
   * One statement outside any transaction: it is atomic on its own, and a BEGIN and a COMMIT around it are two
   * more round trips for nothing. On SQLite it still waits its turn behind the queued transactions: on the one
   * shared connection it would otherwise run inside whichever was open.
   */
  single<T>(work: (em: EntityManager) => Promise<T>): Promise<T> {
    return this.inTurn(() => work(this.dataSource.manager));
  }

  /** One raw statement outside any transaction (see `single`), with the driver's count of the rows it changed. */
  statement(sql: string, parameters: unknown[]): Promise<QueryResult> {
    return this.single((em) => runSql(em, sql, parameters));
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
