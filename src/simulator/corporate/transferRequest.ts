import { z } from 'zod';
import { designatedBusinessDate, needsBusinessDay, type HolidayCode } from '../bank/calendar';
import type { OrderItem, TransferKind, TransferOrder } from '../bank/transfers';
import { BUSINESS, transferError, type ErrorDetail, type SimHttpError, type TransferErrorDetail } from '../errors';
import { isHalfWidth, isZenginText, normaliseSmallKana } from '../kana';
import type { SimulatorConfig } from '../options';
import type { SeedAccount } from '../seed';
import {
  accountIdSchema,
  dateSchema,
  digits,
  fieldIssues,
  invalidMessage,
  missingMessage,
  optional,
  required,
} from '../validation';
import { GMO_AOZORA_BANK_CODE, lookupBranch } from '../zengin';

/**
 * Validation of a TransferRequest (振込, `/transfer/*`) and of a BulkTransferRequest (総合振込, `/bulktransfer/*`):
 * the same fields and checks, with what differs between them in a RequestForm.
 *
 * errorDetailsCode per field of the header and of an item. 220001 for an unusable beneficiary name was seen in
 * sunabar; the others are the simulator's own. 0023456 / 金融機関情報エラー is the spec's own example detail, used
 * for a bank or branch that is not in the bank master.
 */
const HEADER_CODES: Record<string, string> = {
  accountId: BUSINESS.accountNotFound,
  remitterName: '220102',
  transferDesignatedDate: '220103',
  transferDateHolidayCode: '220104',
  totalCount: '220105',
  totalAmount: '220106',
  applyComment: '220107',
  transfers: '220108',
  bulkTransfers: '220108',
  transferDataName: '220109',
};
const ITEM_CODES: Record<string, string> = {
  beneficiaryName: '220001',
  itemId: '220002',
  transferAmount: '220003',
  beneficiaryBankCode: '220005',
  beneficiaryBranchCode: '220006',
  accountTypeCode: '220007',
  accountNumber: '220008',
  ediInfo: '220009',
  beneficiaryBankName: '220010',
  beneficiaryBranchName: '220012',
  clearingHouseName: '220013',
  newCode: '220014',
  transferDesignatedType: '220015',
  identification: '220016',
};
/** The name fields fail mostly on characters, so say which ones are allowed. */
const CHARSET_HINTS: Record<string, string> = {
  beneficiaryName: '受取人名は振込許容文字（半角カナ・英大文字・数字・一部の記号）48文字以内で指定してください。',
  remitterName: '振込依頼人名は振込許容文字（半角カナ・英大文字・数字・一部の記号）48文字以内で指定してください。',
  ediInfo: 'EDI情報は振込許容文字（半角カナ・英大文字・数字・一部の記号）20文字以内で指定してください。',
};
const OVER_LIMIT = '220004';
const UNKNOWN_BRANCH = '0023456';

const MAX_ITEMS = 99;
const MAX_TOTAL_AMOUNT = 999_999_999_999;

const zenginText = (max: number) => z.string().max(max).refine(isZenginText);
const halfWidthText = (max: number) => z.string().max(max).refine(isHalfWidth);

/** The spec's own curl samples send itemId as a number. */
export const itemIdSchema = z.union([z.number().int().nonnegative().transform(String), z.string()]).pipe(digits(1, 6));

/** The fields of an item both kinds share (Transfer, BulkTransfer). */
export const itemFields = {
  transferAmount: required(digits(1, 20)),
  ediInfo: optional(zenginText(20)),
  beneficiaryBankCode: required(digits(4)),
  beneficiaryBankName: optional(halfWidthText(30)),
  beneficiaryBranchCode: required(digits(3)),
  beneficiaryBranchName: optional(halfWidthText(15)),
  accountTypeCode: required(z.enum(['1', '2', '4', '9'])),
  accountNumber: required(digits(7)),
  beneficiaryName: required(zenginText(48)),
};

/** The header fields both kinds share (TransferRequest, BulkTransferRequest). */
export const headerFields = {
  accountId: required(accountIdSchema),
  remitterName: optional(zenginText(48)),
  transferDesignatedDate: required(dateSchema),
  transferDateHolidayCode: optional(z.enum(['1', '2', '3'])),
  totalCount: optional(digits(1, 6)),
  totalAmount: optional(digits(1, 20)),
  applyComment: optional(z.string().max(20)),
};

type ItemFields = z.infer<z.ZodObject<typeof itemFields>>;

/** An item of either kind once its shape is right. */
export interface ParsedItem extends ItemFields {
  itemId?: string;
  clearingHouseName?: string;
  newCode?: string;
  transferDesignatedType?: string;
  identification?: string;
}

/** A request of either kind once its shape is right, its items under one name. */
export interface ParsedRequest extends z.infer<z.ZodObject<typeof headerFields>> {
  transferDataName?: string;
  items: ParsedItem[];
}

/** Collects every problem, so one 400 lists them all like the bank's TransferError. */
export class Problems {
  private readonly header: ErrorDetail[] = [];
  private readonly items = new Map<string, ErrorDetail[]>();

  onHeader(field: string, message: string): void {
    this.header.push({ errorDetailsCode: HEADER_CODES[field], errorDetailsMessage: message });
  }

  /** `field`: the item field at fault, or a code of its own (220004, 0023456) */
  onItem(itemId: string, field: string, message: string): void {
    const details = this.items.get(itemId) ?? [];
    details.push({ errorDetailsCode: ITEM_CODES[field] ?? field, errorDetailsMessage: message });
    this.items.set(itemId, details);
  }

  get any(): boolean {
    return this.header.length > 0 || this.items.size > 0;
  }

  error(): SimHttpError {
    const perItem: TransferErrorDetail[] = [...this.items].map(([itemId, errorDetails]) => ({ itemId, errorDetails }));
    return transferError(this.header, perItem);
  }
}

/** What differs between a 振込 and a 総合振込 request. */
export interface RequestForm {
  kind: TransferKind;
  /** where the items are in the body (error details name it) */
  itemsField: 'transfers' | 'bulkTransfers';
  schema: z.ZodType<ParsedRequest>;
  maxItems: number;
  /** the itemId each item is reported and booked under, once the form's itemId rules are checked */
  itemIds(items: readonly ParsedItem[], problems: Problems): string[];
  checkAmount(amount: number, account: SeedAccount | undefined, itemId: string, problems: Problems): void;
  /** characters the bank keeps of the names; it cuts the rest silently */
  keep?: { beneficiaryName: number; remitterName: number };
}

/** The itemId an item is reported under when its own is unusable: its position. */
function displayItemId(body: unknown, field: string, index: number): string {
  const id = (body as Record<string, Array<{ itemId?: unknown }> | undefined> | null)?.[field]?.[index]?.itemId;
  return (typeof id === 'string' || typeof id === 'number') && /^\d{1,6}$/.test(String(id)) ? String(id) : String(index + 1);
}

function parseShape(body: unknown, form: RequestForm): ParsedRequest {
  const result = form.schema.safeParse(Array.isArray(body) ? {} : (body ?? {}));
  if (result.success) return result.data;
  const problems = new Problems();
  for (const issue of fieldIssues(result.error, body)) {
    const message = issue.missing ? missingMessage(issue.field) : (CHARSET_HINTS[issue.field] ?? invalidMessage(issue.field));
    const [top, index] = issue.path;
    if (top === form.itemsField && typeof index === 'number' && ITEM_CODES[issue.field]) {
      problems.onItem(displayItemId(body, form.itemsField, index), issue.field, message);
    } else {
      problems.onHeader(HEADER_CODES[issue.field] ? issue.field : form.itemsField, message);
    }
  }
  throw problems.error();
}

/**
 * 振込指定日: not in the past; on a non-business day with at least one item to another bank (errata 3),
 * transferDateHolidayCode 1 (the default) moves it to the next business day, 2 to the previous one, 3 refuses it.
 */
function designatedDate(req: ParsedRequest, ctx: TransferContext, problems: Problems): string | undefined {
  const requested = req.transferDesignatedDate;
  if (requested < ctx.today) {
    problems.onHeader('transferDesignatedDate', '振込指定日に過去の日付は指定できません。');
    return undefined;
  }
  if (!needsBusinessDay(req.items.map((t) => t.beneficiaryBankCode))) return requested;
  const code = (req.transferDateHolidayCode ?? '1') as HolidayCode;
  const date = designatedBusinessDate(requested, code, ctx.today, ctx.config.bankCalendar);
  if (!date) {
    problems.onHeader(
      'transferDesignatedDate',
      code === '3' ? '振込指定日が非営業日のため、指定できません。' : '振込指定日の前営業日が過去の日付となるため、指定できません。',
    );
  }
  return date;
}

function checkTotals(req: ParsedRequest, maxItems: number, problems: Problems): void {
  const count = req.items.length;
  const sum = req.items.reduce((s, t) => s + Number(t.transferAmount), 0);
  const totals: Array<[field: 'totalCount' | 'totalAmount', expected: number, max: number, mismatch: string]> = [
    ['totalCount', count, maxItems, '合計件数が明細の件数と一致しません。'],
    ['totalAmount', sum, MAX_TOTAL_AMOUNT, '合計金額が明細の振込金額の合計と一致しません。'],
  ];
  for (const [field, expected, max, mismatch] of totals) {
    const given = req[field];
    // "1件のみの場合は省略可": with several items both totals are required, and they must add up (errata 12).
    if (given === undefined) {
      if (count > 1) problems.onHeader(field, missingMessage(field));
    } else if (Number(given) < 1 || Number(given) > max) {
      problems.onHeader(field, invalidMessage(field));
    } else if (Number(given) !== expected) {
      problems.onHeader(field, mismatch);
    }
  }
}

export interface TransferContext {
  /** the account when it belongs to the token's user */
  ownedAccount(accountId: string): SeedAccount | undefined;
  today: string;
  config: SimulatorConfig;
}

/** Validates a request of the form's kind like the bank does and prices it. Throws a 400 TransferError. */
export function validateOrder(body: unknown, ctx: TransferContext, form: RequestForm): TransferOrder {
  const req = parseShape(body, form);
  const problems = new Problems();
  const account = ctx.ownedAccount(req.accountId);
  if (!account) problems.onHeader('accountId', '指定された口座IDは存在しません。');
  const date = designatedDate(req, ctx, problems);
  checkTotals(req, form.maxItems, problems);

  const ids = form.itemIds(req.items, problems);
  const items: OrderItem[] = [];
  req.items.forEach((t, index) => {
    const itemId = ids[index];
    const amount = Number(t.transferAmount);
    form.checkAmount(amount, account, itemId, problems);
    const branch = lookupBranch(t.beneficiaryBankCode, t.beneficiaryBranchCode);
    if (!branch) {
      problems.onItem(itemId, UNKNOWN_BRANCH, '金融機関情報エラー');
      return;
    }
    items.push({
      itemId,
      amount,
      fee: t.beneficiaryBankCode === GMO_AOZORA_BANK_CODE ? 0 : ctx.config.otherBankFeeYen,
      ediInfo: t.ediInfo === undefined ? undefined : normaliseSmallKana(t.ediInfo),
      bankCode: t.beneficiaryBankCode,
      bankNameKana: branch.bankNameKana,
      bankNameKanji: branch.bankNameKanji,
      branchCode: t.beneficiaryBranchCode,
      branchNameKana: branch.branchNameKana,
      branchNameKanji: branch.branchNameKanji,
      accountTypeCode: t.accountTypeCode,
      accountNumber: t.accountNumber,
      beneficiaryName: normaliseSmallKana(t.beneficiaryName).slice(0, form.keep?.beneficiaryName),
      clearingHouseName: t.clearingHouseName,
      newCode: t.newCode,
      transferDesignatedType: t.transferDesignatedType,
      identification: t.identification,
    });
  });
  if (!account || !date || problems.any) throw problems.error();

  return {
    kind: form.kind,
    accountId: account.accountId,
    remitterName: normaliseSmallKana(req.remitterName ?? account.accountNameKana).slice(0, form.keep?.remitterName),
    transferDataName: req.transferDataName,
    designatedDate: date,
    // the status query lists items by itemId
    items: items.sort((a, b) => Number(a.itemId) - Number(b.itemId)),
    amount: items.reduce((s, i) => s + i.amount, 0),
    fee: items.reduce((s, i) => s + i.fee, 0),
  };
}

const transferForm: RequestForm = {
  kind: 'transfer',
  itemsField: 'transfers',
  schema: z
    .object({ ...headerFields, transfers: required(z.array(z.object({ itemId: optional(itemIdSchema), ...itemFields })).min(1).max(MAX_ITEMS)) })
    .transform(({ transfers, ...header }) => ({ ...header, items: transfers })),
  maxItems: MAX_ITEMS,
  // "1件のみの場合は省略可"; with several, "1～99の範囲で１からの連番"
  itemIds(items, problems) {
    return items.map((t, index) => {
      const itemId = t.itemId ?? String(index + 1);
      if (items.length > 1 && t.itemId === undefined) problems.onItem(itemId, 'itemId', missingMessage('itemId'));
      else if (Number(itemId) !== index + 1) problems.onItem(itemId, 'itemId', '明細番号は1からの連番で指定してください。');
      return itemId;
    });
  },
  checkAmount(amount, account, itemId, problems) {
    if (amount < 1) problems.onItem(itemId, 'transferAmount', '振込金額は1円以上で指定してください。');
    if (account && amount > account.transferLimitAmount) {
      problems.onItem(itemId, OVER_LIMIT, `振込金額が振込限度額（${account.transferLimitAmount}円）を超えています。`);
    }
  },
};

/** Validates a TransferRequest body like the bank does and prices it. Throws a 400 TransferError. */
export function validateTransferRequest(body: unknown, ctx: TransferContext): TransferOrder {
  return validateOrder(body, ctx, transferForm);
}
