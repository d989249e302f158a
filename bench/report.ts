import type { Figures } from './measure';

export interface Row {
  name: string;
  figures: Figures;
}

export interface Invariant {
  name: string;
  ok: boolean;
  detail: string;
}

/** Sub-millisecond figures keep their microseconds; larger ones do not need them. */
function ms(value: number): string {
  if (Number.isNaN(value)) return '-';
  return value < 1 ? value.toFixed(3) : value < 100 ? value.toFixed(2) : value.toFixed(0);
}

function rate(value: number): string {
  return value >= 1000 ? Math.round(value).toLocaleString('en-US') : value.toFixed(1);
}

export function printTable(rows: Row[]): void {
  const header = ['section', 'n', 'ops/s', 'p50 ms', 'p95 ms', 'p99 ms', 'max ms'];
  const cells = rows.map(({ name, figures: f }) => [
    f.capped ? `${name} (capped)` : name,
    String(f.n),
    rate(f.opsPerSecond),
    ms(f.p50),
    ms(f.p95),
    ms(f.p99),
    ms(f.max),
  ]);
  const widths = header.map((h, c) => Math.max(h.length, ...cells.map((row) => row[c].length)));
  const line = (row: string[]) => row.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]) : cell.padStart(widths[c]))).join('  ');
  console.log(line(header));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const row of cells) console.log(line(row));
}

export function printInvariants(invariants: Invariant[]): void {
  for (const { name, ok, detail } of invariants) console.log(`${ok ? 'ok  ' : 'FAIL'}  ${name}: ${detail}`);
}
