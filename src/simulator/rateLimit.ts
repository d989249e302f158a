import type { Request, RequestHandler, Response } from 'express';
import { rateLimited } from './errors';
import type { SimulatorState } from './state';

const WINDOW_MS = 1000;

/** What /_sim/stats shows per client id. */
export interface ClientRate {
  /** the most requests accepted within any one second */
  maxPerSecond: number;
  /** requests answered 429 WG_ERR_154 by the rate limit (not by an injected fault) */
  rateLimited: number;
}

/**
 * Per client id, the requests accepted within the last second: GMO's limit is per client id, whoever sends.
 * Real time (the monotonic timer), not the simulator's clock: the limit is about how fast requests really
 * arrive, while the injected clock stands still or jumps by hours in tests and demos.
 */
export class ClientWindows {
  private readonly accepted = new Map<string, number[]>();
  private readonly clients = new Map<string, ClientRate>();

  /** Accepts the request and records it, or refuses it when `limit` (> 0) were accepted within the last second. */
  admit(clientId: string, limit: number, nowMs: number): boolean {
    const recent = (this.accepted.get(clientId) ?? []).filter((t) => t > nowMs - WINDOW_MS);
    this.accepted.set(clientId, recent);
    const rate = this.clients.get(clientId) ?? { maxPerSecond: 0, rateLimited: 0 };
    this.clients.set(clientId, rate);
    if (limit > 0 && recent.length >= limit) {
      rate.rateLimited++;
      return false;
    }
    recent.push(nowMs);
    rate.maxPerSecond = Math.max(rate.maxPerSecond, recent.length);
    return true;
  }

  snapshot(): Record<string, ClientRate> {
    return Object.fromEntries([...this.clients].map(([id, rate]) => [id, { ...rate }]));
  }
}

/**
 * The gateway's per-client limit (`rateLimitPerSecond`, 0 = none): beyond it, 429 WG_ERR_154 before the
 * banking back end sees anything. `clientOf`: the token endpoint's claimed client_id, or the client the
 * access token was issued to; a request that names none is not counted (it fails authentication anyway).
 */
export function rateLimit(state: SimulatorState, clientOf: (req: Request, res: Response) => string | undefined): RequestHandler {
  return (req, res, next) => {
    const clientId = clientOf(req, res);
    if (clientId !== undefined && !state.counters.clientWindows.admit(clientId, state.config.rateLimitPerSecond, performance.now())) {
      state.log({ msg: 'rate limited', clientId, limit: state.config.rateLimitPerSecond });
      throw rateLimited();
    }
    next();
  };
}
