import { RateLimiter } from '../../src/bank/rateLimiter';
import { ManualClock } from '../support/clock';

describe('outbound rate limiter', () => {
  /** `advance`: the fake sleep moves the clock, as real waiting would for a caller that waits alone */
  function limited(perSecond: number, advance = true) {
    const clock = new ManualClock();
    const slept: number[] = [];
    const starts: number[] = [];
    const limiter = new RateLimiter(perSecond, clock, async (ms) => {
      slept.push(ms);
      if (advance) clock.advanceSeconds(ms / 1000);
    });
    const call = async () => {
      await limiter.acquire();
      starts.push(clock.now().getTime());
    };
    return { clock, slept, starts, call };
  }

  test('spaces calls evenly at the configured rate, in order', async () => {
    const { starts, call } = limited(4);
    for (let i = 0; i < 6; i++) await call();
    const gaps = starts.slice(1).map((t, i) => t - starts[i]);
    expect(gaps).toEqual([250, 250, 250, 250, 250]);
  });

  test('concurrent callers each get their own slot', async () => {
    const { slept, call } = limited(2, false);
    await Promise.all([call(), call(), call()]);
    expect(slept).toEqual([500, 1000]);
  });

  test('idle time is not banked into a burst', async () => {
    const { clock, slept, call } = limited(1);
    await call();
    clock.advanceSeconds(10);
    await call();
    await call();
    expect(slept).toEqual([1000]);
  });

  test('0 means no limit', async () => {
    const { slept, call } = limited(0);
    await Promise.all(Array.from({ length: 50 }, call));
    expect(slept).toEqual([]);
  });
});
