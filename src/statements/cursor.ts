import { z } from 'zod';
import { InvalidCursorError } from '../db/createdAtCursor';
import { PAYOUT_KINDS, type PayoutRef } from './matching';

/**
 * Our cursor over a bank statement: base64url JSON of the bank's nextItemKey, the query it belongs to (so
 * it cannot be replayed against another account, company, statement or period), and the payout whose fee
 * row may open the next page. Anything else is refused as a cursor this API did not return.
 */
export interface StatementQueryKey {
  statement: 'transactions' | 'deposit-transactions';
  companyId: string;
  accountId: string;
  from: string;
  to: string;
}

const cursorSchema = z.object({
  v: z.literal(1),
  s: z.enum(['transactions', 'deposit-transactions']),
  co: z.string(),
  a: z.string(),
  f: z.string(),
  t: z.string(),
  k: z.string().min(1).max(64),
  fee: z.object({ kind: z.enum(PAYOUT_KINDS), id: z.string().max(64) }).optional(),
});

export function writeCursor(query: StatementQueryKey, nextItemKey: string, openFee: PayoutRef | null): string {
  const c: z.infer<typeof cursorSchema> = {
    v: 1,
    s: query.statement,
    co: query.companyId,
    a: query.accountId,
    f: query.from,
    t: query.to,
    k: nextItemKey,
    ...(openFee ? { fee: { kind: openFee.kind, id: openFee.id } } : {}),
  };
  return Buffer.from(JSON.stringify(c)).toString('base64url');
}

export function readCursor(cursor: string, query: StatementQueryKey): { nextItemKey: string; openFee: PayoutRef | null } {
  let decoded: unknown;
  try {
    decoded = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw new InvalidCursorError();
  }
  const parsed = cursorSchema.safeParse(decoded);
  if (!parsed.success) throw new InvalidCursorError();
  const c = parsed.data;
  if (c.s !== query.statement || c.co !== query.companyId || c.a !== query.accountId || c.f !== query.from || c.t !== query.to) {
    throw new InvalidCursorError();
  }
  return { nextItemKey: c.k, openFee: c.fee ?? null };
}
