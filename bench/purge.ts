import { randomUUID } from 'node:crypto';
import { ConnectSession } from '../src/connections/connectSession.entity';
import type { Database } from '../src/db/database';
import { BankToken } from '../src/tokens/bankToken.entity';
import type { LoadGenerator, LoadJob, LoadResult } from './load';
import { runNode, SCRIPTS } from './children';

const ROWS_PER_INSERT = 1_000;
const INSERTS_PER_TRANSACTION = 50;
const FILL_CAP_MS = 30 * 60_000;
const PURGE_CAP_MS = 30 * 60_000;
const MAX_RUNS = 20;
/** The light load whose p99 is read quiet and during the purge: a steady 50 POSTs a second over 4 connections. */
const LIGHT = { connections: 4, rate: 50 };

export interface PurgeFigures {
  rows: number;
  fillSeconds: number;
  deleted: number;
  runs: number;
  /** runs that exited non-zero, and the first one's reason */
  failedRuns: number;
  failure?: string;
  seconds: number;
  quiet: LoadResult;
  during: LoadResult;
}

/**
 * Half the rows expired tokens, half expired connect sessions (each table's purge is its own loop), written
 * straight into the integrator's tables with multi-row INSERTs, as a backlog of months would leave them.
 */
async function fillExpired(db: Database, rows: number, environment: string): Promise<number> {
  const started = performance.now();
  const expired = new Date(Date.now() - 86_400_000);
  const tokens = Math.ceil(rows / 2);
  const token = (i: number): Partial<BankToken> => ({
    id: randomUUID(),
    environment,
    companyId: `purge-${i}`,
    kind: 'access',
    ciphertext: 'x'.repeat(64),
    iv: '0'.repeat(24),
    tag: '0'.repeat(32),
    keyId: 'bench',
    expiresAt: expired,
    createdAt: expired,
  });
  const session = (): Partial<ConnectSession> => ({ id: randomUUID(), environment, companyId: 'purge', returnUrl: null, expiresAt: expired, createdAt: expired });
  const fill = async (entity: typeof BankToken | typeof ConnectSession, count: number, row: (i: number) => object) => {
    for (let done = 0; done < count; ) {
      await db.transaction(async (em) => {
        for (let n = 0; n < INSERTS_PER_TRANSACTION && done < count; n++) {
          const size = Math.min(ROWS_PER_INSERT, count - done);
          await em.createQueryBuilder().insert().into(entity).values(Array.from({ length: size }, (_, i) => row(done + i))).updateEntity(false).execute();
          done += size;
        }
      });
      if (performance.now() - started > FILL_CAP_MS) throw new Error(`filling ${rows} expired rows took more than ${FILL_CAP_MS / 60_000} minutes`);
    }
  };
  await fill(BankToken, tokens, token);
  await fill(ConnectSession, rows - tokens, session);
  return (performance.now() - started) / 1000;
}

/**
 * The ops CLI's `purge` as a process over `rows` expired rows, run again until every row is gone (a run stops
 * at its time budget and leaves the rest to the next), while the integrator serves a light load; that load's
 * p99 quiet, before the rows exist, is the comparison. The time is the runs' own, process starts included.
 */
export async function measurePurge(load: LoadGenerator, post: (prefix: string) => LoadJob, db: Database, env: NodeJS.ProcessEnv, rows: number, seconds: number, tag: string): Promise<PurgeFigures> {
  // long enough for a p99 of several hundred answers whatever BENCH_SECONDS is
  const quiet = await load.run({ ...post(`${tag}-purge-quiet`), ...LIGHT, seconds: Math.max(3 * seconds, 10) });
  const fillSeconds = await fillExpired(db, rows, env.BANK_ENV!);

  const during = load.run({ ...post(`${tag}-purge-load`), ...LIGHT, seconds: PURGE_CAP_MS / 1000 });
  // awaited below; a failed purge must not leave its rejection unhandled
  during.catch(() => undefined);
  let deleted = 0;
  let runs = 0;
  let failedRuns = 0;
  let failure: string | undefined;
  let ms = 0;
  try {
    while (runs < MAX_RUNS && ms < PURGE_CAP_MS && deleted < rows) {
      const run = await runNode(SCRIPTS.cli, ['purge'], env, PURGE_CAP_MS);
      runs += 1;
      ms += run.ms;
      if (run.status !== 0) {
        // a failed run is a finding, not the end of the measure: the next run takes what it left
        failedRuns += 1;
        failure ??= /"err":\{"message":"([^"]+)"/.exec(run.stderr)?.[1] ?? run.stderr.trim().split('\n').pop();
        continue;
      }
      const answer = JSON.parse(run.stdout) as { tokens: number; connectSessions: number };
      if (answer.tokens + answer.connectSessions === 0) break;
      deleted += answer.tokens + answer.connectSessions;
    }
  } finally {
    load.stop();
  }
  return { rows, fillSeconds, deleted, runs, failedRuns, failure, seconds: ms / 1000, quiet, during: await during };
}
