import type { EntityManager } from 'typeorm';
import type { Clock } from '../clock';
import type { Database } from '../db/database';
import { JobLease } from './jobLease.entity';

/**
 * A lease in the database, portable across SQLite and MySQL: the row is created once, then taken with a
 * conditional UPDATE, so of several instances exactly one wins until it expires. Cron jobs lead with it,
 * and the vault refreshes a company's tokens under one (`refresh-token:<env>:<company>`).
 *
 * A cron run names its `slot` (the tick it is for). Released after such a run, the lease keeps that slot in
 * `until`: every instance's timer fires for the same slot, and one that fires a moment after the run is over
 * must see that the slot was run, not a free lease. Comparing slots, not clocks, also holds across hosts.
 */
export class JobLeases {
  constructor(
    private readonly db: Database,
    private readonly clock: Clock,
    private readonly holder: string,
  ) {}

  async tryAcquire(name: string, ttlSeconds: number, slot?: Date): Promise<boolean> {
    const now = this.clock.now();
    const exists = await this.db.manager.existsBy(JobLease, { name });
    if (!exists) {
      try {
        await this.db.transaction((em) => em.insert(JobLease, { name, holder: null, until: null }));
      } catch {
        // another instance created it first: fine, the UPDATE below decides
      }
    }
    const result = await this.db.transaction((em) =>
      em
        .createQueryBuilder()
        .update(JobLease)
        .set({ holder: this.holder, until: new Date(now.getTime() + ttlSeconds * 1000) })
        .where('name = :name', { name })
        .andWhere(
          slot
            ? '(holder = :me OR (holder IS NULL AND (until IS NULL OR until < :slot)) OR (holder IS NOT NULL AND until < :now))'
            : '(holder IS NULL OR until < :now OR holder = :me)',
          { now, me: this.holder, slot },
        )
        .execute(),
    );
    return (result.affected ?? 0) === 1;
  }

  /** `slot`: the cron slot just run, kept so that no instance runs it again. */
  async release(name: string, slot?: Date): Promise<void> {
    await this.db.transaction((em) =>
      em
        .createQueryBuilder()
        .update(JobLease)
        .set({ holder: null, until: slot ?? null })
        .where('name = :name AND holder = :me', { name, me: this.holder })
        .execute(),
    );
  }

  /**
   * Inside the caller's transaction: true only if this instance still holds the lease, extending it. A write
   * fenced by it can never land after another instance took over. A lease that lapsed while nobody took it
   * over still fences: dropping the write then would throw away what the bank already issued (a rotated
   * refresh token) for nothing.
   */
  async fence(em: EntityManager, name: string, ttlSeconds: number): Promise<boolean> {
    const now = this.clock.now();
    const result = await em
      .createQueryBuilder()
      .update(JobLease)
      .set({ until: new Date(now.getTime() + ttlSeconds * 1000) })
      .where('name = :name AND holder = :me', { name, me: this.holder })
      .execute();
    return (result.affected ?? 0) === 1;
  }

  /** Runs `work` only if this instance gets the lease (and, for a cron `slot`, nobody ran that slot); `held: false` otherwise. */
  async runExclusive<T>(name: string, ttlSeconds: number, work: () => Promise<T>, slot?: Date): Promise<{ held: true; result: T } | { held: false }> {
    if (!(await this.tryAcquire(name, ttlSeconds, slot))) return { held: false };
    try {
      return { held: true, result: await work() };
    } finally {
      await this.release(name, slot);
    }
  }
}
