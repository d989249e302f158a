import { availableParallelism, cpus, loadavg, platform, release, totalmem } from 'node:os';
import { normaliseBeneficiaryName } from '../src/transfers/zengin/kana';
import { Transfer } from '../src/transfers/transfer.entity';
import { Api, Outcomes } from './api';
import { figures, load, loopSync } from './measure';
import { printInvariants, printTable, type Invariant, type Row } from './report';
import { startStack, type Stack } from './stack';
import { measureBulk } from './bulk';
import { measureWebhooks } from './webhooks';

/**
 * `npm run bench`: payouts end to end through the real service and the real bank simulator over loopback,
 * then the hot paths underneath. BENCH_TRANSFERS (default 300) sets N; BENCH_DATABASE_URL=mysql://… runs on
 * MySQL/MariaDB instead of a temp SQLite file.
 */

const CAP_MS = 60_000;
const CONCURRENCIES = [1, 10, 50];
const WARM_UP = 20;
const VAULT_READS = 2_000;
const NAME_CONVERSIONS = 20_000;
// Every transfer debits 1,000 yen + a 145 yen fee from the simulator's 50,000,000 yen test account.
const MAX_TRANSFERS = 10_000;

const NAMES = [
  'ヤマダ タロウ',
  'やまだ はなこ',
  'ｽｽﾞｷ ｲﾁﾛｳ',
  'サトウ　ジロウ',
  'Tanaka Kenji',
  '株式会社リコア',
  'ヤマダショウジ（株）',
  'ニッポン トレーディング カブシキガイシャ',
  '医療法人社団 ケンコウカイ',
  'ミナトヴィンテージ合同会社',
];

function transferCount(): number {
  const raw = process.env.BENCH_TRANSFERS ?? '300';
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1 || n > MAX_TRANSFERS) {
    throw new Error(`BENCH_TRANSFERS must be an integer from 1 to ${MAX_TRANSFERS} (got ${raw})`);
  }
  return n;
}

function printMachine(stack: Stack, n: number): void {
  const cpu = cpus()[0]?.model.trim() ?? 'unknown';
  console.log(`node ${process.version} on ${platform()} ${release()}`);
  console.log(`cpus: ${availableParallelism()} × ${cpu}, memory ${(totalmem() / 2 ** 30).toFixed(1)} GiB`);
  // Other work on the machine skews every figure below; the load average says how much there was.
  console.log(`load average (1/5/15 min) at start: ${loadavg().map((l) => l.toFixed(2)).join(' / ')}`);
  console.log(`database: ${stack.database}`);
  console.log(`transfers per run: ${n}; the load generator, the service and the bank simulator share this one process`);
  console.log('');
}

async function main(): Promise<void> {
  const n = transferCount();
  const stack = await startStack(process.env.BENCH_DATABASE_URL);
  try {
    printMachine(stack, n);
    const { rows, invariants } = await measure(stack, n);
    const webhooks = await measureWebhooks(stack, process.env.BENCH_DATABASE_URL, n, CAP_MS);
    rows.push(...webhooks.rows);
    invariants.push({
      name: 'every webhook event recorded was delivered once',
      ok: webhooks.delivered === webhooks.pending,
      detail: `${webhooks.pending} pending before the dispatch, ${webhooks.delivered} received`,
    });
    const bulk = await measureBulk(process.env.BENCH_DATABASE_URL, CAP_MS);
    rows.push(...bulk.rows);
    invariants.push(...bulk.invariants);
    printTable(rows);
    console.log('');
    console.log(webhooks.ratioLine);
    for (const line of bulk.lines) console.log(line);
    console.log('');
    printInvariants(invariants);
    if (invariants.some((i) => !i.ok)) process.exitCode = 1;
  } finally {
    await stack.close();
  }
}

async function measure(stack: Stack, n: number): Promise<{ rows: Row[]; invariants: Invariant[] }> {
  const api = new Api(stack);
  const rows: Row[] = [];
  const keysSent = new Set<string>();
  const created = new Outcomes();
  const replayed = new Outcomes();
  const listed = new Outcomes();
  const create = (key: string) => {
    keysSent.add(key);
    return api.postTransfer(key, created);
  };

  // JIT, the sockets' pools and the database's caches, before anything is timed.
  await load(WARM_UP, 1, CAP_MS, (i) => create(`warm-${i}`));
  await load(WARM_UP, 1, CAP_MS, (i) => api.postTransfer(`warm-${i}`, replayed));
  await load(WARM_UP, 1, CAP_MS, () => api.listTransfers(50, new Outcomes()));
  await load(200, 1, CAP_MS, () => stack.services.vault.accessToken(stack.companyId).then(() => undefined));
  loopSync(2_000, CAP_MS, (i) => normaliseBeneficiaryName(NAMES[i % NAMES.length]));

  // Replays below resend the keys of the sequential run: fewer than n if its cap stopped it.
  let replayable = 0;
  for (const c of CONCURRENCIES) {
    const run = await load(n, c, CAP_MS, (i) => create(`c${c}-${i}`));
    if (c === 1) replayable = run.done;
    rows.push({ name: `POST /transfers, ${c} in flight`, figures: figures(run) });
  }
  for (const c of [1, 10]) {
    const run = await load(n, c, CAP_MS, (i) => api.postTransfer(`c1-${i % replayable}`, replayed));
    rows.push({ name: `POST /transfers replay, ${c} in flight`, figures: figures(run) });
  }
  const expectedItems = Math.min(50, keysSent.size);
  const list = await load(n, 1, CAP_MS, () => api.listTransfers(50, listed));
  rows.push({ name: 'GET /transfers?limit=50', figures: figures(list) });

  const vault = await load(VAULT_READS, 1, CAP_MS, () => stack.services.vault.accessToken(stack.companyId).then(() => undefined));
  rows.push({ name: 'vault.accessToken (fresh, decrypt)', figures: figures(vault) });

  let namesRefused = 0;
  const names = loopSync(NAME_CONVERSIONS, CAP_MS, (i) => {
    if (!normaliseBeneficiaryName(NAMES[i % NAMES.length]).ok) namesRefused++;
  });
  rows.push({ name: `normaliseBeneficiaryName (${NAMES.length} names)`, figures: figures(names) });

  const stats = stack.sim.state.stats();
  const stored = await stack.services.db.manager.countBy(Transfer, { companyId: stack.companyId });
  const invariants: Invariant[] = [
    {
      name: 'bank booked one transfer per distinct Idempotency-Key',
      ok: stats.transferRequests === keysSent.size,
      detail: `simulator transferRequests ${stats.transferRequests}, distinct keys ${keysSent.size}`,
    },
    { name: 'service stored one transfer per distinct key', ok: stored === keysSent.size, detail: `${stored} rows` },
    { name: 'every first POST answered 201', ok: created.only('201'), detail: created.toString() },
    { name: 'every replay answered 201 Idempotent-Replayed', ok: replayed.only('201 replayed'), detail: replayed.toString() },
    {
      name: `every list answered 200 with ${expectedItems} items`,
      ok: listed.only(`200 with ${expectedItems} items`),
      detail: listed.toString(),
    },
    {
      name: 'one consent, no token refresh',
      ok: stats.tokenRequests.authorization_code === 1 && stats.tokenRequests.refresh_token === 0,
      detail: `authorization_code ${stats.tokenRequests.authorization_code}, refresh_token ${stats.tokenRequests.refresh_token}`,
    },
    { name: 'every name normalised', ok: namesRefused === 0, detail: `${namesRefused} refused of ${names.done}` },
  ];
  return { rows, invariants };
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
