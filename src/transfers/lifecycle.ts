/**
 * The transfer state machine and the ONE mapping from GMO's codes to it. The bank's raw code is
 * always stored beside our status; our vocabulary is only a reading of it.
 */
export const TRANSFER_STATUSES = [
  'pending', // stored, not (certainly) sent
  'unknown', // sent, outcome unknown (timeout, reset, 5xx): reconcile before anything is resent
  'submitted', // the bank accepted it (resultCode 1 done / 2 awaiting approval)
  'scheduled', // 11 予約中
  'processing', // 12 手続中, 13 リトライ中
  'completed', // 20 手続済 (and 26 組戻不成立)
  'failed', // 40 手続不成立, 3 差戻, 4 取下げ, 5 期限切れ, or refused by the bank
  'cancelled', // 8 取消
  'returning', // 24 組戻手続中
  'returned', // 22 資金返却, 25 組戻済
] as const;
export type TransferStatus = (typeof TRANSFER_STATUSES)[number];

export const CANCELLABLE_STATUSES: ReadonlySet<TransferStatus> = new Set(['submitted', 'scheduled']);

const AT_THE_BANK: TransferStatus[] = ['submitted', 'scheduled', 'processing', 'completed', 'failed', 'cancelled', 'returning', 'returned'];

/**
 * Where a transfer may go from each status. Not yet (certainly) at the bank, it may end anywhere the bank
 * says; once there it only moves forward; failed, cancelled and returned are final.
 */
const NEXT: Record<TransferStatus, readonly TransferStatus[]> = {
  pending: ['unknown', ...AT_THE_BANK],
  unknown: ['pending', ...AT_THE_BANK],
  submitted: ['scheduled', 'processing', 'completed', 'failed', 'cancelled', 'returning', 'returned'],
  scheduled: ['submitted', 'processing', 'completed', 'failed', 'cancelled', 'returning', 'returned'],
  processing: ['completed', 'failed', 'cancelled', 'returning', 'returned'],
  completed: ['returning', 'returned'],
  returning: ['returned', 'completed'],
  failed: [],
  cancelled: [],
  returned: [],
};

export function canMove(from: TransferStatus, to: TransferStatus): boolean {
  return from === to || NEXT[from].includes(to);
}

/**
 * What the first submission of a transfer came to, replayed to every later request with the same key:
 * accepted by the bank; certainly not processed yet (429, maintenance: sent later); sent but the
 * answer was lost (reconciled before anything is resent); refused (by the bank, or no usable connection).
 */
const SUBMISSION_OUTCOMES = ['accepted', 'deferred', 'outcome_unknown', 'refused'] as const;
export type SubmissionOutcome = (typeof SUBMISSION_OUTCOMES)[number];

/** The first answer is the one replayed (a transfer's or a bulk transfer's): later ones never overwrite it. */
export function firstOutcome(row: { submissionOutcome: SubmissionOutcome | null }, outcome: SubmissionOutcome): SubmissionOutcome {
  return row.submissionOutcome ?? outcome;
}

/** A fee known from /transfer/transferfee when the transfer was accepted, or the one the bank charged. */
export const FEE_STATUSES = ['quoted', 'final'] as const;
export type FeeStatus = (typeof FEE_STATUSES)[number];

const BY_BANK_CODE: Record<string, { status: TransferStatus; reason?: string }> = {
  '2': { status: 'submitted' },
  '3': { status: 'failed', reason: '差戻 (returned by the approver)' },
  '4': { status: 'failed', reason: '取下げ (withdrawn by the applicant)' },
  '5': { status: 'failed', reason: '期限切れ (approval expired)' },
  '8': { status: 'cancelled' },
  '11': { status: 'scheduled' },
  '12': { status: 'processing' },
  '13': { status: 'processing' },
  '20': { status: 'completed' },
  '22': { status: 'returned', reason: '資金返却 (funds returned)' },
  '24': { status: 'returning', reason: '組戻手続中 (recall in progress)' },
  '25': { status: 'returned', reason: '組戻済 (recalled)' },
  // a recall that failed leaves the money with the beneficiary: the payout stands
  '26': { status: 'completed', reason: '組戻不成立 (recall failed)' },
  '40': { status: 'failed', reason: '手続不成立 (the transfer could not be executed)' },
};

export function statusFromBankCode(code: string): { status: TransferStatus; reason?: string } | undefined {
  return BY_BANK_CODE[code];
}
