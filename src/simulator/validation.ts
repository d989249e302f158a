import { z } from 'zod';
import { GATEWAY, errorResponse, type SimHttpError } from './errors';
import { isCalendarDate } from './jst';

/** Errata 7 / 共通仕様: an empty value and an absent one are both NULL. Applied before any length check. */
function absentIfEmpty(value: unknown): unknown {
  return value === '' ? undefined : value;
}

export function required<T extends z.ZodType>(schema: T) {
  return z.preprocess(absentIfEmpty, schema);
}

export function optional<T extends z.ZodType>(schema: T) {
  return z.preprocess(absentIfEmpty, schema.optional());
}

export function digits(min: number, max = min) {
  return z.string().regex(new RegExp(`^\\d{${min},${max}}$`));
}

export const accountIdSchema = z.string().regex(/^[0-9A-Za-z]{12,29}$/);
export const applyNoSchema = digits(16);
export const dateSchema = z.string().refine(isCalendarDate);

/** The names the bank uses in its messages. */
const LABELS: Record<string, string> = {
  accountId: '口座ID',
  dateFrom: '対象期間From',
  dateTo: '対象期間To',
  nextItemKey: '次明細キー',
  applyNo: '受付番号（振込申請番号）',
  queryKeyClass: '照会対象キー区分',
  requestTransferStatus: '照会対象ステータス',
  requestTransferClass: '振込照会対象取得区分',
  requestTransferTerm: '振込照会対象期間区分',
  cancelTargetKeyClass: '取消対象キー区分',
  remitterName: '振込依頼人名',
  transferDesignatedDate: '振込指定日',
  transferDateHolidayCode: '振込指定日休日コード',
  totalCount: '合計件数',
  totalAmount: '合計金額',
  applyComment: '振込申請メモ',
  transfers: '振込情報',
  itemId: '明細番号',
  transferAmount: '振込金額',
  ediInfo: 'EDI情報',
  beneficiaryBankCode: '被仕向金融機関番号',
  beneficiaryBankName: '被仕向金融機関名カナ',
  beneficiaryBranchCode: '被仕向支店番号',
  beneficiaryBranchName: '被仕向支店名カナ',
  accountTypeCode: '科目コード',
  accountNumber: '口座番号',
  beneficiaryName: '受取人名',
  bulkTransfers: '総合振込明細情報',
  transferDataName: '振込データ名',
  clearingHouseName: '手形交換所番号',
  newCode: '新規コード',
  transferDesignatedType: '振込指定区分',
  identification: '識別表示',
  detailInfoNecessity: '明細情報取得フラグ',
  bulktransferItemKey: '総合振込明細情報取得対象キー',
  vaContractAuthKey: '振込入金口座API認証情報',
  vaTypeCode: '振込入金口座種類コード',
  issueRequestCount: '発行口座数',
  raId: '入金口座ID',
  vaId: '振込入金口座ID',
  vaIdList: '振込入金口座IDリスト',
  vaHolderNameKana: '振込入金口座名義カナ',
  vaHolderNamePos: '追加名義位置',
  vaStatusCode: '振込入金口座状態コード',
  vaStatusCodeList: '振込入金口座状態コードリスト',
  vaStatusChangeCode: '振込入金口座状態変更依頼コード',
  depositAmountExistCode: '入金有無コード',
  latestDepositDateFrom: '最終入金日From',
  latestDepositDateTo: '最終入金日To',
  vaIssueDateFrom: '振込入金口座発行日From',
  vaIssueDateTo: '振込入金口座発行日To',
  expireDateFrom: '有効期限From',
  expireDateTo: '有効期限To',
  sortItemCode: 'ソート項目コード',
  sortOrderCode: 'ソート順コード',
};

export function label(field: string): string {
  return LABELS[field] ?? field;
}

export function missingMessage(field: string): string {
  return `${label(field)}を入力してください。`;
}

export function invalidMessage(field: string): string {
  return `${label(field)}が不正です。`;
}

export interface FieldIssue {
  path: PropertyKey[];
  field: string;
  missing: boolean;
}

function valueAt(input: unknown, path: PropertyKey[]): unknown {
  let value = input;
  for (const key of path) {
    if (value === null || typeof value !== 'object') return undefined;
    value = (value as Record<PropertyKey, unknown>)[key];
  }
  return absentIfEmpty(value);
}

/** One issue per offending field, telling a missing value from a malformed one. */
export function fieldIssues(error: z.ZodError, input: unknown): FieldIssue[] {
  const seen = new Set<string>();
  const issues: FieldIssue[] = [];
  for (const issue of error.issues) {
    const key = issue.path.map(String).join('.');
    if (seen.has(key)) continue;
    seen.add(key);
    // The field is the last named step; a failing element of a list parameter is not a missing field.
    let fieldEnd = issue.path.length;
    while (fieldEnd > 0 && typeof issue.path[fieldEnd - 1] !== 'string') fieldEnd--;
    const fieldPath = issue.path.slice(0, fieldEnd);
    issues.push({ path: issue.path, field: String(fieldPath.at(-1) ?? 'body'), missing: valueAt(input, fieldPath) === undefined });
  }
  return issues;
}

export function parameterError(field: string, missing: boolean): SimHttpError {
  return missing
    ? errorResponse(400, GATEWAY.required, missingMessage(field))
    : errorResponse(400, GATEWAY.invalidParameter, invalidMessage(field));
}

/** Parses query parameters or a body for an ErrorResponse endpoint: the first problem becomes a 400. */
export function parseOrReject<T extends z.ZodType>(schema: T, input: unknown): z.infer<T> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const [first] = fieldIssues(result.error, input);
  throw parameterError(first.field, first.missing);
}
