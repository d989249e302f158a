/** Timing loops bounded by a count and a wall-clock cap, and the figures the report prints. */

export interface Run {
  /** operations that finished before the cap */
  done: number;
  elapsedMs: number;
  latenciesMs: number[];
  /** true when the cap stopped the loop before `count` */
  capped: boolean;
}

export interface Figures {
  n: number;
  opsPerSecond: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
  capped: boolean;
}

const elapsedMsSince = (start: bigint): number => Number(process.hrtime.bigint() - start) / 1e6;

/**
 * Runs `op(i)` for i = 0..count-1 with `concurrency` operations in flight. Once `capMs` has passed no
 * new operation starts, so a slow machine gives fewer samples rather than an endless run.
 */
export async function load(count: number, concurrency: number, capMs: number, op: (i: number) => Promise<void>): Promise<Run> {
  const latenciesMs: number[] = [];
  const start = process.hrtime.bigint();
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < count && elapsedMsSince(start) < capMs) {
      const i = next++;
      const t0 = process.hrtime.bigint();
      await op(i);
      latenciesMs.push(elapsedMsSince(t0));
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, worker));
  return { done: latenciesMs.length, elapsedMs: elapsedMsSince(start), latenciesMs, capped: latenciesMs.length < count };
}

/** The synchronous twin of load(): awaiting a plain function would add a microtask to every sample. */
export function loopSync(count: number, capMs: number, op: (i: number) => void): Run {
  const latenciesMs: number[] = [];
  const start = process.hrtime.bigint();
  for (let i = 0; i < count && elapsedMsSince(start) < capMs; i++) {
    const t0 = process.hrtime.bigint();
    op(i);
    latenciesMs.push(elapsedMsSince(t0));
  }
  return { done: latenciesMs.length, elapsedMs: elapsedMsSince(start), latenciesMs, capped: latenciesMs.length < count };
}

/** Nearest-rank percentile of an ascending array. */
function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

export function figures(run: Run): Figures {
  const sorted = [...run.latenciesMs].sort((a, b) => a - b);
  return {
    n: run.done,
    opsPerSecond: run.done / (run.elapsedMs / 1000),
    p50: percentile(sorted, 50),
    p95: percentile(sorted, 95),
    p99: percentile(sorted, 99),
    max: sorted[sorted.length - 1] ?? NaN,
    capped: run.capped,
  };
}
