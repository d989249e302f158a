import { randomUUID } from 'node:crypto';
import { spawn } from 'node:child_process';
import { BankConnection } from '../../src/connections/bankConnection.entity';
import { ConnectSession } from '../../src/connections/connectSession.entity';
import { Scheduler } from '../../src/jobs/scheduler';
import { Purger } from '../../src/purge/purger';
import { connectCompany } from '../support/connect';
import { DATABASES } from '../support/databases';
import { startHarness, type Harness } from '../support/harness';

describe.each(DATABASES)('expiry purge on %s', (kind) => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness(kind);
  });
  afterAll(async () => {
    await h?.close();
  });

  const countSql = async (sql: string) => Number((await h.services.db.dataSource.query(sql))[0].n);

  test('expired token rows and connect sessions are physically deleted, unexpired ones remain', async () => {
    await connectCompany(h, 'P-OLD');
    const { vault, db } = h.services;
    // P-OLD: access token expires in 1 h, refresh in 2 h; P-NEW: both far in the future
    await db.transaction((em) => vault.store(em, 'P-OLD', { accessToken: 'a-old', refreshToken: 'r-old', expiresInSeconds: 3600, scopes: [] }));
    await db.manager.update('bank_tokens', { companyId: 'P-OLD', kind: 'refresh' }, { expiresAt: new Date(h.clock.now().getTime() + 7200_000) });
    await connectCompany(h, 'P-NEW');
    await h.services.connect.createSession('P-SESSION', null); // expires in 24 h

    h.clock.advanceSeconds(3600);
    const first = await h.services.purger.run();
    expect(first.tokens).toBe(1);
    expect(await countSql("SELECT COUNT(*) AS n FROM bank_tokens WHERE companyId = 'P-OLD'")).toBe(1);
    expect(await countSql("SELECT COUNT(*) AS n FROM bank_tokens WHERE companyId = 'P-NEW'")).toBe(2);

    h.clock.advanceSeconds(24 * 3600);
    const second = await h.services.purger.run();
    expect(second.tokens).toBe(1);
    expect(second.connectSessions).toBeGreaterThanOrEqual(1);
    expect(await countSql("SELECT COUNT(*) AS n FROM bank_tokens WHERE companyId = 'P-OLD'")).toBe(0);
    expect(await countSql("SELECT COUNT(*) AS n FROM connect_sessions WHERE companyId = 'P-SESSION'")).toBe(0);
    const expired = await h.services.db.manager
      .createQueryBuilder()
      .select('COUNT(*)', 'n')
      .from('bank_tokens', 't')
      .where('t.expiresAt <= :now', { now: h.clock.now() })
      .getRawOne();
    expect(Number(expired.n)).toBe(0);
    expect(await countSql("SELECT COUNT(*) AS n FROM bank_tokens WHERE companyId = 'P-NEW'")).toBe(2);
    // with every token gone the connection can only be revived by the store owner
    const conn = await h.services.db.manager.findOneByOrFail(BankConnection, { companyId: 'P-OLD' });
    expect(conn).toMatchObject({ status: 'reauthorization_required', statusReason: 'tokens_expired' });
    expect(await h.services.db.manager.count(ConnectSession, { where: { companyId: 'P-SESSION' } })).toBe(0);
  });

  const expiredTokens = async (prefix: string, n: number) => {
    const past = new Date(h.clock.now().getTime() - 1000);
    const rows = Array.from({ length: n }, (_, i) => ({
      id: randomUUID(),
      environment: 'simulator',
      companyId: `${prefix}${i}`,
      kind: 'access',
      ciphertext: 'x',
      iv: 'x',
      tag: 'x',
      keyId: 'k1',
      expiresAt: past,
      createdAt: past,
    }));
    for (let i = 0; i < rows.length; i += 300) await h.services.db.manager.insert('bank_tokens', rows.slice(i, i + 300));
  };

  test('deletes in batches beyond one batch', async () => {
    await expiredTokens('P-BULK-', 1203);
    const result = await h.services.purger.run();
    expect(result.tokens).toBe(1203);
    expect(await countSql("SELECT COUNT(*) AS n FROM bank_tokens WHERE companyId LIKE 'P-BULK-%'")).toBe(0);
  });

  /** A purger of 500-row batches, 10 ms rests at least, whose time is `elapsedMs` and whose rests `sleep` records. */
  const pacedPurger = (budgetMs: number, elapsedMs: () => number, sleep: (ms: number) => Promise<void>) => {
    const s = h.services;
    return new Purger(s.db, s.vault, s.connect, s.connectionStore, s.clock, s.log, s.audit, s.metrics.instruments, { batch: 500, pauseMs: 10, budgetMs, elapsedMs, sleep });
  };

  test('a run stops taking batches when its time budget is spent, pausing between batches; the next run goes on where it stopped', async () => {
    await expiredTokens('P-BUDGET-', 2_500);
    let elapsed = 0;
    const pauses: number[] = [];
    // every pause costs 20 s of a 45 s budget: after the fourth batch of 500 no time is left
    const purger = pacedPurger(
      45_000,
      () => elapsed,
      async (ms) => {
        pauses.push(ms);
        elapsed += 20_000;
      },
    );
    const first = await purger.run();
    expect(first).toMatchObject({ tokens: 2_000, complete: false });
    expect(pauses).toEqual([10, 10, 10]);
    elapsed = 0;
    const second = await purger.run();
    expect(second).toMatchObject({ tokens: 500, complete: true });
    expect(await countSql("SELECT COUNT(*) AS n FROM bank_tokens WHERE companyId LIKE 'P-BUDGET-%'")).toBe(0);
  });

  test('after each batch the purge rests at least as long as the batch took (it holds the database at most half the time)', async () => {
    await expiredTokens('P-REST-', 1_600);
    let elapsed = 0;
    const pauses: number[] = [];
    // every reading of the time is 35 ms after the one before: each DELETE takes 35 ms
    const purger = pacedPurger(
      3_600_000,
      () => (elapsed += 35),
      async (ms) => {
        pauses.push(ms);
      },
    );
    expect(await purger.run()).toMatchObject({ tokens: 1_600, complete: true });
    expect(pauses).toEqual([35, 35, 35]);
  });

  if (kind === 'sqlite') {
    test('another process holding the write lock for a moment makes the purge wait (busy timeout), not fail with "database is locked"', async () => {
      await expiredTokens('P-LOCKED-', 1_200);
      // the CLI and the service are two processes on one SQLite file: a real second process holds the write
      // lock for 300 ms (better-sqlite3 waits synchronously, so it cannot be a connection of this process)
      const holder = spawn(
        process.execPath,
        [
          '-e',
          `const db = new (require('better-sqlite3'))(process.argv[1]);
           db.exec('BEGIN IMMEDIATE');
           db.prepare("UPDATE bank_tokens SET keyId = keyId WHERE companyId = 'P-LOCKED-0'").run();
           process.stdout.write('locked\\n');
           Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 300);
           db.exec('COMMIT');
           db.close();`,
          h.services.db.dataSource.options.database as string,
        ],
        { cwd: process.cwd(), stdio: ['ignore', 'pipe', 'inherit'] },
      );
      await new Promise<void>((resolve, reject) => {
        holder.stdout!.once('data', () => resolve());
        holder.once('exit', (code) => reject(new Error(`the lock holder exited (${code}) before locking`)));
      });
      const released = new Promise<void>((resolve) => holder.once('exit', () => resolve()));
      const result = await h.services.purger.run();
      await released;
      expect(result).toMatchObject({ tokens: 1_200, complete: true });
    });
  }

  test('the cron job runs under a lease: of two instances only one purges at a time', async () => {
    const other = h.anotherInstance();
    const job = h.services.jobs.find((j) => j.name === 'purge-expired-tokens')!;
    expect(job.schedule).toBe('*/10 * * * *');
    expect(await h.services.leases.tryAcquire(job.name, 300)).toBe(true);
    const skipped = await new Scheduler(other.leases, other.log).runOnce(other.jobs.find((j) => j.name === job.name)!);
    expect(skipped).toEqual({ outcome: 'skipped' });
    await h.services.leases.release(job.name);
    const ran = await new Scheduler(other.leases, other.log).runOnce(other.jobs.find((j) => j.name === job.name)!);
    expect(ran).toEqual({ outcome: 'ran', result: expect.objectContaining({ tokens: expect.any(Number) }) });
    // an expired lease of a crashed holder is taken over
    expect(await h.services.leases.tryAcquire(job.name, 60)).toBe(true);
    h.clock.advanceSeconds(61);
    expect(await other.leases.tryAcquire(job.name, 60)).toBe(true);
  });
});
