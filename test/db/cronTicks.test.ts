import { Scheduler } from '../../src/jobs/scheduler';
import type { Services } from '../../src/services';
import { DATABASES } from '../support/databases';
import { startHarness, type Harness } from '../support/harness';

/**
 * Every instance's cron timer fires for every tick. The job lease alone only kept two runs from overlapping:
 * a run over in a few milliseconds freed it, and the other instance, firing a moment later for the same
 * tick, ran the job again (test/e2e/instances.test.ts saw it on nearly every tick).
 */
describe.each(DATABASES)('cron ticks across instances on %s', (kind) => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness(kind);
  });
  afterAll(() => h.close());

  const poll = (s: Services) => s.jobs.find((j) => j.name === 'poll-transfers')!;

  test('a tick one instance ran is skipped by the other; the next tick runs again, and an operator run is never held back', async () => {
    const other = h.anotherInstance();
    const a = new Scheduler(h.services.leases, h.services.log);
    const b = new Scheduler(other.leases, other.log);
    const tick = (n: number) => new Date(Date.parse('2026-11-24T01:00:00.000Z') + n * 1000);

    expect(await a.runOnce(poll(h.services), tick(0))).toMatchObject({ outcome: 'ran' });
    expect(await b.runOnce(poll(other), tick(0))).toEqual({ outcome: 'skipped' });
    h.clock.advanceSeconds(1);
    expect(await b.runOnce(poll(other), tick(1))).toMatchObject({ outcome: 'ran' });
    expect(await a.runOnce(poll(h.services), tick(1))).toEqual({ outcome: 'skipped' });
    // the CLI names no tick
    expect(await a.runOnce(poll(h.services))).toMatchObject({ outcome: 'ran' });
  });

  test('a holder that died mid-run keeps the job from the others until its lease expires', async () => {
    const other = h.anotherInstance();
    const b = new Scheduler(other.leases, other.log);
    const now = h.clock.now().getTime();
    expect(await h.services.leases.tryAcquire('poll-transfers', 60, new Date(now))).toBe(true);
    expect(await b.runOnce(poll(other), new Date(now + 1000))).toEqual({ outcome: 'skipped' });
    h.clock.advanceSeconds(61);
    expect(await b.runOnce(poll(other), new Date(now + 61_000))).toMatchObject({ outcome: 'ran' });
  });

  test('shutdown tells a running job to stop taking work, waits for it, and its lease is free for the others', async () => {
    const scheduler = new Scheduler(h.services.leases, h.services.log);
    let started!: () => void;
    const running = new Promise<void>((resolve) => (started = resolve));
    let sawStop = false;
    scheduler.start([
      {
        name: 'long-pass',
        schedule: '* * * * * *',
        leaseSeconds: 600,
        run: (stopping) =>
          new Promise<void>((resolve) => {
            started();
            stopping!.addEventListener('abort', () => {
              sawStop = true;
              resolve();
            });
          }),
      },
    ]);
    // the every-second timer fires within two seconds
    await Promise.race([running, new Promise((_, reject) => setTimeout(() => reject(new Error('the job did not start')), 5_000))]);
    await scheduler.stop();
    expect(sawStop).toBe(true);
    expect(await h.anotherInstance().leases.tryAcquire('long-pass', 60)).toBe(true);
  });
});
