import { In, LessThanOrEqual, type EntityTarget, type ObjectLiteral } from 'typeorm';
import type { Database } from './database';

const BATCH = 500;
const MAX_BATCHES = 1000;

/**
 * Physically deletes the rows of a table whose `expiresAt` has passed, in batches so that one run
 * never holds a long lock. Called by the table's owner; returns how many rows went.
 */
export async function deleteExpired<T extends ObjectLiteral & { id: string; expiresAt: Date }>(db: Database, entity: EntityTarget<T>, now: Date): Promise<number> {
  let total = 0;
  for (let batch = 0; batch < MAX_BATCHES; batch++) {
    const deleted = await db.transaction(async (em) => {
      const rows = await em.find(entity, { select: { id: true } as never, where: { expiresAt: LessThanOrEqual(now) } as never, take: BATCH });
      if (rows.length === 0) return 0;
      await em.delete(entity, { id: In(rows.map((r) => r.id)) } as never);
      return rows.length;
    });
    total += deleted;
    if (deleted < BATCH) break;
  }
  return total;
}
