import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { deserialize, serialize } from 'node:v8';
import Database from 'better-sqlite3';
import request from 'supertest';
import { startSimulator, type RunningSimulator } from '../../src/simulator/server';
import { API, BASIC_CLIENT, CORPORATE_ACCOUNT, PKCE_CLIENT, POST_CLIENT, TestClock, bulkBody, bulkItems, connect, tokenRequest, transferBody, type Tokens } from './helpers';

/** The simulator as `npm start` runs it: on a socket, with its state in an SQLite file across a stop and a start. */
let dir: string;
let file: string;
let clock: TestClock;
let logs: string[];
const running: RunningSimulator[] = [];

async function start(stateFile?: string): Promise<RunningSimulator> {
  const sim = await startSimulator({ clock, clients: [POST_CLIENT, BASIC_CLIENT, PKCE_CLIENT], logger: (line) => logs.push(line) }, 0, '127.0.0.1', stateFile);
  running.push(sim);
  return sim;
}

async function stop(sim: RunningSimulator): Promise<void> {
  running.splice(running.indexOf(sim), 1);
  await sim.stop();
}

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'gbi-simstate-'));
  file = join(dir, 'data', 'simulator.sqlite');
  clock = new TestClock();
  logs = [];
});

afterEach(async () => {
  await Promise.all(running.splice(0).map((s) => s.stop()));
  rmSync(dir, { recursive: true, force: true });
});

const api = (sim: RunningSimulator, token: string) => ({
  get: (path: string, query: Record<string, string> = {}) => request(sim.url).get(`${API}${path}`).set('x-access-token', token).query(query),
  post: (path: string, body: object, key?: string) => {
    const r = request(sim.url).post(`${API}${path}`).set('x-access-token', token);
    return (key ? r.set('Idempotency-Key', key) : r).send(body);
  },
});

describe('the simulator state file', () => {
  test('a stop and a start from the file keep the tokens, the transfers, the balances and the idempotency keys', async () => {
    const first = await start(file);
    const tokens: Tokens = await connect(first.sim.app);
    const bank = api(first, tokens.access_token);
    const transfer = (await bank.post('/transfer/request', transferBody(), 'payout-1').expect(201)).body as { applyNo: string };
    const bulk = (await bank.post('/bulktransfer/request', bulkBody(bulkItems(3)), 'bulk-1').expect(201)).body as { applyNo: string };
    const va = (await bank.post('/va/issue', { vaTypeCode: '2', issueRequestCount: '1', raId: CORPORATE_ACCOUNT }).expect(201)).body as { vaList: Array<{ vaId: string }> };
    const balances = (await bank.get('/accounts/balances').expect(200)).body;
    await stop(first);
    expect(existsSync(file)).toBe(true);

    const second = await start(file);
    expect(logs.some((l) => l.includes('"state restored"'))).toBe(true);
    const again = api(second, tokens.access_token);
    // the access token still works, and so does the refresh token the service holds
    expect((await again.get('/accounts/balances').expect(200)).body).toEqual(balances);
    const refreshed = await tokenRequest(second.sim.app, { grant_type: 'refresh_token', refresh_token: tokens.refresh_token! }).expect(200);
    expect(refreshed.body.access_token).not.toBe(tokens.access_token);

    // the transfer is still there, found by its applyNo, and its key is remembered: a resend books nothing
    const status = await again.get('/transfer/status', { accountId: CORPORATE_ACCOUNT, queryKeyClass: '1', applyNo: transfer.applyNo }).expect(200);
    expect(status.body.transferDetails[0].transferApplies[0].applyNo).toBe(transfer.applyNo);
    expect((await again.post('/transfer/request', transferBody(), 'payout-1').expect(201)).body.applyNo).toBe(transfer.applyNo);
    expect(second.sim.state.transfers().map((t) => t.applyNo)).toEqual([transfer.applyNo]);
    expect(second.sim.state.bulkTransfers().map((t) => t.applyNo)).toEqual([bulk.applyNo]);
    expect((await again.post('/va/list', { raId: CORPORATE_ACCOUNT }).expect(200)).body.vAccounts.map((v: { vaId: string }) => v.vaId)).toEqual([va.vaList[0].vaId]);

    // numbering goes on where it stopped, and the clock's schedule still settles the transfer
    const next = (await again.post('/transfer/request', transferBody(), 'payout-2').expect(201)).body as { applyNo: string };
    expect(next.applyNo > transfer.applyNo).toBe(true);
    clock.advance(61);
    expect(second.sim.state.transfers().find((t) => t.applyNo === transfer.applyNo)?.status).toBe('20');
  });

  test('changes are saved while it runs, not only at stop', async () => {
    const sim = await start(file);
    await connect(sim.sim.app);
    await request(sim.url).get('/_sim/stats').expect(200);
    const saved = () => {
      if (!existsSync(file)) return 0;
      const db = new Database(file, { readonly: true });
      try {
        return (db.prepare('SELECT COUNT(*) AS n FROM simulator_state').get() as { n: number }).n;
      } finally {
        db.close();
      }
    };
    for (let i = 0; i < 50 && saved() === 0; i++) await new Promise((r) => setTimeout(r, 100));
    expect(saved()).toBe(1);
  });

  test('a file written by another version is not half-read: the simulator starts empty and says why', async () => {
    const first = await start(file);
    const tokens = await connect(first.sim.app);
    await api(first, tokens.access_token).post('/transfer/request', transferBody(), 'payout-1').expect(201);
    await stop(first);
    const db = new Database(file);
    db.prepare('UPDATE simulator_state SET format = 999').run();
    db.close();

    const second = await start(file);
    expect(second.sim.state.transfers()).toEqual([]);
    expect(logs.some((l) => l.includes('state file not restored') && l.includes('format 999'))).toBe(true);
    await api(second, tokens.access_token).get('/accounts').expect(401);
  });

  test('a snapshot whose stores have other fields (the code changed since) is refused as a whole', async () => {
    const first = await start(file);
    await connect(first.sim.app);
    await stop(first);
    const db = new Database(file);
    const snapshot = deserialize((db.prepare('SELECT state FROM simulator_state').get() as { state: Buffer }).state) as { bank: Record<string, unknown> };
    delete snapshot.bank.applySeq;
    db.prepare('UPDATE simulator_state SET state = ?').run(serialize(snapshot));
    db.close();

    const second = await start(file);
    expect(logs.some((l) => l.includes('state file not restored') && l.includes('applySeq'))).toBe(true);
    expect(second.sim.state.transfers()).toEqual([]);
  });

  test('without a state file nothing is kept', async () => {
    const first = await start(undefined);
    const tokens = await connect(first.sim.app);
    await stop(first);
    expect(existsSync(file)).toBe(false);
    const second = await start(undefined);
    await api(second, tokens.access_token).get('/accounts').expect(401);
  });
});
