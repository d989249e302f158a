import { stringify } from 'csv-stringify/sync';
import type { TransferStatus } from '../transfers/lifecycle';
import type { PayoutReport, PayoutReportLine } from './contract';

/** The accountant reads Japanese: each status as a word (the code stays in its own column). */
export const STATUS_LABELS: Record<TransferStatus, string> = {
  pending: '送信待ち',
  unknown: '確認中',
  submitted: '受付済',
  scheduled: '予約中',
  processing: '手続中',
  completed: '振込済',
  failed: '不成立',
  cancelled: '取消済',
  returning: '組戻手続中',
  returned: '返却済',
};

const ACCOUNT_TYPE_LABELS: Record<PayoutReportLine['beneficiary']['accountType'], string> = {
  ordinary: '普通',
  current: '当座',
  savings: '貯蓄',
  other: 'その他',
};

const KIND_LABELS: Record<PayoutReportLine['kind'], string> = { transfer: '振込', bulk_transfer_item: '総合振込' };

/** `2026-11-24 10:00:03`: an accountant's JST time, which spreadsheets read as a date-time. */
function jstDateTime(iso: string): string {
  return new Date(Date.parse(iso) + 9 * 3600 * 1000).toISOString().slice(0, 19).replace('T', ' ');
}

type Cell = string | number | null;

/** The columns, in order: the header and the cell of each line. */
export const CSV_COLUMNS: ReadonlyArray<{ header: string; cell: (l: PayoutReportLine) => Cell }> = [
  { header: '作成日時', cell: (l) => jstDateTime(l.createdAt) },
  { header: '振込指定日', cell: (l) => l.designatedDate },
  { header: '振込日', cell: (l) => l.settlementDate },
  { header: '種別', cell: (l) => KIND_LABELS[l.kind] },
  { header: '取引ID', cell: (l) => l.id },
  { header: '明細番号', cell: (l) => l.itemNo },
  { header: '参照番号', cell: (l) => l.reference },
  { header: '状態', cell: (l) => STATUS_LABELS[l.status] },
  { header: '状態コード', cell: (l) => l.status },
  { header: '銀行ステータス', cell: (l) => l.bankStatus },
  { header: '受付番号', cell: (l) => l.applyNo },
  { header: '出金口座', cell: (l) => l.accountId },
  { header: '金額', cell: (l) => l.amount },
  { header: '手数料', cell: (l) => l.fee },
  { header: '引落合計', cell: (l) => l.totalDebit },
  { header: '受取人', cell: (l) => l.beneficiary.name },
  { header: '銀行コード', cell: (l) => l.beneficiary.bankCode },
  { header: '銀行名', cell: (l) => l.beneficiary.bankName ?? l.beneficiary.bankNameKana },
  { header: '支店コード', cell: (l) => l.beneficiary.branchCode },
  { header: '支店名', cell: (l) => l.beneficiary.branchName ?? l.beneficiary.branchNameKana },
  { header: '預金種別', cell: (l) => ACCOUNT_TYPE_LABELS[l.beneficiary.accountType] },
  { header: '口座番号', cell: (l) => l.beneficiary.accountNumber },
  { header: '出金明細キー', cell: (l) => l.statementMatch?.withdrawalItemKey ?? null },
  { header: '手数料明細キー', cell: (l) => l.statementMatch?.feeItemKey ?? null },
];

/** The label of the last row, whose amount, fee and total are the debited lines' totals. */
export const TOTAL_ROW_LABEL = '合計（引落済）';

/**
 * The report as the accountant's CSV: UTF-8 with a BOM (without it Excel reads Japanese as Shift_JIS),
 * CRLF, a header row, a row per line and a totals row. csv-stringify quotes; `escape_formulas` keeps a
 * caller's reference such as `=HYPERLINK(…)` from running as a formula in the spreadsheet.
 */
export function payoutReportCsv(report: PayoutReport): Buffer {
  const totals = CSV_COLUMNS.map(({ header }): Cell => {
    if (header === '作成日時') return TOTAL_ROW_LABEL;
    if (header === '金額') return report.totals.totalAmount;
    if (header === '手数料') return report.totals.totalFee;
    if (header === '引落合計') return report.totals.totalDebit;
    return null;
  });
  const csv = stringify([...report.lines.map((l) => CSV_COLUMNS.map((c) => c.cell(l))), totals], {
    bom: true,
    record_delimiter: 'windows',
    escape_formulas: true,
    header: true,
    columns: CSV_COLUMNS.map((c, i) => ({ key: String(i), header: c.header })),
  });
  return Buffer.from(csv, 'utf8');
}
