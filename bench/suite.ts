import type { Database } from '../src/db/database';
import { openDatabase } from '../src/schema';
import { startBank } from './bank';
import { gmoTransfer, TRANSFER } from './bodies';
import { measureBulk, type BulkFigures } from './bulk';
import { freePort, memoryOf, type NodeChild } from './children';
import { compare, type Ask, type Comparison } from './compare';
import { measureGrowth, type GrowthFigures } from './growth';
import type { LoadGenerator, LoadJob } from './load';
import { measurePoll, type PollFigures } from './poll';
import { measurePurge, type PurgeFigures } from './purge';
import type { DatabaseKind, Settings } from './settings';
import { countStatements, type Statements } from './statements';
import { connectCompany, integratorEnv, startBare, startIntegrator } from './targets';

const COLD_STARTS = 3;

export interface DatabaseFigures {
  kind: DatabaseKind;
  /** e.g. "sqlite 3.50.4" */
  version: string;
  comparison: Comparison;
  statements: Statements;
  coldStartMs: number[];
  bulk: BulkFigures;
  poll?: PollFigures;
  purge?: PurgeFigures;
  growth?: GrowthFigures;
  memory: Record<'integrator' | 'bare', ReturnType<typeof memoryOf>>;
}

const progress = (kind: DatabaseKind, what: string) => process.stderr.write(`[${kind}] ${what}\n`);

/** Creates one payout at the target and returns the id a GET of it takes. */
async function storedId(url: string, headers: Record<string, string>, body: string, idOf: (res: Response, json: Record<string, unknown>) => string | undefined): Promise<string> {
  const res = await fetch(url, { method: 'POST', headers: { ...headers, 'content-type': 'application/json', 'idempotency-key': `bench-get-${Date.now()}` }, body });
  const json = (await res.json()) as Record<string, unknown>;
  const id = idOf(res, json);
  if (res.status !== 201 || !id) throw new Error(`POST ${url}: HTTP ${res.status} ${JSON.stringify(json).slice(0, 300)}`);
  return id;
}

/**
 * One database's whole run, every target a process of its own: the simulator, the integrator (started
 * COLD_STARTS + 1 times: once to migrate, then timed), the bare app; then the measures in turn.
 */
export async function runDatabase(kind: DatabaseKind, url: string, settings: Settings, load: LoadGenerator, logDir: string, tag: string): Promise<DatabaseFigures> {
  const ports = { integrator: await freePort(), bare: await freePort() };
  const bank = await startBank(ports.integrator, logDir, `${kind}-simulator`);
  // every process started here, stopped at the end whatever happens (stop() of one gone already does nothing)
  const started: NodeChild[] = [];
  let db: Database | undefined;
  try {
    const env = integratorEnv(ports.integrator, url, bank);
    const startOne = async (n: number) => {
      const one = await startIntegrator(env, logDir, `${kind}-integrator-${n}`);
      started.push(one.process);
      return one;
    };
    // the first start migrates an empty database: not a cold start of the service
    let current = await startOne(0);
    const coldStartMs: number[] = [];
    for (let n = 1; n <= COLD_STARTS; n++) {
      await current.process.stop();
      current = await startOne(n);
      coldStartMs.push(current.startMs);
    }
    const integrator = current.process;
    progress(kind, `integrator cold starts: ${coldStartMs.map((ms) => ms.toFixed(0)).join(', ')} ms`);
    const { companyId, apiKey } = await connectCompany(env);
    const bare = await startBare(ports.bare, url, bank, logDir, `${kind}-bare`);
    started.push(bare);

    const baseUrl = env.PUBLIC_BASE_URL!;
    const bareUrl = `http://127.0.0.1:${ports.bare}`;
    const auth = { authorization: `Bearer ${apiKey}` };
    const transfersUrl = `${baseUrl}/v1/companies/${companyId}/transfers`;
    const apiBody = JSON.stringify(TRANSFER);
    const gmoBody = JSON.stringify(gmoTransfer(bank.accounts, new Date()));
    const integratorId = await storedId(transfersUrl, auth, apiBody, (_res, json) => json.id as string | undefined);
    const bareId = await storedId(`${bareUrl}/transfers`, {}, gmoBody, (res) => res.headers.get('location')?.split('/').pop());

    const post = (target: string, body: string, headers: Record<string, string>) => (prefix: string): LoadJob => ({
      url: target,
      method: 'POST',
      headers: { ...headers, 'content-type': 'application/json' },
      body,
      unique: { header: 'idempotency-key', prefix },
      connections: 1,
    });
    const get = (target: string, headers: Record<string, string>): LoadJob => ({ url: target, method: 'GET', headers, connections: 1 });
    const postToIntegrator = post(transfersUrl, apiBody, auth);
    const asks: Record<'integrator' | 'bare' | 'bank', Ask> = {
      integrator: (kindOf, prefix) => (kindOf === 'post' ? postToIntegrator(prefix) : get(`${transfersUrl}/${integratorId}`, auth)),
      bare: (kindOf, prefix) => (kindOf === 'post' ? post(`${bareUrl}/transfers`, gmoBody, {})(prefix) : get(`${bareUrl}/transfers/${bareId}`, {})),
      bank: (kindOf, prefix) => (kindOf === 'post' ? post(`${bank.apiUrl}/transfer/request`, gmoBody, { 'x-access-token': bank.accessToken })(prefix) : undefined),
    };

    db = await openDatabase(url, { migrate: false });
    // first, while the bank's account holds only the integrator's payouts: the poller lists them from the
    // bank 500 a page, and the bare app's and the direct calls' tens of thousands would be paged through too
    let poll: PollFigures | undefined;
    if (settings.openTransfers > 0) {
      progress(kind, `poller over ${settings.openTransfers} open transfers`);
      poll = await measurePoll(load, postToIntegrator, db, env, companyId, settings.openTransfers, tag);
      progress(kind, `poller: ${poll.followed} transfers followed in ${poll.passes} pass(es), ${poll.seconds.toFixed(1)} s`);
    }
    progress(kind, `side by side: ${settings.rounds} rotated rounds of ${settings.seconds} s per target and measure`);
    const comparison = await compare(load, asks, settings.seconds, settings.rounds, tag);
    progress(kind, 'statements per request');
    const statements = await countStatements(load, asks, { integratorUrl: baseUrl, bare }, kind === 'mariadb' ? url : undefined, tag);
    progress(kind, 'bulk transfer of 9,999 items');
    const bulk = await measureBulk(load, bank, { process: integrator, baseUrl, companyId, apiKey }, tag);

    let purge: PurgeFigures | undefined;
    if (settings.purgeRows > 0) {
      progress(kind, `purge of ${settings.purgeRows} expired rows`);
      purge = await measurePurge(load, postToIntegrator, db, env, settings.purgeRows, settings.seconds, tag);
      progress(kind, `purge: the rows took ${purge.fillSeconds.toFixed(1)} s to write, the purge ${purge.seconds.toFixed(1)} s`);
    }
    // read before the growth section, whose million rows would be the integrator's RSS figure otherwise
    const memory = { integrator: memoryOf(integrator.pid), bare: memoryOf(bare.pid) };

    // last: every measure above ran over the table of a few thousand transfers it would have in its first days
    let growth: GrowthFigures | undefined;
    if (settings.growthRows > 0) {
      progress(kind, `growth: the integrator at c=1 before and after ${settings.growthRows} more transfers`);
      const requests = { post: postToIntegrator, get: get(`${transfersUrl}/${integratorId}`, auth), list: get(`${transfersUrl}?status=submitted&limit=50`, auth) };
      growth = await measureGrowth(load, requests, db, { companyId, transferId: integratorId }, settings.growthRows, settings.seconds, tag);
      progress(kind, `growth: ${growth.rows} transfers took ${growth.fillSeconds.toFixed(1)} s to write, ${growth.settleSeconds.toFixed(1)} s more to be written out`);
    }
    const [{ version }] = (await db.dataSource.query(kind === 'sqlite' ? 'SELECT sqlite_version() AS version' : 'SELECT VERSION() AS version')) as Array<{ version: string }>;
    return {
      kind,
      version: `${kind === 'sqlite' ? 'sqlite' : 'mariadb'} ${version}`,
      comparison,
      statements,
      coldStartMs,
      bulk,
      poll,
      purge,
      growth,
      memory,
    };
  } finally {
    await db?.dataSource.destroy();
    for (const child of started) await child.stop();
    await bank.stop();
  }
}
