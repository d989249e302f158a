import cron, { type ScheduledTask } from 'node-cron';
import { withLogContext, type Logger } from '../log';
import type { JobLeases } from './lease';

export interface JobDefinition {
  name: string;
  schedule: string;
  /** the lease outlives one run by a wide margin, so a slow run is not joined by another instance */
  leaseSeconds: number;
  run: () => Promise<unknown>;
}

/** node-cron tasks, each run under a database lease so only one instance runs a job at a time. */
export class Scheduler {
  private readonly tasks: ScheduledTask[] = [];

  constructor(
    private readonly leases: JobLeases,
    private readonly log: Logger,
  ) {}

  /** One run now, under the lease; returns what the job returned, or undefined if another instance holds it. */
  runOnce(job: JobDefinition): Promise<unknown> {
    return withLogContext({ job: job.name }, async () => {
      try {
        const result = await this.leases.runExclusive(job.name, job.leaseSeconds, job.run);
        if (result === undefined) this.log.debug('job skipped: another instance holds the lease');
        return result;
      } catch (err) {
        this.log.error('job failed', { err });
        return undefined;
      }
    });
  }

  start(jobs: JobDefinition[]): void {
    for (const job of jobs) {
      if (!cron.validate(job.schedule)) throw new Error(`invalid cron schedule for ${job.name}: ${job.schedule}`);
      const task = cron.schedule(job.schedule, () => this.runOnce(job).then(() => undefined), { name: job.name, noOverlap: true });
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
