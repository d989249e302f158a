export type DatabaseKind = 'sqlite' | 'mariadb';

/** `npm run bench`'s knobs, from the environment; a bad value stops the run with a line naming the variable. */
export interface Settings {
  /** BENCH_SECONDS: the length of each timed run of the side-by-side table */
  seconds: number;
  /** BENCH_ROUNDS: rotated rounds of that table; its figures are the medians */
  rounds: number;
  /** BENCH_DATABASES: which databases, in order */
  databases: DatabaseKind[];
  /** BENCH_PURGE_ROWS: expired rows for the purge (0: no purge section) */
  purgeRows: number;
  /** BENCH_OPEN_TRANSFERS: open transfers for the poller (0: no poller section) */
  openTransfers: number;
  /** BENCH_GROWTH_ROWS: transfers added to the table between the two halves of the growth section (0: no growth section) */
  growthRows: number;
}

function integer(env: NodeJS.ProcessEnv, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name]?.trim();
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw.replace(/[_,]/g, ''));
  if (!Number.isInteger(n) || n < min || n > max) throw new Error(`${name} must be an integer from ${min} to ${max} (got "${raw}")`);
  return n;
}

export function readSettings(env: NodeJS.ProcessEnv = process.env): Settings {
  const databases = (env.BENCH_DATABASES?.trim() || 'sqlite,mariadb').split(',').map((s) => s.trim());
  const unknown = databases.find((d) => d !== 'sqlite' && d !== 'mariadb');
  if (unknown !== undefined || databases.length === 0) throw new Error(`BENCH_DATABASES must list sqlite and/or mariadb, comma-separated (got "${env.BENCH_DATABASES}")`);
  return {
    seconds: integer(env, 'BENCH_SECONDS', 5, 1, 300),
    rounds: integer(env, 'BENCH_ROUNDS', 3, 1, 20),
    databases: [...new Set(databases as DatabaseKind[])],
    purgeRows: integer(env, 'BENCH_PURGE_ROWS', 1_000_000, 0, 5_000_000),
    openTransfers: integer(env, 'BENCH_OPEN_TRANSFERS', 10_000, 0, 100_000),
    growthRows: integer(env, 'BENCH_GROWTH_ROWS', 1_000_000, 0, 5_000_000),
  };
}
