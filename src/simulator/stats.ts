import { ClientWindows, type ClientRate } from './rateLimit';

export interface StatsSnapshot {
  tokenRequests: { authorization_code: number; refresh_token: number };
  /** transfers (振込) actually booked; idempotent replays are not */
  transferRequests: number;
  /** bulk transfers (総合振込) actually booked */
  bulkTransferRequests: number;
  /** every call that reached a route, faulted or not, by route name */
  apiCalls: Record<string, number>;
  /** per client id: the busiest second, and the requests the rate limit refused */
  clients: Record<string, ClientRate>;
}

export class Counters {
  private readonly tokenRequests = { authorization_code: 0, refresh_token: 0 };
  private readonly apiCalls: Record<string, number> = {};
  /** what the per-client rate limit decides on, and what it saw */
  readonly clientWindows = new ClientWindows();

  call(route: string): void {
    this.apiCalls[route] = (this.apiCalls[route] ?? 0) + 1;
  }

  grant(grantType: unknown): void {
    if (grantType === 'authorization_code' || grantType === 'refresh_token') this.tokenRequests[grantType]++;
  }

  snapshot(booked: { transferRequests: number; bulkTransferRequests: number }): StatsSnapshot {
    return { tokenRequests: { ...this.tokenRequests }, ...booked, apiCalls: { ...this.apiCalls }, clients: this.clientWindows.snapshot() };
  }
}
