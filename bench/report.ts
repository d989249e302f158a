import type { memoryOf } from './children';
import type { Summary } from './compare';
import type { GrowthFigures, GrowthSide } from './growth';
import type { LoadResult } from './load';
import type { PollFigures } from './poll';
import type { PurgeFigures } from './purge';
import type { Settings } from './settings';
import { median } from './stats';
import type { DatabaseFigures } from './suite';

/** Sub-millisecond figures keep their microseconds; larger ones do not need them. */
function ms(value: number | undefined): string {
  if (value === undefined || Number.isNaN(value)) return '-';
  return value < 1 ? value.toFixed(3) : value < 100 ? value.toFixed(2) : value.toFixed(0);
}

function rate(value: number | undefined): string {
  if (value === undefined || Number.isNaN(value)) return '-';
  return value >= 100 ? Math.round(value).toLocaleString('en-US') : value.toFixed(1);
}

const count = (n: number) => n.toLocaleString('en-US');
const mib = (n: number | undefined) => (n === undefined ? '-' : `${n.toFixed(0)} MiB`);

/** A Markdown table, padded so that it reads as well in a terminal as pasted into the README. */
function table(header: string[], rows: string[][], rightAligned: (column: number) => boolean): string[] {
  const widths = header.map((h, c) => Math.max(h.length, 3, ...rows.map((row) => row[c].length)));
  const line = (row: string[]) => `| ${row.map((cell, c) => (rightAligned(c) ? cell.padStart(widths[c]) : cell.padEnd(widths[c]))).join(' | ')} |`;
  const rule = `|${widths.map((w, c) => (rightAligned(c) ? `${'-'.repeat(w + 1)}:` : `-${'-'.repeat(w)}-`)).join('|')}|`;
  return [line(header), rule, ...rows.map(line)];
}

/** A figure measured over answers that were not all 2xx is marked, and the run fails. */
const flag = (s: Summary | undefined) => (s && s.failures > 0 ? ' (!)' : '');

export function sideBySide(all: DatabaseFigures[]): string[] {
  const header = ['measure', 'database', 'integrator rps', 'int. p50 ms', 'int. p99 ms', 'bare rps', 'bare p50 ms', 'bare p99 ms', 'ratio', 'bank direct rps', 'bank p50 ms', 'added p50 ms'];
  const rows = all.flatMap((d) =>
    d.comparison.map(({ measure, integrator: i, bare: b, bank }) => [
      measure,
      d.kind,
      rate(i?.rps) + flag(i),
      ms(i?.p50),
      ms(i?.p99),
      rate(b?.rps) + flag(b),
      ms(b?.p50),
      ms(b?.p99),
      i && b ? (i.rps / b.rps).toFixed(2) : '-',
      bank ? rate(bank.rps) + flag(bank) : '-',
      bank ? ms(bank.p50) : '-',
      bank && i ? ms(i.p50 - bank.p50) : '-',
    ]),
  );
  return table(header, rows, (c) => c >= 2);
}

function light(r: LoadResult): string {
  const failed = r.non2xx + r.errors;
  return `p99 ${ms(r.p99)} ms${failed > 0 ? `, ${count(failed)} of ${count(r.ok + failed)} not 2xx` : ''}`;
}

function purged(p: PurgeFigures): string {
  const missed = p.deleted < p.rows ? `, only ${count(p.deleted)} deleted` : '';
  const failed = p.failedRuns > 0 ? `, ${p.failedRuns} run(s) failed: ${p.failure}` : '';
  return `${p.seconds.toFixed(1)} s, ${count(Math.round(p.deleted / p.seconds))} rows/s, ${p.runs} run(s)${missed}${failed}`;
}

const polled = (p: PollFigures) =>
  `${count(Math.round(p.followed / p.seconds))} transfers/s: ${count(p.followed)} in ${p.seconds.toFixed(1)} s, ${p.passes} pass(es); an empty pass ${p.emptyPassSeconds.toFixed(2)} s`;

/** 1.2k, 1M: the size of a table in a label */
const compact = (n: number) => (n >= 1e6 ? `${+(n / 1e6).toFixed(1)}M` : n >= 1e3 ? `${+(n / 1e3).toFixed(1)}k` : String(n));

const tableSize = (side: GrowthSide) => `${count(side.total)} (the bench company's ${count(side.company)})`;

/** One figure before → after the growth, with after/before: 1 is no growth. */
function grown(g: GrowthFigures, request: 'post' | 'get' | 'list', figure: 'p50' | 'p99' | 'rps'): string {
  const [before, after] = [g.before[request], g.after[request]];
  const show = (r: LoadResult) => (figure === 'rps' ? `${rate(r.rps)} rps` : `${ms(r[figure])} ms`) + (r.non2xx + r.errors > 0 ? ' (!)' : '');
  return `${show(before)} → ${show(after)} (${(after[figure] / before[figure]).toFixed(2)}×)`;
}

const memory = (m: ReturnType<typeof memoryOf>) => (m ? `${mib(m.rssMiB)} (${mib(m.peakMiB)})` : '-');

/** The figures measured once per database, one column each. */
export function perDatabase(all: DatabaseFigures[], settings: Settings): string[] {
  const row = (label: string, cell: (d: DatabaseFigures) => string) => [label, ...all.map(cell)];
  const statements = (target: 'integrator' | 'bare', kind: 'post' | 'get') => (d: DatabaseFigures) => {
    const s = d.statements[target][kind];
    return s.server === undefined ? s.process.toFixed(1) : `${s.server.toFixed(1)} (own count ${s.process.toFixed(1)})`;
  };
  const purge = [
    row(`purge of ${count(settings.purgeRows)} expired rows (ops CLI)`, (d) => (d.purge ? purged(d.purge) : '-')),
    row('POST transfer at 50/s: quiet → during the purge', (d) => (d.purge ? `${light(d.purge.quiet)} → ${light(d.purge.during)} (${(d.purge.during.p99 / d.purge.quiet.p99).toFixed(1)}×)` : '-')),
  ];
  const poll = [
    row(`poller, ${count(settings.openTransfers)} due open transfers (ops CLI poll)`, (d) => (d.poll ? polled(d.poll) : '-')),
    row(`POST transfer c=32, ${count(settings.openTransfers)} in a row (opening them)`, (d) => (d.poll ? `${rate(d.poll.created.rps)} rps, p50 ${ms(d.poll.created.p50)} ms, p99 ${ms(d.poll.created.p99)} ms` : '-')),
  ];
  const growth = (label: string, request: 'post' | 'get' | 'list', figure: 'p50' | 'p99' | 'rps') =>
    row(`growth +${compact(settings.growthRows)} transfers: ${label} ${figure}`, (d) => (d.growth ? grown(d.growth, request, figure) : '-'));
  const growthRows = [
    row('growth: transfers in the table before → after', (d) => (d.growth ? `${tableSize(d.growth.before)} → ${tableSize(d.growth.after)}` : '-')),
    row(`growth: writing ${count(settings.growthRows)} transfers`, (d) => (d.growth ? `${d.growth.fillSeconds.toFixed(1)} s, ${count(Math.round(d.growth.rows / d.growth.fillSeconds))} rows/s; written out ${d.growth.settleSeconds.toFixed(1)} s later` : '-')),
    growth('POST transfer c=1', 'post', 'p50'),
    growth('POST transfer c=1', 'post', 'p99'),
    growth('POST transfer c=1', 'post', 'rps'),
    growth('GET one transfer c=1', 'get', 'p50'),
    growth('GET one transfer c=1', 'get', 'p99'),
    growth('GET one transfer c=1', 'get', 'rps'),
    growth('GET list ?status=submitted&limit=50 c=1', 'list', 'p50'),
    growth('GET list ?status=submitted&limit=50 c=1', 'list', 'p99'),
  ];
  const rows = [
    row('statements per POST transfer: integrator', statements('integrator', 'post')),
    row('statements per POST transfer: bare', statements('bare', 'post')),
    row('statements per GET one transfer: integrator', statements('integrator', 'get')),
    row('statements per GET one transfer: bare', statements('bare', 'get')),
    ...(settings.purgeRows > 0 ? purge : []),
    ...(settings.openTransfers > 0 ? poll : []),
    row('cold start: spawn → first 200 on /healthz (median of 3)', (d) => `${ms(median(d.coldStartMs))} ms`),
    row('RSS after the runs (peak): integrator', (d) => memory(d.memory.integrator)),
    row('RSS after the runs (peak): bare', (d) => memory(d.memory.bare)),
    row('bulk 9,999 items: POST p50, integrator vs bank alone', (d) => `${ms(d.bulk.integrator.p50)} ms vs ${ms(d.bulk.bank.p50)} ms (${(d.bulk.integrator.p50 / d.bulk.bank.p50).toFixed(2)}×)`),
    row('bulk 9,999 items: validate in process (buildBulkDraft)', (d) => `${ms(d.bulk.validateMs)} ms`),
    row('bulk 9,999 items: integrator RSS before → after 3 POSTs', (d) => (d.bulk.rssMiB ? `${mib(d.bulk.rssMiB.before)} → ${mib(d.bulk.rssMiB.after)}` : '-')),
    ...(settings.growthRows > 0 ? growthRows : []),
  ];
  return table(['measure', ...all.map((d) => d.version)], rows, () => false);
}

/**
 * Every load run whose figures rest on answers other than 2xx: the side-by-side table, the bulk transfers, the
 * POSTs that open the poller's transfers, the growth section's requests. (The purge's light load is not here: its errors are what it measures.)
 */
export function failures(all: DatabaseFigures[]): string[] {
  const failed = (what: string, r: LoadResult | undefined) => (r && r.non2xx + r.errors > 0 ? [`${what}: ${JSON.stringify(r.statuses)}, network errors ×${r.errors}`] : []);
  return all.flatMap((d) => [
    ...d.comparison.flatMap(({ measure, ...targets }) =>
      Object.entries(targets).flatMap(([target, s]) => (s && s.failures > 0 ? [`${d.kind} ${measure} ${target}: ${s.statuses}`] : [])),
    ),
    ...failed(`${d.kind} bulk integrator`, d.bulk.integrator),
    ...failed(`${d.kind} bulk bank`, d.bulk.bank),
    ...failed(`${d.kind} POSTs opening the poller's transfers`, d.poll?.created),
    ...(['before', 'after'] as const).flatMap((when) =>
      (['post', 'get', 'list'] as const).flatMap((request) => (d.growth ? failed(`${d.kind} growth ${when}: ${request}`, d.growth[when][request]) : [])),
    ),
  ]);
}
