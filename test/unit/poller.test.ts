import { Writable } from 'node:stream';
import { createLogger } from '../../src/log';
import { Poller } from '../../src/transfers/poller';
import type { PollOutcome } from '../../src/transfers/reconciler';

interface Row {
  id: string;
  companyId: string;
}

const quietLog = () => createLogger({ level: 'error', stream: new Writable({ write: (_c, _e, done) => done() }) });

/**
 * A backlog in memory: `due` answers the rows not yet looked at, oldest first, as the store does (a row
 * looked at is pushed back out of the due set unless its push-back fails).
 */
function backlog(n: number) {
  const open = new Map<string, Row>(Array.from({ length: n }, (_, i) => [`t${String(i).padStart(5, '0')}`, { id: `t${String(i).padStart(5, '0')}`, companyId: 'C' }]));
  return { open, due: async (limit: number) => [...open.values()].slice(0, limit) };
}

describe('the poll pass', () => {
  it('works off a backlog batch after batch with no cap per pass, at most `concurrency` rows at once', async () => {
    const { open, due } = backlog(1_234);
    let running = 0;
    let peak = 0;
    const snapshots: number[] = [];
    const poller = new Poller<Row, string>({ noun: 'transfer', idField: 'transferId', batch: 500, concurrency: 8, budgetMs: 45_000 }, due, {
      snapshot: async (rows) => {
        snapshots.push(rows.length);
        return 'snap';
      },
      poll: async (row, snapshot) => {
        expect(snapshot).toBe('snap');
        running += 1;
        peak = Math.max(peak, running);
        await new Promise((r) => setImmediate(r));
        running -= 1;
        open.delete(row.id);
        return 'unchanged' as PollOutcome;
      },
      pushBack: async () => undefined,
    }, quietLog(), () => 0);
    const counts = await poller.runOnce();
    expect(counts).toMatchObject({ checked: 1_234, unchanged: 1_234 });
    expect(snapshots).toEqual([500, 500, 234]);
    expect(peak).toBe(8);
  });

  it('takes no new batch once the time budget is spent; the next pass goes on where it stopped', async () => {
    const { open, due } = backlog(2_000);
    let now = 0;
    const poller = new Poller<Row>({ noun: 'transfer', idField: 'transferId', batch: 500, concurrency: 4, budgetMs: 45_000 }, due, {
      poll: async (row) => {
        open.delete(row.id);
        now += 40; // 500 rows take 20 s of the budget
        return 'updated' as PollOutcome;
      },
      pushBack: async () => undefined,
    }, quietLog(), () => now);
    expect((await poller.runOnce()).checked).toBe(1_500);
    now = 0;
    expect((await poller.runOnce()).checked).toBe(500);
    expect(open.size).toBe(0);
  });

  it('a row that fails is pushed back and counted, the others go on; a row whose push-back fails is not looked at twice', async () => {
    const { open, due } = backlog(10);
    const pushedBack: string[] = [];
    const poller = new Poller<Row>({ noun: 'transfer', idField: 'transferId', batch: 4, concurrency: 2, budgetMs: 45_000 }, due, {
      poll: async (row) => {
        if (row.id === 't00003' || row.id === 't00007') throw new Error('a bad row');
        open.delete(row.id);
        return 'updated' as PollOutcome;
      },
      pushBack: async (row) => {
        pushedBack.push(row.id);
        // t00003 leaves the due set; t00007's push-back fails, so it stays due
        if (row.id === 't00007') throw new Error('the database for a moment');
        open.delete(row.id);
      },
    }, quietLog(), () => 0);
    const counts = await poller.runOnce();
    expect(counts).toMatchObject({ checked: 10, updated: 8, failed: 2 });
    expect(pushedBack.sort()).toEqual(['t00003', 't00007']);
    expect([...open.keys()]).toEqual(['t00007']);
  });

  it('a snapshot that cannot be taken leaves each row to ask on its own', async () => {
    const { open, due } = backlog(3);
    const seen: Array<string | undefined> = [];
    const poller = new Poller<Row, string>({ noun: 'transfer', idField: 'transferId', batch: 500, concurrency: 1, budgetMs: 45_000 }, due, {
      snapshot: async () => {
        throw new Error('the list query broke');
      },
      poll: async (row, snapshot) => {
        seen.push(snapshot);
        open.delete(row.id);
        return 'unchanged' as PollOutcome;
      },
      pushBack: async () => undefined,
    }, quietLog(), () => 0);
    expect((await poller.runOnce()).checked).toBe(3);
    expect(seen).toEqual([undefined, undefined, undefined]);
  });
});
