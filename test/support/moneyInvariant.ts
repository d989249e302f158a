import type { Database } from '../../src/db/database';
import type { TransferSummary } from '../../src/simulator/state';
import { Transfer } from '../../src/transfers/transfer.entity';
import type { TransferStatus } from '../../src/transfers/lifecycle';
import type { Harness } from './harness';

/** Statuses in which we have told the POS that the bank has (or had) the transfer. */
const REPORTED_SENT: ReadonlySet<TransferStatus> = new Set(['submitted', 'scheduled', 'processing', 'completed', 'returning', 'returned', 'cancelled']);
/** Statuses in which we do not know yet whether the bank has it. */
const UNRESOLVED: ReadonlySet<TransferStatus> = new Set(['pending', 'unknown']);

export interface MoneyFigures {
  /** our transfer rows */
  rows: number;
  /** rows whose status says the bank has the transfer */
  reportedSent: number;
  /** transfers the bank booked */
  bankTransfers: number;
  /** bank transfers beyond the first for one of our rows (or for one Idempotency-Key) */
  duplicates: number;
  /** bank transfers no row holds + rows reported sent whose applyNo the bank does not have */
  lost: number;
  /** applyNos held by two or more rows */
  sharedApplyNos: number;
  /** rows still pending or unknown */
  unresolved: number;
}

/** Services and a simulator running as processes: the database they share and the simulator's control API. */
export interface SeparateProcesses {
  db: Database;
  simulatorUrl: string;
}

async function ledgers(source: Harness | SeparateProcesses): Promise<{ rows: Transfer[]; bank: TransferSummary[] }> {
  if ('services' in source) return { rows: await source.services.db.manager.find(Transfer), bank: source.sim.state.transfers() };
  const res = await fetch(`${source.simulatorUrl}/_sim/transfers`);
  if (!res.ok) throw new Error(`simulator /_sim/transfers: HTTP ${res.status}`);
  const { transfers } = (await res.json()) as { transfers: TransferSummary[] };
  return { rows: await source.db.manager.find(Transfer), bank: transfers };
}

/**
 * Compares the service's `transfers` table with what the simulated bank booked. Every bank transfer
 * carries our transfer id as its Idempotency-Key; a row learns the bank's applyNo when the bank
 * answers, or when the reconciler adopts it.
 */
export async function moneyInvariant(source: Harness | SeparateProcesses): Promise<MoneyFigures> {
  const { rows, bank } = await ledgers(source);

  const rowIds = new Set(rows.map((r) => r.id));
  const bankByApplyNo = new Map(bank.map((b) => [b.applyNo, b]));
  const rowsByApplyNo = new Map<string, number>();
  for (const r of rows) if (r.applyNo) rowsByApplyNo.set(r.applyNo, (rowsByApplyNo.get(r.applyNo) ?? 0) + 1);

  let duplicates = 0;
  for (const r of rows) {
    // what the bank booked for this row: under its id as Idempotency-Key, or adopted/linked by applyNo
    const linked = new Set(bank.filter((b) => b.idempotencyKey === r.id || (r.applyNo !== null && b.applyNo === r.applyNo)).map((b) => b.applyNo));
    duplicates += Math.max(0, linked.size - 1);
  }
  // the same Idempotency-Key booked twice where the key is not (or no longer) one of our rows
  const orphanKeys = new Map<string, number>();
  for (const b of bank) {
    if (b.idempotencyKey !== undefined && !rowIds.has(b.idempotencyKey)) orphanKeys.set(b.idempotencyKey, (orphanKeys.get(b.idempotencyKey) ?? 0) + 1);
  }
  for (const n of orphanKeys.values()) duplicates += Math.max(0, n - 1);

  const unheld = bank.filter((b) => !rowsByApplyNo.has(b.applyNo)).length;
  const reportedSentRows = rows.filter((r) => REPORTED_SENT.has(r.status));
  const phantom = reportedSentRows.filter((r) => r.applyNo === null || !bankByApplyNo.has(r.applyNo)).length;

  return {
    rows: rows.length,
    reportedSent: reportedSentRows.length,
    bankTransfers: bank.length,
    duplicates,
    lost: unheld + phantom,
    sharedApplyNos: [...rowsByApplyNo.values()].filter((n) => n >= 2).length,
    unresolved: rows.filter((r) => UNRESOLVED.has(r.status)).length,
  };
}

/** No payout twice, none the bank has that we do not know of, none we report that the bank lacks. */
export async function expectMoneyInvariant(source: Harness | SeparateProcesses): Promise<MoneyFigures> {
  const figures = await moneyInvariant(source);
  expect({ duplicates: figures.duplicates, lost: figures.lost, sharedApplyNos: figures.sharedApplyNos }).toEqual({
    duplicates: 0,
    lost: 0,
    sharedApplyNos: 0,
  });
  return figures;
}
