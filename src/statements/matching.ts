import { normaliseTransferName } from '../transfers/zengin/kana';

/**
 * Which statement rows are the payouts we made. Pure: the rows of a statement and the payouts that could
 * appear on it go in, a match per row comes out. Only an unambiguous match is made: a row that two payouts
 * fit, or a payout that two rows fit, is matched to nothing.
 */

export const PAYOUT_KINDS = ['transfer', 'bulk_transfer'] as const;
export type PayoutKind = (typeof PAYOUT_KINDS)[number];

/** A payout the bank debits from an account in one row (`amount`), with its fee in the row after it. */
export interface Payout {
  kind: PayoutKind;
  id: string;
  /** what the bank debits in one row: a transfer's amount, a bulk transfer's total */
  amount: number;
  /** the fee debited in the next row; null while unknown, 0 when free (then no fee row is looked for) */
  fee: number | null;
  /** the JST date the bank debits it: the rows' transactionDate */
  settlementDate: string;
  /** as sent to the bank; when set, the row's remarks must be `振込 <this name>` (a bulk batch has none) */
  beneficiaryName?: string;
}

/**
 * Where payouts come from: transfers, and bulk transfers (one debit per batch). Each answers the payouts of
 * a company drawn on an account that the bank debited and that settle between two JST dates (inclusive).
 */
export interface PayoutSource {
  payoutsSettling(companyId: string, accountId: string, from: string, to: string): Promise<Payout[]>;
}

/** A statement row as matching sees it. */
export interface MatchableRow {
  transactionDate: string;
  type: 'deposit' | 'withdrawal';
  amount: number;
  remarks: string | null;
}

export type PayoutRef = Pick<Payout, 'kind' | 'id'>;

export interface RowMatch extends PayoutRef {
  /** the payout's own debit, or its fee */
  as: 'transfer' | 'fee';
}

export interface PageMatches {
  /** one per row, in order: the payout the row is, or null */
  matches: Array<RowMatch | null>;
  /** the payout whose debit is the last row: its fee row may open the next page */
  openFee: PayoutRef | null;
}

const FEE_REMARKS = '振込手数料';

/**
 * The bank writes names in remarks in full width (`振込 ヤマダ　タロウ`), we send them in half width
 * (`ﾔﾏﾀﾞ ﾀﾛｳ`): both sides go through the same conversion to the bank's 振込許容文字 before they are compared.
 * Converting is the costly part of matching, so each distinct text is converted once per call.
 */
function comparableNames(): (name: string) => string | undefined {
  const seen = new Map<string, string | undefined>();
  return (name) => {
    if (!seen.has(name)) {
      const n = normaliseTransferName(name, { maxLength: 255 });
      seen.set(name, n.ok ? n.value : undefined);
    }
    return seen.get(name);
  };
}

function fits(p: Payout, row: MatchableRow, comparable: (name: string) => string | undefined): boolean {
  if (row.type !== 'withdrawal' || row.amount !== p.amount || row.transactionDate !== p.settlementDate) return false;
  if (p.beneficiaryName === undefined) return true;
  // `振込 <name>`: any other remarks (振込手数料, ATM …) names no beneficiary
  const remitted = row.remarks ? /^振込\s+(\S.*)$/u.exec(row.remarks.trim()) : null;
  const name = remitted ? comparable(remitted[1]) : undefined;
  return name !== undefined && name === comparable(p.beneficiaryName);
}

function isFeeRowOf(p: Payout, row: MatchableRow | undefined): boolean {
  return (
    row !== undefined &&
    p.fee !== null &&
    p.fee > 0 &&
    row.type === 'withdrawal' &&
    row.amount === p.fee &&
    row.transactionDate === p.settlementDate &&
    (row.remarks ?? '').trim() === FEE_REMARKS
  );
}

/**
 * Matches one run of consecutive statement rows. A payout's debit is matched when it is the only payout
 * that fits the row (amount, settlement date, the beneficiary's name in the remarks) and the row is the only
 * one it fits; its fee is the `振込手数料` row right after it, for the payout's fee. `openFee` from the
 * previous run lets a fee row that opens this run be matched to the debit that closed the last one; it must
 * be among `payouts` (so a cursor can never attach a payout of someone else's).
 */
export function matchRows(rows: readonly MatchableRow[], payouts: readonly Payout[], openFee: PayoutRef | null = null): PageMatches {
  const comparable = comparableNames();
  // a whole day can be thousands of rows and hundreds of payouts: only those of the row's day and amount are tried
  const sameDayAndAmount = new Map<string, Payout[]>();
  for (const p of payouts) {
    const key = `${p.settlementDate}|${p.amount}`;
    sameDayAndAmount.set(key, [...(sameDayAndAmount.get(key) ?? []), p]);
  }
  const candidates = rows.map((row) => (sameDayAndAmount.get(`${row.transactionDate}|${row.amount}`) ?? []).filter((p) => fits(p, row, comparable)));
  const rowsFitting = new Map<Payout, number>();
  for (const list of candidates) for (const p of list) rowsFitting.set(p, (rowsFitting.get(p) ?? 0) + 1);
  const debitOf = candidates.map((list) => (list.length === 1 && rowsFitting.get(list[0]) === 1 ? list[0] : undefined));

  const matches: Array<RowMatch | null> = debitOf.map((p) => (p ? { kind: p.kind, id: p.id, as: 'transfer' } : null));
  const carried = openFee ? payouts.find((p) => p.kind === openFee.kind && p.id === openFee.id) : undefined;
  if (carried && !matches[0] && isFeeRowOf(carried, rows[0])) matches[0] = { kind: carried.kind, id: carried.id, as: 'fee' };

  let open: PayoutRef | null = null;
  for (let i = 0; i < rows.length; i++) {
    const p = debitOf[i];
    if (!p) continue;
    if (i + 1 === rows.length) open = p.fee !== null && p.fee > 0 ? { kind: p.kind, id: p.id } : null;
    else if (!matches[i + 1] && isFeeRowOf(p, rows[i + 1])) matches[i + 1] = { kind: p.kind, id: p.id, as: 'fee' };
  }
  return { matches, openFee: open };
}
