import type { LoadGenerator, LoadJob, LoadResult } from './load';
import { median } from './stats';

export type TargetName = 'integrator' | 'bare' | 'bank';

/** How a target is asked for a measure's request: a POST (a new payout each time) or a GET of one stored transfer. */
export type Ask = (kind: 'post' | 'get', keyPrefix: string) => LoadJob | undefined;

interface Measure {
  label: string;
  kind: 'post' | 'get';
  connections: number;
}

/** The side-by-side measures; the bank is asked only for POSTs (its GET would measure nothing of ours). */
const MEASURES: Measure[] = [
  { label: 'POST transfer c=1', kind: 'post', connections: 1 },
  { label: 'POST transfer c=32', kind: 'post', connections: 32 },
  { label: 'GET one transfer c=32', kind: 'get', connections: 32 },
];

/** A target's medians over the rounds, and every answer that was not a 2xx (a figure built on errors is flagged). */
export interface Summary {
  rps: number;
  p50: number;
  p99: number;
  failures: number;
  statuses: string;
}

export type Comparison = Array<{ measure: string } & Partial<Record<TargetName, Summary>>>;

function summarise(results: LoadResult[]): Summary {
  const answers = new Map<string, number>();
  for (const r of results) for (const [status, n] of Object.entries(r.statuses)) answers.set(status, (answers.get(status) ?? 0) + n);
  const errors = results.reduce((n, r) => n + r.errors, 0);
  if (errors > 0) answers.set('network errors', errors);
  return {
    rps: median(results.map((r) => r.rps)),
    p50: median(results.map((r) => r.p50)),
    p99: median(results.map((r) => r.p99)),
    failures: results.reduce((n, r) => n + r.non2xx + r.errors, 0),
    statuses: [...answers].map(([answer, n]) => `${answer} ×${n}`).join(', '),
  };
}

const TARGETS: TargetName[] = ['integrator', 'bare', 'bank'];

/**
 * Rotated rounds: in round r every measure runs its targets starting from the r-th, so a drift of the
 * machine (another process, a warming cache, a growing table) falls on each target in turn; the figures
 * are the medians over the rounds. A short untimed warm-up of every target comes first.
 */
export async function compare(load: LoadGenerator, asks: Record<TargetName, Ask>, seconds: number, rounds: number, tag: string): Promise<Comparison> {
  const jobsOf = (measure: Measure, round: string) =>
    TARGETS.flatMap((target) => {
      const job = asks[target](measure.kind, `${tag}-${measure.kind}${measure.connections}-${round}-${target}`);
      return job ? [{ target, job: { ...job, connections: measure.connections } }] : [];
    });

  for (const measure of MEASURES) for (const { job } of jobsOf(measure, 'warm')) await load.run({ ...job, seconds: 1 });

  const results = new Map<string, LoadResult[]>();
  for (let round = 0; round < rounds; round++) {
    for (const measure of MEASURES) {
      const jobs = jobsOf(measure, `r${round}`);
      const rotated = [...jobs.slice(round % jobs.length), ...jobs.slice(0, round % jobs.length)];
      for (const { target, job } of rotated) {
        const key = `${measure.label}/${target}`;
        results.set(key, [...(results.get(key) ?? []), await load.run({ ...job, seconds })]);
      }
    }
  }
  return MEASURES.map((measure) => ({
    measure: measure.label,
    ...Object.fromEntries(TARGETS.flatMap((target) => (results.has(`${measure.label}/${target}`) ? [[target, summarise(results.get(`${measure.label}/${target}`)!)]] : []))),
  }));
}
