import { z } from 'zod';
import { API_PROBLEMS, companyParams, endpoint, problemResponses, standardHeaders } from '../http/endpoint';
import { TRANSFER_STATUSES } from '../transfers/lifecycle';
import { transferSchema } from '../transfers/contract';

/**
 * The reports contract: one JST day's payouts for the shop's accountant, as JSON or as CSV. The route parses
 * with these schemas, the report service returns their types, and the OpenAPI document is generated from them.
 */

/** What a line of the report is: a transfer, or one item of a bulk transfer (総合振込). */
export const PAYOUT_LINE_KINDS = ['transfer', 'bulk_transfer_item'] as const;

const reportQuerySchema = z
  .object({
    date: z.iso.date('must be a date YYYY-MM-DD (JST)').meta({ description: 'the JST day the payouts were created', example: '2026-11-24' }),
    format: z.enum(['json', 'csv'], { error: 'must be json or csv' }).optional().meta({ description: 'overrides the `Accept` header: `csv` answers `text/csv`' }),
  })
  .strict();

const yen = z.number().int();
const date = z.iso.date();

const statementMatchSchema = z
  .object({
    withdrawalItemKey: z.string().nullable().meta({ description: 'the 入出金明細 row of the payout’s debit; null when none matches unambiguously' }),
    feeItemKey: z.string().nullable().meta({ description: 'the row of its 振込手数料; null when none matches (or the transfer was free)' }),
  })
  .meta({ id: 'PayoutStatementMatch' });

const lineSchema = z
  .object({
    kind: z.enum(PAYOUT_LINE_KINDS),
    id: z.string().meta({ description: 'the transfer’s id, or for a bulk item its bulk transfer’s id' }),
    itemNo: z.number().int().nullable().meta({ description: 'a bulk item’s number in its batch (GMO itemId); null for a transfer' }),
    reference: z.string().nullable().meta({ description: 'the caller’s own reference' }),
    createdAt: z.iso.datetime(),
    accountId: z.string().meta({ description: 'the company’s account it is paid from' }),
    amount: yen,
    fee: yen.nullable().meta({ description: 'the transfer fee, once known; null for a bulk item (the batch pays one fee, on the batch’s own statement row)' }),
    totalDebit: yen.nullable().meta({ description: 'amount + fee' }),
    beneficiary: transferSchema.shape.beneficiary,
    status: z.enum(TRANSFER_STATUSES).meta({ description: 'as for a transfer' }),
    bankStatus: z.string().nullable().meta({ description: 'the bank’s raw transferStatus code' }),
    applyNo: z.string().nullable().meta({ description: 'the bank’s 受付番号' }),
    designatedDate: date.meta({ description: '振込指定日' }),
    settlementDate: date.meta({ description: 'the business day the bank debits it and the money arrives' }),
    statementMatch: statementMatchSchema.nullable().meta({
      description: 'its rows in the account’s 入出金明細 on the settlement date. null: not looked up (not debited: only completed, returning and returned payouts are; or the statement could not be read, see `notes`)',
    }),
  })
  .meta({ id: 'PayoutReportLine', description: 'One payout of the day, with the full beneficiary account number (the shop’s own records).' });
export type PayoutReportLine = z.infer<typeof lineSchema>;

const reportSchema = z
  .object({
    companyId: z.string(),
    date: date.meta({ description: 'the JST day' }),
    generatedAt: z.iso.datetime(),
    lines: z.array(lineSchema).meta({ description: 'oldest first' }),
    totals: z
      .object({
        count: z.number().int().meta({ description: 'every line' }),
        countByStatus: z.record(z.enum(TRANSFER_STATUSES), z.number().int()).meta({ description: 'lines per status (every status listed)' }),
        totalAmount: yen.meta({ description: 'the amounts of the lines the bank debited (completed, returning, returned)' }),
        totalFee: yen.meta({ description: 'their fees' }),
        totalDebit: yen.meta({ description: 'totalAmount + totalFee' }),
      })
      .meta({ id: 'PayoutReportTotals' }),
    notes: z.array(z.string()).meta({ description: 'what the report could not do, e.g. a statement the bank could not be read for' }),
  })
  .meta({ id: 'PayoutReport' });
export type PayoutReport = z.infer<typeof reportSchema>;

const CSV_DESCRIPTION =
  'UTF-8 with a BOM (Excel opens the Japanese text), CRLF line ends, a header row of Japanese column names (作成日時, 振込指定日, 振込日, 取引ID, 参照番号, 状態, 金額, 手数料, 引落合計, 受取人, 銀行名, 支店名, 口座番号, 出金明細キー, 手数料明細キー, …), one row per line, and a last 合計 row with the debited amount, fee and total. Times are JST; a cell that would start a spreadsheet formula is prefixed with `\'`.';

export const payoutReport = endpoint({
  method: 'get',
  path: '/v1/companies/{companyId}/reports/payouts',
  operationId: 'getPayoutReport',
  tags: ['transfers'],
  summary: 'One day’s payouts, with fees and statement matches, as JSON or CSV',
  description: `The payouts created on one JST day, oldest first: amount, fee, beneficiary (full account number), status, the bank’s status and 受付番号, the settlement date, and the rows of the account’s 入出金明細 that are the payout and its fee (matched as in GET …/transactions, over the whole settlement day; at most 20 pages of statements per report). When the bank cannot be read the report still answers: \`statementMatch\` is null and \`notes\` says why.

JSON by default; CSV (\`text/csv; charset=utf-8\`, an attachment \`payouts-YYYY-MM-DD.csv\`) with \`format=csv\` or \`Accept: text/csv\`.`,
  auth: 'apiKey',
  request: { params: companyParams, query: reportQuerySchema },
  responses: {
    200: {
      description: 'The report.',
      headers: standardHeaders.extend({
        'Content-Disposition': z.string().optional().meta({ description: 'CSV only: `attachment; filename="payouts-YYYY-MM-DD.csv"`' }),
        Vary: z.string().optional().meta({ description: '`Accept`: the answer depends on it' }),
      }),
      content: {
        'application/json': { schema: reportSchema },
        'text/csv': { schema: z.string().meta({ description: CSV_DESCRIPTION }) },
      },
    },
    ...problemResponses(API_PROBLEMS),
  },
});

export const reportEndpoints = [payoutReport];
