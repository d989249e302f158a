import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, cpus, loadavg, platform, release, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { createConnection } from 'mysql2/promise';
import { atExit } from './children';
import { LoadGenerator } from './load';
import { findMariaDbBinary, startMariaDb, stopMariaDb } from './mariadb';
import { failures, perDatabase, sideBySide } from './report';
import { readSettings, type Settings } from './settings';
import { runDatabase, type DatabaseFigures } from './suite';

/**
 * `npm run bench`: the integrator against a bare Express insert-and-forward and against the bank called
 * directly, every one a process of its own, loaded by a load generator in yet another process; per database
 * (a temp SQLite file, a throwaway mariadbd), then the once-per-database figures. See README, Tests and benchmark.
 */

const loadAverage = () => loadavg().map((l) => l.toFixed(2)).join(' / ');

function printMachine(settings: Settings): void {
  const cpu = cpus()[0]?.model.trim() ?? 'unknown';
  console.log(`node ${process.version} on ${platform()} ${release()}`);
  console.log(`cpus: ${availableParallelism()} × ${cpu}, memory ${(totalmem() / 2 ** 30).toFixed(1)} GiB`);
  // Other work on the machine skews every figure below; the load average says how much there was.
  console.log(`load average (1/5/15 min) at start: ${loadAverage()}`);
  console.log(
    `BENCH_SECONDS=${settings.seconds} BENCH_ROUNDS=${settings.rounds} BENCH_DATABASES=${settings.databases.join(',')} BENCH_PURGE_ROWS=${settings.purgeRows} BENCH_OPEN_TRANSFERS=${settings.openTransfers} BENCH_GROWTH_ROWS=${settings.growthRows}`,
  );
  console.log('');
}

/** Why the MariaDB half cannot run here, or undefined when it can. */
function mariaDbMissing(): string | undefined {
  const missing = ['mariadbd', 'mariadb-install-db', 'mariadb-admin', 'mariadb'].filter((b) => !findMariaDbBinary(b));
  return missing.length > 0 ? `${missing.join(', ')} not found (apt-get install mariadb-server mariadb-client)` : undefined;
}

async function onMariaDb(run: (url: string) => Promise<DatabaseFigures>): Promise<DatabaseFigures> {
  const server = await startMariaDb();
  let stopped = false;
  // only while it runs: once stopped, its pid may belong to another process
  atExit(() => {
    if (!stopped) process.kill(server.pid, 'SIGKILL');
    rmSync(server.dir, { recursive: true, force: true });
  });
  try {
    const admin = await createConnection(server.url);
    await admin.query('CREATE DATABASE gbi_bench CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci');
    await admin.end();
    return await run(new URL('gbi_bench', server.url).toString());
  } finally {
    await stopMariaDb(server);
    stopped = true;
  }
}

async function main(): Promise<void> {
  let settings: Settings;
  try {
    settings = readSettings();
  } catch (err) {
    console.error((err as Error).message);
    process.exitCode = 2;
    return;
  }
  printMachine(settings);
  const workDir = mkdtempSync(join(tmpdir(), 'gbi-bench-'));
  atExit(() => rmSync(workDir, { recursive: true, force: true }));
  const logDir = join(workDir, 'logs');
  mkdirSync(logDir);
  // keys of this run never meet a key of an earlier run
  const tag = randomBytes(3).toString('hex');
  const load = LoadGenerator.start(logDir);
  const all: DatabaseFigures[] = [];
  try {
    for (const kind of settings.databases) {
      if (kind === 'sqlite') {
        all.push(await runDatabase(kind, `sqlite:${join(workDir, 'bench.sqlite')}`, settings, load, logDir, tag));
        continue;
      }
      const missing = mariaDbMissing();
      if (missing) console.log(`mariadb skipped: ${missing}\n`);
      else all.push(await onMariaDb((url) => runDatabase(kind, url, settings, load, logDir, tag)));
    }
  } finally {
    await load.close();
  }
  if (all.length === 0) return;

  for (const line of sideBySide(all)) console.log(line);
  console.log('');
  console.log('ratio: integrator rps / bare rps. added p50: integrator p50 − bank direct p50 (the integrator makes two bank calls per payout: the request and the fee quote).');
  console.log(`medians of ${settings.rounds} rotated round(s) of ${settings.seconds} s per target.`);
  console.log('');
  for (const line of perDatabase(all, settings)) console.log(line);
  console.log('');
  console.log(`load average (1/5/15 min) at the end: ${loadAverage()}`);
  const failed = failures(all);
  if (failed.length > 0) {
    console.log('');
    console.log('(!) figures measured over answers that were not all 2xx:');
    for (const line of failed) console.log(`  ${line}`);
    process.exitCode = 1;
  }
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? (err.stack ?? err.message) : err);
  process.exitCode = 1;
});
