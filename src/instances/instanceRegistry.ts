import { In, LessThan, MoreThanOrEqual } from 'typeorm';
import type { Clock } from '../clock';
import type { Database } from '../db/database';
import { ServiceInstance } from './serviceInstance.entity';

/** An instance is counted while its last beat is at most this many intervals old: one late beat is not a death. */
export const LIVE_FOR_BEATS = 3;
/** Rows older than this many intervals are deleted: nobody counts them, and until then they show an operator who died. */
const FORGET_AFTER_BEATS = 30;

/**
 * The heartbeats of the service's running processes in one environment (table `service_instances`): how
 * many of them share the bank's client id right now. Times come from the injected clock; instances on
 * several hosts compare each other's clocks, so these must be NTP-synchronised (a skew far below one
 * heartbeat interval is harmless).
 */
export class InstanceRegistry {
  constructor(
    private readonly db: Database,
    private readonly clock: Clock,
    private readonly environment: string,
    private readonly instanceId: string,
    private readonly intervalSeconds: number,
  ) {}

  /** The window within which a beat still counts. */
  get liveForMs(): number {
    return LIVE_FOR_BEATS * this.intervalSeconds * 1000;
  }

  /**
   * Records this instance as alive now and returns how many instances are, itself included. Its own row is
   * written (and committed) before the count, so every instance that counts after this beat counts it.
   */
  async beat(): Promise<number> {
    const now = this.clock.now();
    const { environment, instanceId: id } = this;
    await this.db.transaction(async (em) => {
      // only this process writes its own row: no other instance can insert it between the two statements
      if (await em.existsBy(ServiceInstance, { id })) await em.update(ServiceInstance, { id }, { lastSeenAt: now });
      else await em.insert(ServiceInstance, { id, environment, startedAt: now, lastSeenAt: now });
    });
    await this.forgetDead(now);
    return this.db.manager.countBy(ServiceInstance, { environment, lastSeenAt: MoreThanOrEqual(this.ago(now, this.liveForMs)) });
  }

  /**
   * Deleted by primary key, never by a range: on MariaDB a range DELETE locks the gaps of the index that
   * every beat writes, and concurrent beats deadlock on it.
   */
  private async forgetDead(now: Date): Promise<void> {
    const lastSeenAt = LessThan(this.ago(now, FORGET_AFTER_BEATS * this.intervalSeconds * 1000));
    const dead = await this.db.manager.find(ServiceInstance, { select: { id: true }, where: { environment: this.environment, lastSeenAt } });
    if (dead.length === 0) return;
    await this.db.transaction((em) => em.delete(ServiceInstance, { id: In(dead.map((d) => d.id)), lastSeenAt }));
  }

  /** On shutdown: the others stop counting this instance at their next beat instead of a liveness window later. */
  async leave(): Promise<void> {
    await this.db.transaction((em) => em.delete(ServiceInstance, { id: this.instanceId }));
  }

  private ago(now: Date, ms: number): Date {
    return new Date(now.getTime() - ms);
  }
}
