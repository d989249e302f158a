import { RateLimiter } from '../../src/bank/rateLimiter';
import { ManualClock } from '../support/clock';

describe('outbound rate limiter', () => {
  /** the fake sleep moves the clock, as real waiting would */
  function limited(perSecond: number) {
    const clock = new ManualClock();
    const t0 = clock.now().getTime();
    const slept: number[] = [];
    const starts: number[] = [];
    const limiter = new RateLimiter(perSecond, clock, async (ms) => {
      slept.push(ms);
      clock.advanceSeconds(ms / 1000);
    });
    const call = async () => {
      await limiter.acquire();
      starts.push(clock.now().getTime() - t0);
    };
    return { clock, limiter, slept, starts, call };
  }
  const gaps = (starts: number[]) => starts.slice(1).map((t, i) => Math.round(t - starts[i]));
  const settle = () => new Promise((resolve) => setImmediate(resolve));

  test('spaces calls evenly, a second plus the jitter margin per whole request, in order', async () => {
    const { starts, call } = limited(4);
    for (let i = 0; i < 6; i++) await call();
    expect(gaps(starts)).toEqual([275, 275, 275, 275, 275]);
  });

  test('a share of 3.4 per second is 3 per second: the bank never counts a 4th in an unlucky second', async () => {
    const { starts, call } = limited(3.4);
    for (let i = 0; i < 4; i++) await call();
    expect(gaps(starts)).toEqual([367, 367, 367]);
  });

  test('below one per second: one call per 1/rate seconds, plus the margin', async () => {
    const { starts, call } = limited(0.5);
    for (let i = 0; i < 3; i++) await call();
    expect(gaps(starts)).toEqual([2100, 2100]);
  });

  test('concurrent callers each wait their turn, in the order they came', async () => {
    const { starts, call } = limited(2);
    await Promise.all([call(), call(), call()]);
    expect(starts).toEqual([0, 550, 1100]);
  });

  test('idle time is not banked into a burst', async () => {
    const { clock, slept, call } = limited(1);
    await call();
    clock.advanceSeconds(10);
    await call();
    await call();
    expect(slept).toEqual([1100]);
  });

  test('0 means no limit', async () => {
    const { slept, call } = limited(0);
    await Promise.all(Array.from({ length: 50 }, call));
    expect(slept).toEqual([]);
  });

  test('held calls wait for a share, then go at that share', async () => {
    const { limiter, starts, call } = limited(10);
    limiter.hold();
    const calls = Promise.all([call(), call(), call()]);
    await settle();
    expect(starts).toEqual([]);
    limiter.share(2);
    await calls;
    expect(starts).toEqual([0, 550, 1100]);
  });

  test('a smaller share applies at once, even to the caller already waiting for its turn', async () => {
    const clock = new ManualClock();
    const t0 = clock.now().getTime();
    const wakeUps: Array<() => void> = [];
    // a sleep the test ends by hand, after moving the clock
    const limiter = new RateLimiter(10, clock, (ms) => new Promise((resolve) => wakeUps.push(() => (clock.advanceSeconds(ms / 1000), resolve()))));
    const starts: number[] = [];
    const call = () => limiter.acquire().then(() => starts.push(clock.now().getTime() - t0));
    await call();
    const second = call();
    await settle();
    expect(wakeUps).toHaveLength(1); // waiting 110 ms at 10/s
    limiter.share(1);
    wakeUps.shift()!();
    await settle();
    expect(starts).toEqual([0]);
    expect(wakeUps).toHaveLength(1); // re-checked: 990 ms more, for 1100 in all
    wakeUps.shift()!();
    await second;
    expect(starts).toEqual([0, 1100]);
  });

  test('a hold made while a caller waits its turn holds it too; 0 as a share lifts the limit', async () => {
    const { limiter, starts, call } = limited(1);
    await call();
    limiter.hold();
    const held = call();
    await settle();
    expect(starts).toEqual([0]);
    limiter.share(0);
    await held;
    await Promise.all([call(), call()]);
    expect(starts).toEqual([0, 0, 0, 0]);
  });

  test('a hold that outlasts 30 s (the heartbeat cannot reach the database) fails the call as certainly not sent; the calls behind it still get their turn', async () => {
    jest.useFakeTimers();
    try {
      const { limiter } = limited(4);
      limiter.hold();
      const first = limiter.acquire();
      const outcome = first.then(
        () => 'sent',
        (err) => ({ kind: err.kind, certainlyNotProcessed: err.certainlyNotProcessed }),
      );
      await jest.advanceTimersByTimeAsync(30_000);
      expect(await outcome).toEqual({ kind: 'rate_limited', certainlyNotProcessed: true });
      // the share arrives: the next caller goes
      const next = limiter.acquire();
      limiter.share(4);
      await jest.advanceTimersByTimeAsync(0);
      await expect(next).resolves.toBeUndefined();
    } finally {
      jest.useRealTimers();
    }
  });
});
