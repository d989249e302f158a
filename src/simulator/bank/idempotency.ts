import { createHash } from 'node:crypto';
import { GATEWAY, errorResponse } from '../errors';

/** Third-party clients say a key is valid for 24 hours (reference §3.8). */
const WINDOW_MS = 24 * 3600 * 1000;

interface Entry {
  fingerprint: string;
  response: object;
  at: Date;
}

/** Key order and whitespace must not make a retry look like a different request. */
function canonical(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonical);
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.keys(value)
        .sort()
        .map((k) => [k, canonical((value as Record<string, unknown>)[k])]),
    );
  }
  return value;
}

function fingerprint(body: unknown): string {
  return createHash('sha256').update(JSON.stringify(canonical(body))).digest('hex');
}

/** The operations that honour the header; [I] each has its own keys, so a 振込 and a 総合振込 never meet. */
export type IdempotentOperation = 'transfer' | 'bulktransfer';

/**
 * Idempotency-Key on /transfer/request and /bulktransfer/request, per user: the same key and body within 24 h gets
 * the first 201 body again and books nothing; the same key with another body is refused. Only successful requests
 * are remembered, so a request rejected by validation may be corrected and sent again under the same key.
 */
export class IdempotencyStore {
  private readonly entries = new Map<string, Entry>();

  replay(operation: IdempotentOperation, userId: string, key: string, body: unknown, now: Date): object | undefined {
    const entry = this.entries.get(`${operation}\n${userId}\n${key}`);
    if (!entry || now.getTime() - entry.at.getTime() >= WINDOW_MS) return undefined;
    if (entry.fingerprint !== fingerprint(body)) {
      throw errorResponse(400, GATEWAY.idempotencyMismatch, '同一のIdempotency-Keyで異なる内容の依頼が送信されました。');
    }
    return entry.response;
  }

  remember(operation: IdempotentOperation, userId: string, key: string, body: unknown, response: object, now: Date): void {
    // A Map iterates in insertion order and entries are inserted as time goes on, so the expired ones are at the
    // front: dropping them stops at the first live one, and a request costs O(1) however many keys are held
    // (a scan of every key made the simulator, and every benchmark through it, slow down as transfers grew).
    for (const [k, e] of this.entries) {
      if (now.getTime() - e.at.getTime() < WINDOW_MS) break;
      this.entries.delete(k);
    }
    this.entries.set(`${operation}\n${userId}\n${key}`, { fingerprint: fingerprint(body), response, at: now });
  }
}
