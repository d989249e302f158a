import type { Clock } from '../clock';
import { withTimeLimit } from '../timeLimit';
import { BankError } from './errors';

/**
 * What a request may lose or gain on its way to the bank relative to the one before it (connection set-up,
 * the event loop, the network). Spacing calls by a second plus this margin means that the calls of any
 * one second at the bank left here within 1.1 s, so the bank never counts more than we allowed.
 */
const JITTER_MARGIN_MS = 100;

/** How long a call waits for a share while the heartbeat has none to give (normally one interval, 10 s). */
const HOLD_LIMIT_MS = 30_000;

/** The gap between two calls at `perSecond`; 0 = no limit. */
function spacingFor(perSecond: number): number {
  if (perSecond <= 0) return 0;
  // GMO counts whole requests in a second: 3.3 per second is 3 per second, never 4 in an unlucky second
  if (perSecond >= 1) return (1000 + JITTER_MARGIN_MS) / Math.floor(perSecond);
  return 1000 / perSecond + JITTER_MARGIN_MS;
}

/**
 * Spaces this process's calls to the bank: GMO limits requests per client id (the figure is in each
 * contract's 接続通知書) and forbids high-frequency access. Calls wait their turn in order, and idle time is
 * never saved up into a burst. The rate is this process's share of the deployment's limit
 * (`instances/heartbeat.ts` sets it as instances come and go); `hold()` makes calls wait until a share is
 * known. It runs on the real clock: the bank counts real seconds, whatever clock the rest of the service has.
 */
export class RateLimiter {
  private spacingMs: number;
  private lastStart = Number.NEGATIVE_INFINITY;
  private queue: Promise<void> = Promise.resolve();
  private held: { opened: Promise<void>; open: () => void } | undefined;

  /** `perSecond`: the rate until told otherwise; 0 = no limit */
  constructor(
    perSecond: number,
    private readonly clock: Clock,
    private readonly sleep: (ms: number) => Promise<void> = (ms) => new Promise((r) => setTimeout(r, ms)),
  ) {
    this.spacingMs = spacingFor(perSecond);
  }

  /** This process's rate from now on (the next call waiting already obeys it); ends a hold. */
  share(perSecond: number): void {
    this.spacingMs = spacingFor(perSecond);
    this.held?.open();
    this.held = undefined;
  }

  /** Calls wait until the next `share()`: this process does not know yet what it may send. */
  hold(): void {
    if (this.held) return;
    let open!: () => void;
    const opened = new Promise<void>((resolve) => (open = resolve));
    this.held = { opened, open };
  }

  /** Resolves once calls are not held. */
  ready(): Promise<void> {
    return this.held?.opened ?? Promise.resolve();
  }

  acquire(): Promise<void> {
    if (this.spacingMs === 0 && !this.held) return Promise.resolve();
    const turn = this.queue.then(() => this.waitForTurn());
    // a caller given up on (held too long) must not fail the ones behind it
    this.queue = turn.catch(() => undefined);
    return turn;
  }

  /**
   * A hold lasts one heartbeat when the database answers; one that outlasts HOLD_LIMIT_MS (the heartbeat cannot
   * reach the database) fails the call as certainly not sent, so a payout is answered `pending`, never left hanging.
   */
  private async whenNotHeld(): Promise<void> {
    if (!this.held) return;
    await withTimeLimit(this.held.opened, HOLD_LIMIT_MS, () => {
      throw new BankError('rate_limited', `no share of BANK_MAX_RPS after ${HOLD_LIMIT_MS / 1000} s: the instance heartbeat cannot reach the database`, { certainlyNotProcessed: true });
    });
  }

  /** The first caller in line: re-checked after every wait, so a hold or a smaller share made meanwhile applies to it too. */
  private async waitForTurn(): Promise<void> {
    for (;;) {
      await this.whenNotHeld();
      const now = this.clock.now().getTime();
      const start = this.lastStart + this.spacingMs;
      if (start <= now) {
        this.lastStart = now;
        return;
      }
      await this.sleep(start - now);
    }
  }
}
