/** §9.1: the statuses of a 振込 and of a 総合振込 (22, 24, 25, 26 are 振込 only; 30 is 総合振込 only). */
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
  '30': '不能・組戻あり',
  '40': '手続不成立',
} as const;

export type TransferStatus = keyof typeof STATUS_NAMES;
export const ALL_STATUSES = Object.keys(STATUS_NAMES) as TransferStatus[];

/** 振込 (`/transfer/*`) or 総合振込 (`/bulktransfer/*`); both draw applyNos from one sequence. */
export type TransferKind = 'transfer' | 'bulk';

const KIND_STATUSES: Record<TransferKind, ReadonlySet<TransferStatus>> = {
  transfer: new Set(ALL_STATUSES.filter((s) => s !== '30')),
  bulk: new Set(ALL_STATUSES.filter((s) => !['22', '24', '25', '26'].includes(s))),
};

/** A status this kind of transfer can have, and so be queried by. */
export function isStatusOf(kind: TransferKind, s: string): s is TransferStatus {
  return KIND_STATUSES[kind].has(s as TransferStatus);
}

/** What can happen to one item of a 総合振込 that is not simply paid: 手続不成立, 資金返却 or a 組戻. */
export const ITEM_OUTCOMES = ['40', '22', '24', '25', '26'] as const;
export type ItemOutcome = (typeof ITEM_OUTCOMES)[number];

/** One item of a request, as validated. */
export interface OrderItem {
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
  /** small kana already made large, as the bank echoes it (in a 総合振込, cut after 30 characters) */
  beneficiaryName: string;
  /** 総合振込 only: informational fields, echoed as sent */
  clearingHouseName?: string;
  newCode?: string;
  transferDesignatedType?: string;
  /** 総合振込 only: Y = the EDI information reaches the beneficiary */
  identification?: string;
}

/** An item of a booked transfer. */
export interface TransferItem extends OrderItem {
  /** 総合振込 only: set through the control API */
  outcome?: ItemOutcome;
  /** 総合振込 only: the day the money came back (outcome 22) */
  repaymentDate?: string;
  /** what of this item has left the account */
  money: ItemMoney;
}

/** A validated request: what the fee endpoints quote and the request endpoints book. */
export interface TransferOrder {
  kind: TransferKind;
  accountId: string;
  remitterName: string;
  /** 総合振込 only */
  transferDataName?: string;
  /** after the non-business-day shift */
  designatedDate: string;
  /** a 総合振込's sorted by itemId */
  items: OrderItem[];
  amount: number;
  fee: number;
}

/** Where the money of an item stands; moving between phases writes the ledger rows. */
export interface ItemMoney {
  amountDebited: boolean;
  feeDebited: boolean;
}

/** Where the money of a transfer stands in a status. */
export interface MoneyPhase extends ItemMoney {
  /** the whole amount and fee counted against withdrawableAmount, not yet against balance */
  reserved: boolean;
}

export interface Transfer extends Omit<TransferOrder, 'items'> {
  items: TransferItem[];
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
  /** whether the whole amount and fee is held against withdrawableAmount */
  reserved: boolean;
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
  // 総合振込: each item's money follows its own outcome (itemStatus), so the batch holds nothing here.
  '30': { reserved: false, amountDebited: true, feeDebited: true },
};

export function moneyPhase(status: TransferStatus): MoneyPhase {
  return PHASES[status];
}

/** A 総合振込 has completed: its items' own outcomes decide their money. */
export function isCompleted(t: Transfer): boolean {
  return t.status === '20' || t.status === '30';
}

/** The status an item stands in: a 振込's items share its status; a completed 総合振込's items have their own. */
export function itemStatus(t: Transfer, item: TransferItem): TransferStatus {
  return t.kind === 'bulk' && isCompleted(t) ? (item.outcome ?? '20') : t.status;
}

/** A 総合振込 that completes (or whose items change afterwards) is 20, 30 when some items failed or came back, 40 when all failed. */
export function bulkCompletion(items: readonly TransferItem[]): TransferStatus {
  if (items.every((i) => i.outcome === '40')) return '40';
  return items.some((i) => i.outcome !== undefined) ? '30' : '20';
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
