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
  run: () => Promise<unknown>;
}

/** What one run of a job came to: only a lease really held by another instance is `skipped`. */
type JobRun = { outcome: 'ran'; result: unknown } | { outcome: 'skipped' } | { outcome: 'failed'; error: string };

/** node-cron tasks, each run under a database lease so only one instance runs a job at a time. */
export class Scheduler {
  private readonly tasks: ScheduledTask[] = [];

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
        if (job.leaseSeconds === 'everyInstance') return { outcome: 'ran', result: await job.run() };
        const run = await this.leases.runExclusive(job.name, job.leaseSeconds, job.run, tick);
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
      const task = cron.schedule(job.schedule, (context) => this.runOnce(job, context.date).then(() => undefined), { name: job.name, noOverlap: true });
      this.tasks.push(task);
    }
  }

  async stop(): Promise<void> {
    for (const task of this.tasks.splice(0)) {
      await task.stop();
      await task.destroy();
    }
  }
}
