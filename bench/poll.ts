import { IsNull, Like, Not } from 'typeorm';
import type { Database } from '../src/db/database';
import { Transfer } from '../src/transfers/transfer.entity';
import type { LoadGenerator, LoadJob, LoadResult } from './load';
import { cli } from './targets';

const CAP_MS = 30 * 60_000;

export interface PollFigures {
  open: number;
  /** the N POSTs that opened them, at c=32 */
  created: LoadResult;
  followed: number;
  passes: number;
  /** the passes that found work */
  seconds: number;
  /** a pass that found nothing due: the CLI's own start and stop */
  emptyPassSeconds: number;
  outcomes: Record<string, number>;
}

/**
 * `open` payouts made through the integrator (at c=32; the bank settles none during the run), all made due
 * at once, every other open transfer of the run moved out of the way; then the ops CLI's `poll` as a process,
 * pass after pass, until a pass finds nothing due.
 */
export async function measurePoll(load: LoadGenerator, post: (prefix: string) => LoadJob, db: Database, env: NodeJS.ProcessEnv, companyId: string, open: number, tag: string): Promise<PollFigures> {
  const prefix = `${tag}-poll`;
  const created = await load.run({ ...post(prefix), connections: 32, amount: open }, CAP_MS);
  const now = Date.now();
  await db.manager.update(Transfer, { companyId, nextPollAt: Not(IsNull()), idempotencyKey: Not(Like(`${prefix}-%`)) }, { nextPollAt: new Date(now + 365 * 86_400_000) });
  await db.manager.update(Transfer, { companyId, idempotencyKey: Like(`${prefix}-%`) }, { nextPollAt: new Date(now - 1000) });

  const outcomes: Record<string, number> = {};
  let followed = 0;
  let passes = 0;
  let ms = 0;
  for (;;) {
    if (ms > CAP_MS) throw new Error(`polling ${open} transfers took more than ${CAP_MS / 60_000} minutes`);
    const pass = await cli(env, ['poll'], CAP_MS);
    const counts = pass.answer as Record<string, number>;
    if (!counts.checked) return { open: created.ok, created, followed, passes, seconds: ms / 1000, emptyPassSeconds: pass.ms / 1000, outcomes };
    for (const [outcome, n] of Object.entries(counts)) if (outcome !== 'checked' && n > 0) outcomes[outcome] = (outcomes[outcome] ?? 0) + n;
    followed += counts.checked;
    passes += 1;
    ms += pass.ms;
  }
}
