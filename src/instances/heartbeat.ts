import type { RateLimiter } from '../bank/rateLimiter';
import type { Clock } from '../clock';
import type { Logger } from '../log';
import type { InstanceRegistry } from './instanceRegistry';

/** What an operator (or a metric) can read of this process's part in the deployment's limit. */
export interface HeartbeatStatus {
  /** instances counted at the last successful beat, this one included */
  live: number | null;
  /** this process's requests per second; null while its bank calls are held */
  perSecond: number | null;
  /** beats that failed since the process started (the share was kept) */
  failedBeats: number;
}

/**
 * Makes BANK_MAX_RPS the limit of the whole deployment: GMO counts requests per client id, not per process.
 * A timer (never a bank call) beats every interval; each process then sends at most BANK_MAX_RPS / live
 * instances (the limiter also rounds that down to whole requests per second).
 *
 * The rule, and why the sum stays under the limit:
 * - The share applies from the second of two successful beats no further apart than the liveness window.
 *   Until then bank calls are held: a new process (its first beat commits its row; the others, beating once
 *   per interval, have all counted it by its second beat one interval later, and lowered their shares), or
 *   one whose last beat is older than the window (paused, cut off from the database: the others may have
 *   stopped counting it and raised theirs, so it joins again).
 * - A process that dies stays counted for the liveness window: the others are merely slower meanwhile. One
 *   that shuts down deletes its row (`leave`): the others speed up at their next beat.
 * - A beat that fails (the database) keeps the last share, logs a warning and is counted: bank calls go on.
 *   Were the failures to outlast the window, the others would stop counting this process while it still
 *   sends at its old share; but a process that cannot reach the database starts no bank flow (each one
 *   writes first), and when its beats come back after such a gap it joins again.
 * - With BANK_MAX_RPS below the number of instances the share is under one call per second: the average
 *   holds, but one second may see one call from each instance.
 * With BANK_MAX_RPS=0 there is nothing to share: no beats, no row, no hold.
 */
export class InstanceHeartbeat {
  private timer: NodeJS.Timeout | undefined;
  private beating: Promise<void> | undefined;
  /** the injected clock's time of the last successful beat */
  private lastBeatAt: number | undefined;
  private live: number | null = null;
  private perSecond: number | null = null;
  private failedBeats = 0;

  constructor(
    private readonly registry: InstanceRegistry,
    private readonly limiter: RateLimiter,
    private readonly clock: Clock,
    private readonly log: Logger,
    private readonly options: { maxRequestsPerSecond: number; intervalSeconds: number },
  ) {}

  /**
   * Registers this process and starts the timer; resolves once it may call the bank (one interval, with a
   * working database). The server joins before it listens, the CLI before a job that calls the bank.
   */
  async join(): Promise<void> {
    if (this.options.maxRequestsPerSecond <= 0 || this.timer) return;
    this.limiter.hold();
    this.timer = setInterval(() => void this.beat(), this.options.intervalSeconds * 1000);
    this.timer.unref();
    await this.beat();
    await this.limiter.ready();
  }

  /** One beat now (the timer's; tests call it to drive the clock): the share follows the count. */
  beat(): Promise<void> {
    // a slow database must not pile beats up: the one in flight answers for this tick
    this.beating ??= this.beatOnce().finally(() => (this.beating = undefined));
    return this.beating;
  }

  /** On shutdown: stops beating and deletes this process's row; its bank calls are held from here on. */
  async leave(): Promise<void> {
    if (this.options.maxRequestsPerSecond <= 0) return;
    clearInterval(this.timer);
    this.timer = undefined;
    await this.beating;
    this.limiter.hold();
    this.lastBeatAt = undefined;
    this.live = this.perSecond = null;
    try {
      await this.registry.leave();
    } catch (err) {
      this.log.warn('instance heartbeat: could not remove this instance; the others stop counting it after the liveness window', { err });
    }
  }

  status(): HeartbeatStatus {
    return { live: this.live, perSecond: this.perSecond, failedBeats: this.failedBeats };
  }

  private async beatOnce(): Promise<void> {
    const at = this.clock.now().getTime();
    let live: number;
    try {
      live = Math.max(1, await this.registry.beat());
    } catch (err) {
      this.failedBeats++;
      this.log.warn('instance heartbeat failed: keeping the bank share', { err, failedBeats: this.failedBeats, perSecond: this.perSecond });
      return;
    }
    const continuous = this.lastBeatAt !== undefined && at - this.lastBeatAt <= this.registry.liveForMs;
    this.lastBeatAt = at;
    this.live = live;
    if (!continuous) {
      this.limiter.hold();
      this.perSecond = null;
      this.log.info('instance heartbeat: registered; bank calls wait one interval for the others to count this instance', { live });
      return;
    }
    const perSecond = this.options.maxRequestsPerSecond / live;
    if (perSecond !== this.perSecond) this.log.info('bank rate share', { live, perSecond });
    this.perSecond = perSecond;
    this.limiter.share(perSecond);
  }
}
