import type { Clock } from '../clock';

/**
 * Spaces this process's calls to the bank: GMO limits requests per client id (the figure is in each
 * contract's 接続通知書) and forbids high-frequency access. 0 = no limit. Calls wait their turn in order.
 */
export class RateLimiter {
  private nextStart = 0;

  constructor(
    private readonly perSecond: number,
    private readonly clock: Clock,
    private readonly sleep: (ms: number) => Promise<void> = (ms) => new Promise((r) => setTimeout(r, ms)),
  ) {}

  async acquire(): Promise<void> {
    if (this.perSecond <= 0) return;
    const now = this.clock.now().getTime();
    const start = Math.max(now, this.nextStart);
    this.nextStart = start + 1000 / this.perSecond;
    if (start > now) await this.sleep(start - now);
  }
}
