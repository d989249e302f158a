import type { EntityTarget, ObjectLiteral } from 'typeorm';
import type { Database } from './database';

/**
 * How a long delete shares the database with the requests: batches of `batch` rows, each one statement
 * (no lock held between them), a pause between batches, and a time budget after which it stops — what is
 * left goes at the next run, so there is no cap on how much a deployment may have to purge.
 */
export interface DeletePace {
  batch: number;
  /** milliseconds from an arbitrary origin (real time), to time each batch */
  elapsedMs(): number;
  /** after a batch that took `batchMs` */
  pause(batchMs: number): Promise<void>;
  /** false once the run's time budget is spent */
  timeLeft(): boolean;
}

export interface Deleted {
  rows: number;
  /** false: the budget ran out with expired rows left */
  complete: boolean;
}

/**
 * Physically deletes the rows of a table whose `expiresAt` has passed. Called by the table's owner. Each
 * batch is a single DELETE in autocommit: on SQLite it takes the write lock only for itself (a transaction
 * that read first could not wait for a lock held by another process: "database is locked"), and its busy
 * timeout applies; on MySQL/MariaDB it locks only the rows it deletes, found through the expiresAt index.
 */
export async function deleteExpired<T extends ObjectLiteral & { expiresAt: Date }>(db: Database, entity: EntityTarget<T>, now: Date, pace: DeletePace): Promise<Deleted> {
  const meta = db.dataSource.getMetadata(entity);
  const q = (name: string) => db.dataSource.driver.escape(name);
  const table = q(meta.tableName);
  const expiresAt = meta.findColumnWithPropertyName('expiresAt')!;
  const id = meta.primaryColumns[0];
  const cutoff = db.dataSource.driver.preparePersistentValue(now, expiresAt);
  const column = q(expiresAt.databaseName);
  // MySQL/MariaDB take LIMIT on a DELETE but not inside an IN subquery; SQLite the other way round
  const sql =
    db.kind === 'sqlite'
      ? `DELETE FROM ${table} WHERE ${q(id.databaseName)} IN (SELECT ${q(id.databaseName)} FROM ${table} WHERE ${column} <= ? ORDER BY ${column} LIMIT ${pace.batch})`
      : `DELETE FROM ${table} WHERE ${column} <= ? ORDER BY ${column} LIMIT ${pace.batch}`;
  let rows = 0;
  for (;;) {
    const started = pace.elapsedMs();
    const deleted = (await db.statement(sql, [cutoff])).affected ?? 0;
    const batchMs = pace.elapsedMs() - started;
    rows += deleted;
    if (deleted < pace.batch) return { rows, complete: true };
    if (!pace.timeLeft()) return { rows, complete: false };
    await pace.pause(batchMs);
  }
}
