import cron, { type ScheduledTask } from 'node-cron';
import { withLogContext, type Logger } from '../log';
import type { JobLeases } from './lease';

export interface JobDefinition {
  name: string;
  schedule: string;
  /**
   * the lease outlives one run by a wide margin, so a slow run is not joined by another instance;
   * `everyInstance` jobs take no job lease (they claim their own rows, like webhook delivery)
   */
  leaseSeconds: number | 'everyInstance';
  /** `stopping`: aborted at shutdown; a long job (a poll pass, a purge) takes no new batch after it */
  run: (stopping?: AbortSignal) => Promise<unknown>;
}

/** What one run of a job came to: only a lease really held by another instance is `skipped`. */
type JobRun = { outcome: 'ran'; result: unknown } | { outcome: 'skipped' } | { outcome: 'failed'; error: string };

/** node-cron tasks, each run under a database lease so only one instance runs a job at a time. */
export class Scheduler {
  private readonly tasks: ScheduledTask[] = [];
  /** the runs under way: shutdown waits for them, so their leases are released and their bank calls end */
  private readonly running = new Set<Promise<JobRun>>();
  private readonly stopping = new AbortController();

  constructor(
    private readonly leases: JobLeases,
    private readonly log: Logger,
  ) {}

  /**
   * One run now, under the lease. A failure (the database gone, the job throwing) is logged and reported, never thrown.
   * `tick`: the cron slot this run is for; once one instance has run it, the others' timers for it are skipped.
   */
  runOnce(job: JobDefinition, tick?: Date): Promise<JobRun> {
    return withLogContext({ job: job.name }, async (): Promise<JobRun> => {
      const logged = tick ? { tick: tick.toISOString() } : {};
      try {
        const work = () => job.run(this.stopping.signal);
        if (job.leaseSeconds === 'everyInstance') return { outcome: 'ran', result: await work() };
        const run = await this.leases.runExclusive(job.name, job.leaseSeconds, work, tick);
        if (!run.held) {
          this.log.debug('job skipped: another instance holds the lease or ran this tick', logged);
          return { outcome: 'skipped' };
        }
        this.log.debug('job ran', logged);
        return { outcome: 'ran', result: run.result };
      } catch (err) {
        this.log.error('job failed', { err });
        return { outcome: 'failed', error: err instanceof Error ? err.message : String(err) };
      }
    });
  }

  start(jobs: JobDefinition[]): void {
    for (const job of jobs) {
      if (!cron.validate(job.schedule)) throw new Error(`invalid cron schedule for ${job.name}: ${job.schedule}`);
      const task = cron.schedule(
        job.schedule,
        async (context) => {
          if (this.stopping.signal.aborted) return;
          const run = this.runOnce(job, context.date);
          this.running.add(run);
          await run.finally(() => this.running.delete(run));
        },
        { name: job.name, noOverlap: true },
      );
      this.tasks.push(task);
    }
  }

  /** No new run starts; the runs under way are told to stop taking work and are waited for (they release their leases). */
  async stop(): Promise<void> {
    this.stopping.abort();
    for (const task of this.tasks.splice(0)) {
      await task.stop();
      await task.destroy();
    }
    await Promise.all(this.running);
  }
}
