import { statusFromBankCode, type SubmissionOutcome } from '../transfers/lifecycle';

/**
 * A bulk transfer (総合振込) and its items: their state machines and the ONE mapping from GMO's codes to
 * them. The bank's raw codes are stored beside our statuses.
 */
export const BULK_STATUSES = [
  'pending', // stored, not (certainly) sent
  'unknown', // sent, outcome unknown: reconciled through /bulktransfer/status before anything is resent
  'submitted', // the bank accepted it (resultCode 1 / 2)
  'scheduled', // 11 予約中
  'processing', // 12 手続中, 13 リトライ中
  'completed', // 20 手続済: every item paid
  'completed_with_exceptions', // 30 不能・組戻あり: some items failed or came back, the rest paid
  'failed', // 40 手続不成立, 3 差戻, 4 取下げ, 5 期限切れ, or refused by the bank
  'cancelled', // 8 取消
] as const;
export type BulkStatus = (typeof BULK_STATUSES)[number];

export const BULK_CANCELLABLE: ReadonlySet<BulkStatus> = new Set(['submitted', 'scheduled']);

const AT_THE_BANK: BulkStatus[] = ['submitted', 'scheduled', 'processing', 'completed', 'completed_with_exceptions', 'failed', 'cancelled'];

/** Not yet (certainly) at the bank a batch may end anywhere the bank says; once there it only moves forward. */
const NEXT: Record<BulkStatus, readonly BulkStatus[]> = {
  pending: ['unknown', ...AT_THE_BANK],
  unknown: ['pending', ...AT_THE_BANK],
  submitted: ['scheduled', 'processing', 'completed', 'completed_with_exceptions', 'failed', 'cancelled'],
  scheduled: ['submitted', 'processing', 'completed', 'completed_with_exceptions', 'failed', 'cancelled'],
  processing: ['completed', 'completed_with_exceptions', 'failed', 'cancelled'],
  // an item returned (資金返却) after the batch completed turns it into 30
  completed: ['completed_with_exceptions'],
  completed_with_exceptions: [],
  failed: [],
  cancelled: [],
};

export function canMoveBulk(from: BulkStatus, to: BulkStatus): boolean {
  return from === to || NEXT[from].includes(to);
}

/** The bank has finished with the batch's money (items may still come back after 20 or 30). */
export const BULK_SETTLED: ReadonlySet<BulkStatus> = new Set(['completed', 'completed_with_exceptions']);

/** 22, 24, 25, 26 (資金返却, 組戻) are codes of a 振込 only; a 総合振込 shows its items' returns as 30. */
const TRANSFER_ONLY_CODES = new Set(['22', '24', '25', '26']);

/**
 * A batch's GMO code read through the ONE table of codes (`statusFromBankCode`, src/transfers/lifecycle.ts),
 * plus 30 不能・組戻あり, the code only a 総合振込 has.
 */
export function bulkStatusFromBankCode(code: string): { status: BulkStatus; reason?: string } | undefined {
  if (code === '30') return { status: 'completed_with_exceptions', reason: '不能・組戻あり (some items failed or were returned)' };
  if (TRANSFER_ONLY_CODES.has(code)) return undefined;
  const reading = statusFromBankCode(code);
  if (!reading || !(BULK_STATUSES as readonly string[]).includes(reading.status)) return undefined;
  return { status: reading.status as BulkStatus, reason: reading.reason };
}

/** One beneficiary's payment inside a batch. */
export const ITEM_STATUSES = [
  'pending', // the batch is not (certainly) at the bank
  'submitted', // the batch is at the bank; this item's outcome is not known yet
  'completed', // paid (振込明細結果 present, no 不能明細)
  'failed', // 手続不成立 (transferDetailStatus 2), or the whole batch failed
  'returning', // 組戻手続中
  'returned', // 資金返却 (isRepayment) or 組戻済
  'cancelled', // the batch was cancelled
] as const;
export type ItemStatus = (typeof ITEM_STATUSES)[number];

/** Items only move forward: a paid item may still come back (組戻, 資金返却); failed, returned and cancelled are final. */
const ITEM_NEXT: Record<ItemStatus, readonly ItemStatus[]> = {
  pending: ['submitted', 'completed', 'failed', 'returning', 'returned', 'cancelled'],
  submitted: ['completed', 'failed', 'returning', 'returned', 'cancelled'],
  completed: ['returning', 'returned'],
  // 組戻不成立: the money stays with the beneficiary
  returning: ['returned', 'completed'],
  failed: [],
  returned: [],
  cancelled: [],
};

export function canMoveItem(from: ItemStatus, to: ItemStatus): boolean {
  return from === to || ITEM_NEXT[from].includes(to);
}

/** Where a batch's status leaves items the bank has not itemised (yet). */
export function itemStatusForBatch(batch: BulkStatus): ItemStatus | undefined {
  if (batch === 'failed') return 'failed';
  if (batch === 'cancelled') return 'cancelled';
  if (batch === 'submitted' || batch === 'scheduled' || batch === 'processing') return 'submitted';
  return undefined;
}

export type { SubmissionOutcome };
