import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Database } from '../src/db/database';
import { insertRows } from '../src/db/rowSql';
import { Transfer } from '../src/transfers/transfer.entity';
import type { LoadGenerator, LoadJob, LoadResult } from './load';

/** ~45 columns a row: 500 rows stay under SQLite's 32,766 bound variables a statement */
const ROWS_PER_INSERT = 500;
const INSERTS_PER_TRANSACTION = 100;
const FILL_CAP_MS = 30 * 60_000;
/** one row in ten is the bench company's: its list grows as the others' do, and stays its own share */
const OWN_SHARE = 10;
const OTHER_COMPANIES = 1_000;
const YEAR_MS = 365 * 86_400_000;
const SETTLE_CAP_MS = 120_000;
/** InnoDB pages still to be written out below which MariaDB is taken to be at rest (16 KiB each: 1.6 MiB) */
const DIRTY_AT_REST = 100;
/** …or seconds in which that count did not fall: as written out as it gets */
const STILL_SECONDS = 5;

export interface GrowthRequests {
  /** a new payout each time */
  post: (prefix: string) => LoadJob;
  /** one stored transfer */
  get: LoadJob;
  /** GET /v1/companies/:id/transfers?status=submitted&limit=50 */
  list: LoadJob;
}

/** Each request's figures at c=1, and the table it was measured over. */
export interface GrowthSide {
  /** rows of `transfers`, all companies */
  total: number;
  /** the bench company's rows */
  company: number;
  post: LoadResult;
  get: LoadResult;
  list: LoadResult;
}

export interface GrowthFigures {
  rows: number;
  fillSeconds: number;
  /** from the end of the fill until the database had written it out */
  settleSeconds: number;
  before: GrowthSide;
  after: GrowthSide;
}

/** What a payout's row becomes after the bank answered: mostly completed, some still submitted, a few failed. */
function lifecycle(i: number, createdAt: Date): Partial<Transfer> {
  const submittedAt = new Date(createdAt.getTime() + 1_000);
  if (i % 20 === 0) return { status: 'submitted', bankStatus: '2', submittedAt, completedAt: null, nextPollAt: new Date(Date.now() + YEAR_MS) };
  if (i % 20 === 1) return { status: 'failed', bankStatus: '40', submittedAt, completedAt: null, nextPollAt: null };
  return { status: 'completed', bankStatus: '20', submittedAt, completedAt: new Date(createdAt.getTime() + 3_600_000), nextPollAt: null };
}

/**
 * `rows` transfers written straight into the table as a year of payouts would leave them, each a copy of a
 * row the integrator made itself (so every column holds what the service writes) with its own id, key and
 * applyNo (the simulator's are of today's date, these of 1999), dated over the year before the bench's own.
 */
async function fillTransfers(db: Database, template: Transfer, rows: number, tag: string): Promise<number> {
  const started = performance.now();
  const oldest = Date.now() - YEAR_MS;
  // every column, each value as the driver writes it, 500 rows an INSERT (db/rowSql.ts): TypeORM's insert
  // builder spends more time building such a statement than the database spends running it
  const row = (i: number): Transfer => {
    const createdAt = new Date(oldest + Math.floor((i * YEAR_MS) / rows));
    return Object.assign(new Transfer(), {
      ...template,
      ...lifecycle(i, createdAt),
      id: randomUUID(),
      companyId: i % OWN_SHARE === 0 ? template.companyId : `growth-${tag}-${i % OTHER_COMPANIES}`,
      idempotencyKey: `${tag}-growth-${i}`,
      applyNo: `19990101${String(i).padStart(8, '0')}`,
      inFlightSince: null,
      lastAttemptAt: createdAt,
      createdAt,
      updatedAt: createdAt,
    });
  };
  for (let done = 0; done < rows; ) {
    await db.transaction(async (em) => {
      for (let n = 0; n < INSERTS_PER_TRANSACTION && done < rows; n++) {
        const size = Math.min(ROWS_PER_INSERT, rows - done);
        await insertRows(em, Transfer, Array.from({ length: size }, (_, i) => row(done + i)));
        done += size;
      }
    });
    if (performance.now() - started > FILL_CAP_MS) throw new Error(`filling ${rows} transfers took more than ${FILL_CAP_MS / 60_000} minutes`);
  }
  return (performance.now() - started) / 1000;
}

/**
 * A fill is not over when its last COMMIT returns: MariaDB goes on writing its dirty pages out, and SQLite's
 * WAL holds the last pages written. The figures after it are of a table at rest, not of a database still busy.
 */
async function settle(db: Database): Promise<number> {
  const started = performance.now();
  if (db.kind === 'sqlite') await db.dataSource.query('PRAGMA wal_checkpoint(TRUNCATE)');
  else {
    let fewest = Infinity;
    let still = 0;
    while (performance.now() - started < SETTLE_CAP_MS && still < STILL_SECONDS) {
      const [{ Value }] = (await db.dataSource.query("SHOW GLOBAL STATUS LIKE 'Innodb_buffer_pool_pages_dirty'")) as Array<{ Value: string }>;
      const dirty = Number(Value);
      if (dirty < DIRTY_AT_REST) break;
      still = dirty < fewest ? 0 : still + 1;
      fewest = Math.min(fewest, dirty);
      await sleep(1_000);
    }
  }
  return (performance.now() - started) / 1000;
}

/**
 * The three requests in turn at c=1 for `seconds` each, after a second of each untimed (the first requests
 * after a fill read cold pages: the figures are of a table in use, not of its first reads).
 */
async function measureSide(load: LoadGenerator, requests: GrowthRequests, db: Database, companyId: string, seconds: number, prefix: string): Promise<GrowthSide> {
  const jobs = { post: requests.post(`${prefix}-post`), get: requests.get, list: requests.list };
  for (const [what, job] of Object.entries(jobs)) await load.run({ ...job, unique: job.unique && { ...job.unique, prefix: `${prefix}-warm-${what}` }, connections: 1, seconds: 1 });
  const post = await load.run({ ...jobs.post, connections: 1, seconds });
  const get = await load.run({ ...jobs.get, connections: 1, seconds });
  const list = await load.run({ ...jobs.list, connections: 1, seconds });
  const total = await db.manager.count(Transfer);
  const company = await db.manager.countBy(Transfer, { companyId });
  return { total, company, post, get, list };
}

/**
 * The integrator's request times over the table as the bench left it (a few thousand transfers), then again
 * after `rows` more: an index that serves a request does so in the same time over a million rows; a scan does not.
 */
export async function measureGrowth(
  load: LoadGenerator,
  requests: GrowthRequests,
  db: Database,
  template: { companyId: string; transferId: string },
  rows: number,
  seconds: number,
  tag: string,
): Promise<GrowthFigures> {
  const before = await measureSide(load, requests, db, template.companyId, seconds, `${tag}-growth-before`);
  const model = await db.manager.findOneByOrFail(Transfer, { id: template.transferId });
  const fillSeconds = await fillTransfers(db, model, rows, tag);
  const settleSeconds = await settle(db);
  const after = await measureSide(load, requests, db, template.companyId, seconds, `${tag}-growth-after`);
  return { rows, fillSeconds, settleSeconds, before, after };
}
