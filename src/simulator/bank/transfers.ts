/** §9.1 for 振込 (30 is bulk only and so not here). */
export const STATUS_NAMES = {
  '2': '申請中',
  '3': '差戻',
  '4': '取下げ',
  '5': '期限切れ',
  '8': '承認取消/予約取消',
  '11': '予約中',
  '12': '手続中',
  '13': 'リトライ中',
  '20': '手続済',
  '22': '資金返却',
  '24': '組戻手続中',
  '25': '組戻済',
  '26': '組戻不成立',
  '40': '手続不成立',
} as const;

export type TransferStatus = keyof typeof STATUS_NAMES;
export const TRANSFER_STATUSES = Object.keys(STATUS_NAMES) as TransferStatus[];

export function isTransferStatus(s: string): s is TransferStatus {
  return Object.hasOwn(STATUS_NAMES, s);
}

export interface TransferItem {
  itemId: string;
  amount: number;
  fee: number;
  ediInfo?: string;
  bankCode: string;
  bankNameKana: string;
  bankNameKanji: string;
  branchCode: string;
  branchNameKana: string;
  branchNameKanji: string;
  accountTypeCode: string;
  accountNumber: string;
  /** small kana already made large, as the bank echoes it */
  beneficiaryName: string;
}

/** A validated request: what /transfer/transferfee quotes and /transfer/request books. */
export interface TransferOrder {
  accountId: string;
  remitterName: string;
  /** after the non-business-day shift */
  designatedDate: string;
  items: TransferItem[];
  amount: number;
  fee: number;
}

/** Where the money of a transfer stands; moving between phases writes the ledger rows. */
export interface MoneyPhase {
  /** counted against withdrawableAmount, not yet against balance */
  reserved: boolean;
  amountDebited: boolean;
  feeDebited: boolean;
}

export interface Transfer extends TransferOrder {
  applyNo: string;
  userId: string;
  companyId?: string;
  status: TransferStatus;
  autoApproved: boolean;
  createdAt: Date;
  acceptNo?: string;
  acceptedAt?: Date;
  /** when it entered 12: settlement is due settleAfterSeconds later */
  processingSince?: Date;
  /** completion of the latest request on this applyNo (the request, its approval or a cancel) */
  requestEndAt?: Date;
  idempotencyKey?: string;
  money: MoneyPhase;
}

const PHASES: Record<TransferStatus, MoneyPhase> = {
  '2': { reserved: true, amountDebited: false, feeDebited: false },
  '11': { reserved: true, amountDebited: false, feeDebited: false },
  '12': { reserved: true, amountDebited: false, feeDebited: false },
  '13': { reserved: true, amountDebited: false, feeDebited: false },
  '20': { reserved: false, amountDebited: true, feeDebited: true },
  '24': { reserved: false, amountDebited: true, feeDebited: true },
  '26': { reserved: false, amountDebited: true, feeDebited: true },
  // Returned or recalled money comes back; the fee was earned, as with a real 組戻.
  '22': { reserved: false, amountDebited: false, feeDebited: true },
  '25': { reserved: false, amountDebited: false, feeDebited: true },
  // Never executed: nothing is owed.
  '3': { reserved: false, amountDebited: false, feeDebited: false },
  '4': { reserved: false, amountDebited: false, feeDebited: false },
  '5': { reserved: false, amountDebited: false, feeDebited: false },
  '8': { reserved: false, amountDebited: false, feeDebited: false },
  '40': { reserved: false, amountDebited: false, feeDebited: false },
};

export function moneyPhase(status: TransferStatus): MoneyPhase {
  return PHASES[status];
}

/** Statuses reached only after the bank accepted the transfer: entering one assigns the acceptNo. */
export function isAccepted(status: TransferStatus): boolean {
  return !['2', '3', '4', '5', '8'].includes(status);
}

/** Executed normally: transferDetailResponses are filled ("正常時のみ応答"). */
export function isExecuted(status: TransferStatus): boolean {
  return ['20', '24', '25', '26'].includes(status);
}

/** applyStatus of TransferApplyDetail, derived from the transfer status (§9.2). */
export function applyStatus(t: Transfer): string {
  switch (t.status) {
    case '2':
      return '1';
    case '3':
      return '2';
    case '4':
      return '3';
    case '5':
      return '4';
    case '8':
      return '6';
    default:
      return t.autoApproved ? '7' : '5';
  }
}

/** resultCode of /transfer/request-result: 2 while awaiting approval, 8 once that expired, else 1. */
export function requestResultCode(status: TransferStatus): '1' | '2' | '8' {
  if (status === '2') return '2';
  if (status === '5') return '8';
  return '1';
}

/** UnableDetailInfo for the statuses that have one (40, 22, 24, 25, 26). */
export function unableDetail(status: TransferStatus): Record<string, string | boolean> | undefined {
  switch (status) {
    case '40':
      return { transferDetailStatus: '2' };
    case '22':
      return { transferDetailStatus: '2', isRepayment: true };
    case '24':
      return { transferDetailStatus: '1', refundStatus: '1' };
    case '25':
      return { transferDetailStatus: '1', refundStatus: '2' };
    case '26':
      return { transferDetailStatus: '1', refundStatus: '3' };
    default:
      return undefined;
  }
}

/** The status a newly accepted transfer takes: 予約中 for a future date, else 手続中. */
export function acceptedStatus(designatedDate: string, today: string): TransferStatus {
  return designatedDate > today ? '11' : '12';
}
