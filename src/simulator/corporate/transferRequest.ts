import { z } from 'zod';
import type { TransferItem, TransferOrder } from '../bank/transfers';
import { BUSINESS, transferError, type ErrorDetail, type SimHttpError, type TransferErrorDetail } from '../errors';
import { addDays, isWeekend } from '../jst';
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
 * errorDetailsCode per field of TransferRequest (header) and Transfer (item). 220001 for an unusable
 * beneficiary name was seen in sunabar; the others are the simulator's own. 0023456 / 金融機関情報エラー is
 * the spec's own example detail, used for a bank or branch that is not in the bank master.
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

const itemSchema = z.object({
  // The spec's own curl samples send itemId as a number.
  itemId: optional(z.union([z.number().int().nonnegative().transform(String), z.string()]).pipe(digits(1, 6))),
  transferAmount: required(digits(1, 20)),
  ediInfo: optional(zenginText(20)),
  beneficiaryBankCode: required(digits(4)),
  beneficiaryBankName: optional(halfWidthText(30)),
  beneficiaryBranchCode: required(digits(3)),
  beneficiaryBranchName: optional(halfWidthText(15)),
  accountTypeCode: required(z.enum(['1', '2', '4', '9'])),
  accountNumber: required(digits(7)),
  beneficiaryName: required(zenginText(48)),
});

const requestSchema = z.object({
  accountId: required(accountIdSchema),
  remitterName: optional(zenginText(48)),
  transferDesignatedDate: required(dateSchema),
  transferDateHolidayCode: optional(z.enum(['1', '2', '3'])),
  totalCount: optional(digits(1, 6)),
  totalAmount: optional(digits(1, 20)),
  applyComment: optional(z.string().max(20)),
  transfers: required(z.array(itemSchema).min(1).max(MAX_ITEMS)),
});

type ParsedRequest = z.infer<typeof requestSchema>;

/** Collects every problem, so one 400 lists them all like the bank's TransferError. */
class Problems {
  private readonly header: ErrorDetail[] = [];
  private readonly items = new Map<string, ErrorDetail[]>();

  onHeader(field: string, message: string): void {
    this.header.push({ errorDetailsCode: HEADER_CODES[field], errorDetailsMessage: message });
  }

  onItem(itemId: string, code: string, message: string): void {
    const details = this.items.get(itemId) ?? [];
    details.push({ errorDetailsCode: code, errorDetailsMessage: message });
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

function displayItemId(body: unknown, index: number): string {
  const id = (body as { transfers?: Array<{ itemId?: unknown }> } | null)?.transfers?.[index]?.itemId;
  return (typeof id === 'string' || typeof id === 'number') && /^\d{1,6}$/.test(String(id)) ? String(id) : String(index + 1);
}

function parseShape(body: unknown): ParsedRequest {
  const result = requestSchema.safeParse(Array.isArray(body) ? {} : (body ?? {}));
  if (result.success) return result.data;
  const problems = new Problems();
  for (const issue of fieldIssues(result.error, body)) {
    const message = issue.missing ? missingMessage(issue.field) : (CHARSET_HINTS[issue.field] ?? invalidMessage(issue.field));
    const [top, index] = issue.path;
    if (top === 'transfers' && typeof index === 'number' && ITEM_CODES[issue.field]) {
      problems.onItem(displayItemId(body, index), ITEM_CODES[issue.field], message);
    } else {
      problems.onHeader(HEADER_CODES[issue.field] ? issue.field : 'transfers', message);
    }
  }
  throw problems.error();
}

/**
 * 振込指定日 on a non-business day with at least one item to another bank (errata 3): holiday code 1 (default)
 * moves it to the next business day, 2 to the previous one, 3 is an error. Returns undefined for an error.
 */
function businessDate(req: ParsedRequest, config: SimulatorConfig, today: string): string | undefined {
  const date = req.transferDesignatedDate;
  const needsBusinessDay = req.transfers.some((t) => t.beneficiaryBankCode !== GMO_AOZORA_BANK_CODE);
  if (!config.weekendsAreHolidays || !needsBusinessDay || !isWeekend(date)) return date;
  const code = req.transferDateHolidayCode ?? '1';
  if (code === '3') return undefined;
  const step = code === '1' ? 1 : -1;
  let shifted = addDays(date, step);
  while (isWeekend(shifted)) shifted = addDays(shifted, step);
  return shifted >= today ? shifted : undefined;
}

function checkTotals(req: ParsedRequest, problems: Problems): void {
  const count = req.transfers.length;
  const sum = req.transfers.reduce((s, t) => s + Number(t.transferAmount), 0);
  const totals: Array<[field: 'totalCount' | 'totalAmount', expected: number, max: number, mismatch: string]> = [
    ['totalCount', count, MAX_ITEMS, '合計件数が明細の件数と一致しません。'],
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

/** Validates a TransferRequest body like the bank does and prices it. Throws a 400 TransferError. */
export function validateTransferRequest(body: unknown, ctx: TransferContext): TransferOrder {
  const req = parseShape(body);
  const problems = new Problems();
  const account = ctx.ownedAccount(req.accountId);
  if (!account) problems.onHeader('accountId', '指定された口座IDは存在しません。');

  const designatedDate = businessDate(req, ctx.config, ctx.today);
  if (req.transferDesignatedDate < ctx.today) {
    problems.onHeader('transferDesignatedDate', '振込指定日に過去の日付は指定できません。');
  } else if (!designatedDate) {
    problems.onHeader('transferDesignatedDate', '振込指定日が非営業日のため、指定できません。');
  }
  checkTotals(req, problems);

  const several = req.transfers.length > 1;
  const items: TransferItem[] = [];
  req.transfers.forEach((t, index) => {
    const itemId = t.itemId ?? String(index + 1);
    if (several && t.itemId === undefined) problems.onItem(itemId, ITEM_CODES.itemId, missingMessage('itemId'));
    else if (Number(itemId) !== index + 1) problems.onItem(itemId, ITEM_CODES.itemId, '明細番号は1からの連番で指定してください。');
    const amount = Number(t.transferAmount);
    if (amount < 1) problems.onItem(itemId, ITEM_CODES.transferAmount, '振込金額は1円以上で指定してください。');
    if (account && amount > account.transferLimitAmount) {
      problems.onItem(itemId, OVER_LIMIT, `振込金額が振込限度額（${account.transferLimitAmount}円）を超えています。`);
    }
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
      beneficiaryName: normaliseSmallKana(t.beneficiaryName),
    });
  });
  if (!account || !designatedDate || problems.any) throw problems.error();

  return {
    accountId: account.accountId,
    remitterName: normaliseSmallKana(req.remitterName ?? account.accountNameKana),
    designatedDate,
    items,
    amount: items.reduce((s, i) => s + i.amount, 0),
    fee: items.reduce((s, i) => s + i.fee, 0),
  };
}
