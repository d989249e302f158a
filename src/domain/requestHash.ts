import { createHash } from 'node:crypto';

/**
 * The hash an Idempotency-Key is stored with: stable across key order, so a resend of the same JSON body
 * always hashes the same and another body never does.
 */
export function requestHash(body: unknown): string {
  const canonical = (v: unknown): unknown =>
    v && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => a.localeCompare(b)).map(([k, x]) => [k, canonical(x)]))
      : Array.isArray(v)
        ? v.map(canonical)
        : v;
  return createHash('sha256').update(JSON.stringify(canonical(body))).digest('hex');
}
