import type { EntityTarget, ObjectLiteral } from 'typeorm';
import type { Database } from './database';

/** Rows of one environment by `status` (for /metrics): one GROUP BY, the same on every driver. */
export async function countByStatus(db: Database, entity: EntityTarget<ObjectLiteral>, environment: string): Promise<Array<{ status: string; n: number }>> {
  const rows = await db.manager
    .createQueryBuilder(entity, 'x')
    .select('x.status', 'status')
    .addSelect('COUNT(*)', 'n')
    .where('x.environment = :environment', { environment })
    .groupBy('x.status')
    .getRawMany<{ status: string; n: string | number }>();
  return rows.map((r) => ({ status: r.status, n: Number(r.n) }));
}
