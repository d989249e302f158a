import type { EntityManager, EntityMetadata, EntityTarget, ObjectLiteral, QueryResult } from 'typeorm';
import type { ColumnMetadata } from 'typeorm/metadata/ColumnMetadata';

/**
 * One-row statements for the hot paths (a payout, reading a transfer, a token, a connection), written once per
 * entity and column set from TypeORM's metadata and then sent as plain SQL: under load, TypeORM's query builder
 * (building, escaping, mapping results back) cost more CPU than the statement itself (issue 12's profile). Values
 * go through the driver's own conversions (dates, transformers) both ways, so a row reads and writes exactly as
 * it does through TypeORM; the statements run on the same query runner (a transaction's, when `em` is one), so
 * they are counted like any other.
 */

/** Equality on each column named; `null` means IS NULL. */
export type RowWhere<T> = { [K in keyof T]?: T[K] | null };

const statements = new WeakMap<EntityMetadata, Map<string, string>>();

function statement(meta: EntityMetadata, key: string, build: () => string): string {
  let known = statements.get(meta);
  if (!known) statements.set(meta, (known = new Map()));
  let sql = known.get(key);
  if (sql === undefined) known.set(key, (sql = build()));
  return sql;
}

function column(meta: EntityMetadata, property: string): ColumnMetadata {
  const c = meta.findColumnWithPropertyName(property);
  if (!c) throw new Error(`${meta.name} has no column ${property}`);
  return c;
}

/** `alias`: the table's alias in a join (`a.`), else none. */
function whereClause(em: EntityManager, meta: EntityMetadata, where: ObjectLiteral, alias = ''): { sql: string; params: unknown[] } {
  const parts: string[] = [];
  const params: unknown[] = [];
  for (const [property, value] of Object.entries(where)) {
    const c = column(meta, property);
    const name = `${alias}${em.connection.driver.escape(c.databaseName)}`;
    if (value === null) parts.push(`${name} IS NULL`);
    else {
      parts.push(`${name} = ?`);
      params.push(em.connection.driver.preparePersistentValue(value, c));
    }
  }
  return { sql: parts.join(' AND '), params };
}

/** The entity from a raw row, each column through the driver (`prefix`: the column aliases' prefix in a join). */
function hydrate<T extends ObjectLiteral>(em: EntityManager, meta: EntityMetadata, raw: Record<string, unknown>, prefix = ''): T {
  const row = meta.create() as T;
  for (const c of meta.columns) c.setEntityValue(row, em.connection.driver.prepareHydratedValue(raw[`${prefix}${c.databaseName}`], c));
  return row;
}

/** Which of `where`'s columns are compared with NULL: part of a statement's identity. */
const shapeOf = (where: ObjectLiteral): string =>
  Object.entries(where)
    .map(([k, v]) => (v === null ? `${k}~` : k))
    .join(',');

/** One statement on `em`, with the driver's count of the rows it changed. */
export async function runSql(em: EntityManager, sql: string, params: unknown[]): Promise<QueryResult> {
  // in a transaction: its runner; otherwise one for this statement (on SQLite the one shared connection)
  const runner = em.queryRunner ?? em.connection.createQueryRunner();
  try {
    return await runner.query(sql, params, true);
  } finally {
    if (runner !== em.queryRunner) await runner.release();
  }
}

/**
 * One INSERT of these rows (each defining the same columns: the others take their defaults); nothing is read
 * back (the caller holds every value it wrote).
 */
export async function insertRows<T extends ObjectLiteral>(em: EntityManager, entity: EntityTarget<T>, rows: T[]): Promise<void> {
  const meta = em.connection.getMetadata(entity);
  const driver = em.connection.driver;
  const columns = meta.columns.filter((c) => c.getEntityValue(rows[0]) !== undefined);
  const names = columns.map((c) => c.propertyName).join(',');
  if (rows.slice(1).some((row) => meta.columns.some((c) => (c.getEntityValue(row) !== undefined) !== columns.includes(c)))) {
    throw new Error(`insertRows(${meta.name}): every row must define the same columns (${names})`);
  }
  const sql = statement(meta, `insert:${names}:${rows.length}`, () => {
    const tuple = `(${columns.map(() => '?').join(', ')})`;
    return `INSERT INTO ${driver.escape(meta.tableName)} (${columns.map((c) => driver.escape(c.databaseName)).join(', ')}) VALUES ${rows.map(() => tuple).join(', ')}`;
  });
  await runSql(em, sql, rows.flatMap((row) => columns.map((c) => driver.preparePersistentValue(c.getEntityValue(row), c))));
}

/** The one row matching `where` (equality on each column), as the entity; null when there is none. */
export async function findRow<T extends ObjectLiteral>(em: EntityManager, entity: EntityTarget<T>, where: RowWhere<T>): Promise<T | null> {
  const meta = em.connection.getMetadata(entity);
  const driver = em.connection.driver;
  const clause = whereClause(em, meta, where);
  const sql = statement(meta, `select:${shapeOf(where)}`, () => {
    const names = meta.columns.map((c) => driver.escape(c.databaseName)).join(', ');
    return `SELECT ${names} FROM ${driver.escape(meta.tableName)} WHERE ${clause.sql} LIMIT 1`;
  });
  const raw = (await runSql(em, sql, clause.params)).records[0] as Record<string, unknown> | undefined;
  return raw ? hydrate<T>(em, meta, raw) : null;
}

/** UPDATE … SET `set` WHERE `where` (equality on each column); how many rows it changed. */
export async function updateRows<T extends ObjectLiteral>(em: EntityManager, entity: EntityTarget<T>, where: RowWhere<T>, set: Partial<T>): Promise<number> {
  const meta = em.connection.getMetadata(entity);
  const driver = em.connection.driver;
  const assigned = Object.keys(set).filter((k) => set[k] !== undefined);
  const clause = whereClause(em, meta, where);
  const sql = statement(meta, `update:${assigned.join(',')}|${shapeOf(where)}`, () => {
    const sets = assigned.map((k) => `${driver.escape(column(meta, k).databaseName)} = ?`).join(', ');
    return `UPDATE ${driver.escape(meta.tableName)} SET ${sets} WHERE ${clause.sql}`;
  });
  const params = [...assigned.map((k) => driver.preparePersistentValue(set[k], column(meta, k))), ...clause.params];
  return (await runSql(em, sql, params)).affected ?? 0;
}

/**
 * The row of `entity` matching `where`, with the row of `other` that LEFT JOINs to it (`on`: other's column =
 * entity's column, and `otherWhere`'s equalities), in ONE statement: two reads a request always makes together
 * cost one round trip. `joined` is null when no row of `other` matches.
 */
export async function findRowWith<T extends ObjectLiteral, U extends ObjectLiteral>(
  em: EntityManager,
  entity: EntityTarget<T>,
  where: RowWhere<T>,
  other: EntityTarget<U>,
  on: { [K in keyof U]?: keyof T & string },
  otherWhere: RowWhere<U>,
): Promise<{ row: T; joined: U | null } | null> {
  const meta = em.connection.getMetadata(entity);
  const otherMeta = em.connection.getMetadata(other);
  const driver = em.connection.driver;
  const joinClause = whereClause(em, otherMeta, otherWhere, 'b.');
  const clause = whereClause(em, meta, where, 'a.');
  const sql = statement(meta, `with:${otherMeta.name}:${Object.entries(on).join(',')}:${shapeOf(otherWhere)}|${shapeOf(where)}`, () => {
    const select = [
      ...meta.columns.map((c) => `a.${driver.escape(c.databaseName)} AS ${driver.escape(`a_${c.databaseName}`)}`),
      ...otherMeta.columns.map((c) => `b.${driver.escape(c.databaseName)} AS ${driver.escape(`b_${c.databaseName}`)}`),
    ].join(', ');
    const joins = Object.entries(on).map(([b, a]) => `b.${driver.escape(column(otherMeta, b).databaseName)} = a.${driver.escape(column(meta, a as string).databaseName)}`);
    const onSql = [...joins, ...(joinClause.sql ? [joinClause.sql] : [])].join(' AND ');
    return `SELECT ${select} FROM ${driver.escape(meta.tableName)} a LEFT JOIN ${driver.escape(otherMeta.tableName)} b ON ${onSql} WHERE ${clause.sql} LIMIT 1`;
  });
  const raw = (await runSql(em, sql, [...joinClause.params, ...clause.params])).records[0] as Record<string, unknown> | undefined;
  if (!raw) return null;
  const present = otherMeta.primaryColumns.every((c) => raw[`b_${c.databaseName}`] != null);
  return { row: hydrate<T>(em, meta, raw, 'a_'), joined: present ? hydrate<U>(em, otherMeta, raw, 'b_') : null };
}
