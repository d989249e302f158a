import type { EntityTarget, ObjectLiteral } from 'typeorm';
import type { Database } from './database';

/** One status of a table: how many rows, and when the oldest of them was created. */
export interface StatusCount {
  status: string;
  n: number;
  oldestCreatedAt: Date | null;
}

/** Rows of one environment by `status`, with the oldest `createdAt` of each (for /metrics): one GROUP BY, the same on every driver. */
export async function countByStatus(db: Database, entity: EntityTarget<ObjectLiteral>, environment: string): Promise<StatusCount[]> {
  const rows = await db.manager
    .createQueryBuilder(entity, 'x')
    .select('x.status', 'status')
    .addSelect('COUNT(*)', 'n')
    .addSelect('MIN(x.createdAt)', 'oldest')
    .where('x.environment = :environment', { environment })
    .groupBy('x.status')
    .getRawMany<{ status: string; n: string | number; oldest: string | Date | null }>();
  return rows.map((r) => ({ status: r.status, n: Number(r.n), oldestCreatedAt: r.oldest === null ? null : utcInstant(r.oldest) }));
}

/** A raw DATETIME from either driver: mysql2 gives a Date, SQLite a UTC string without a zone. */
function utcInstant(value: string | Date): Date {
  if (value instanceof Date) return value;
  return new Date(/[zZ]|[+-]\d\d:?\d\d$/.test(value) ? value : `${value.replace(' ', 'T')}Z`);
}
