import { LessThanOrEqual } from 'typeorm';
import type { Clock } from '../clock';
import type { Database } from '../db/database';
import type { Logger } from '../log';
import { BankToken } from '../tokens/bankToken.entity';
import type { ConnectionStore } from './connectionStore';

/**
 * Finds connected companies whose refresh token lapses within N days and announces each once
 * (connection.expiring), so ReCORE can ask the store owner to connect again before payouts stop.
 * One company's failure is logged and counted; the others are announced all the same.
 */
export class ConnectionExpiryWatch {
  constructor(
    private readonly db: Database,
    private readonly connections: ConnectionStore,
    private readonly clock: Clock,
    private readonly log: Logger,
    private readonly environment: string,
    private readonly withinDays: number,
  ) {}

  async runOnce(): Promise<{ announced: number; failed: number }> {
    const horizon = new Date(this.clock.now().getTime() + this.withinDays * 86_400_000);
    const lapsing = await this.db.manager.find(BankToken, {
      select: { companyId: true, createdAt: true },
      where: { environment: this.environment, kind: 'refresh', expiresAt: LessThanOrEqual(horizon) },
    });
    const connected = await this.connections.connectedAmong(lapsing.map((t) => t.companyId));
    let announced = 0;
    let failed = 0;
    for (const token of lapsing.filter((t) => connected.has(t.companyId))) {
      try {
        if (await this.connections.expiring(token.companyId, token.createdAt)) announced += 1;
      } catch (err) {
        failed += 1;
        this.log.error('connection expiry announcement failed', { companyId: token.companyId, err });
      }
    }
    return { announced, failed };
  }
}
