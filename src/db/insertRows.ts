import type { EntityManager, EntityTarget, ObjectLiteral, QueryDeepPartialEntity } from 'typeorm';

/**
 * INSERT without TypeORM's read-back: `em.insert` selects the row again for its generated and default
 * columns, a second statement for values the caller already holds (it sets every column itself).
 */
export async function insertRows<T extends ObjectLiteral>(em: EntityManager, entity: EntityTarget<T>, rows: QueryDeepPartialEntity<T> | QueryDeepPartialEntity<T>[]): Promise<void> {
  await em.createQueryBuilder().insert().into(entity).values(rows).updateEntity(false).execute();
}
