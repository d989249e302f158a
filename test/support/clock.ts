import type { Clock } from '../../src/clock';

/** A clock the test moves by hand: expiry, purge and polling without sleeping. */
export class ManualClock implements Clock {
  private current: number;

  constructor(start = '2026-11-24T01:00:00.000Z') {
    this.current = Date.parse(start);
  }

  now(): Date {
    return new Date(this.current);
  }

  advanceSeconds(seconds: number): void {
    this.current += seconds * 1000;
  }
}
