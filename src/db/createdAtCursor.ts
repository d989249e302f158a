import { Brackets, type SelectQueryBuilder, type ObjectLiteral } from 'typeorm';
import { DomainError } from '../domain/errors';

/** A cursor this API did not hand out (or one tampered with). */
export class InvalidCursorError extends DomainError {
  constructor() {
    super('is not a cursor this API returned');
  }
}

/** Newest-first lists page by (createdAt, id): the cursor is the last row's pair, opaque to the caller. */
export function encodeCreatedAtCursor(row: { createdAt: Date; id: string }): string {
  return Buffer.from(JSON.stringify({ at: row.createdAt.toISOString(), id: row.id })).toString('base64url');
}

function decode(cursor: string): { at: Date; id: string } {
  try {
    const parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    const at = new Date(parsed.at);
    if (typeof parsed.id === 'string' && !Number.isNaN(at.getTime())) return { at, id: parsed.id };
  } catch {
    // not one of ours
  }
  throw new InvalidCursorError();
}

/** Rows strictly after the cursor's row in (createdAt DESC, id DESC) order. */
export function afterCreatedAtCursor<T extends ObjectLiteral>(qb: SelectQueryBuilder<T>, alias: string, cursor: string): SelectQueryBuilder<T> {
  const c = decode(cursor);
  return qb.andWhere(
    new Brackets((w) => w.where(`${alias}.createdAt < :cAt`, { cAt: c.at }).orWhere(`${alias}.createdAt = :cAt AND ${alias}.id < :cId`, { cAt: c.at, cId: c.id })),
  );
}
