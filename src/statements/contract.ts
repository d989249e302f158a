import { z } from 'zod';
import { accountIdSchema } from '../accounts/contract';
import { addDays } from '../calendar/businessDays';
import { API_PROBLEMS, BANK_PROBLEMS, companyParams, endpoint, jsonResponse, problemResponses } from '../http/endpoint';
import { PAYOUT_KINDS } from './matching';

/**
 * The statements contract: an account's 入出金明細 and 振込入金明細, live from the bank, one bank page per
 * page. The routes parse with these schemas, the views return their types, and the OpenAPI document is
 * generated from them.
 */

/** The longest period one query may ask for: any calendar month fits. */
export const MAX_PERIOD_DAYS = 31;

const jstDate = (what: string) => z.iso.date('must be a date YYYY-MM-DD (JST)').meta({ description: what, example: '2026-11-24' });

const statementQuerySchema = z
  .object({
    from: jstDate('the first day (JST), inclusive'),
    to: jstDate(`the last day (JST), inclusive; at most ${MAX_PERIOD_DAYS} days from \`from\` counting both`),
    cursor: z.string().max(512, 'is not a cursor this API returned').optional().meta({ description: '`nextCursor` of the previous page, with the same `from` and `to`' }),
  })
  .strict()
  .superRefine((q, ctx) => {
    if (q.from > q.to) ctx.addIssue({ code: 'custom', path: ['from'], message: 'must be on or before `to`' });
    else if (addDays(q.from, MAX_PERIOD_DAYS - 1) < q.to) ctx.addIssue({ code: 'custom', path: ['to'], message: `must be at most ${MAX_PERIOD_DAYS} days from \`from\` (both counted)` });
  });
export type StatementQuery = z.infer<typeof statementQuerySchema>;

const statementParams = companyParams.extend({ accountId: accountIdSchema });

// ------------------------------------------------------------------------------------------ answers

const yen = z.number().int();
const date = z.iso.date();

const pageShape = {
  accountId: z.string().meta({ example: '101011234567' }),
  from: date,
  to: date,
  asOf: z.iso.datetime().nullable().meta({ description: 'when the bank read the statement' }),
  nextCursor: z.string().nullable().meta({ description: 'pass as `cursor` (with the same `from` and `to`) for the next page; null on the last' }),
};

const transactionSchema = z
  .object({
    itemKey: z.string().nullable().meta({ description: 'the bank’s 明細キー, unique per account: dedupe on it', example: '20261124100103000000' }),
    transactionDate: date.meta({ description: '取引日 (JST)' }),
    valueDate: date.meta({ description: '起算日 (JST)' }),
    type: z.enum(['deposit', 'withdrawal']).meta({ description: '入金 or 出金' }),
    amount: yen.meta({ description: 'yen', example: 12000 }),
    balance: yen.meta({ description: '取引後残高 in yen' }),
    remarks: z.string().nullable().meta({ description: '摘要, as the bank wrote it', example: '振込 ﾔﾏﾀﾞ ﾀﾛｳ' }),
    transferId: z.string().nullable().meta({ description: 'the payout this row is, when it matches one unambiguously: a transfer’s id (or a bulk transfer’s, see `payoutKind`)' }),
    payoutKind: z.enum(PAYOUT_KINDS).nullable().meta({ description: 'what `transferId` names' }),
    matchedAs: z.enum(['transfer', 'fee']).nullable().meta({ description: '`transfer`: the payout’s own debit; `fee`: its 振込手数料' }),
  })
  .meta({ id: 'StatementTransaction', description: 'One row of 入出金明細.' });
export type TransactionView = z.infer<typeof transactionSchema>;

const transactionPageSchema = z.object({ ...pageShape, items: z.array(transactionSchema) }).meta({ id: 'StatementTransactionPage' });
export type TransactionPage = z.infer<typeof transactionPageSchema>;

const depositSchema = z
  .object({
    itemKey: z.string().meta({ description: 'the bank’s 明細キー, unique per account: dedupe on it' }),
    transactionDate: date.meta({ description: '取引日 (JST)' }),
    valueDate: date.meta({ description: '起算日 (JST)' }),
    type: z.literal('deposit'),
    amount: yen.meta({ description: 'yen', example: 50000 }),
    remarks: z.string().nullable().meta({ description: '摘要' }),
    applicantName: z.string().nullable().meta({ description: '依頼人名 (half-width)', example: 'ｱｵｿﾞﾗｼﾖｳｼﾞ(ｶ' }),
    paymentBankName: z.string().nullable().meta({ description: '仕向金融機関名 (half-width kana)', example: 'ｱｵｿﾞﾗｷﾞﾝｺｳ' }),
    paymentBranchName: z.string().nullable().meta({ description: '仕向支店名 (half-width kana)', example: 'ﾎﾝﾃﾝ' }),
    ediInfo: z.string().nullable().meta({ description: 'EDI情報' }),
  })
  .meta({ id: 'StatementDeposit', description: 'One row of 振込入金明細: an incoming transfer.' });
export type DepositView = z.infer<typeof depositSchema>;

const depositPageSchema = z.object({ ...pageShape, items: z.array(depositSchema) }).meta({ id: 'StatementDepositPage' });
export type DepositPage = z.infer<typeof depositPageSchema>;

// ------------------------------------------------------------------------------------------ endpoints

const TAGS = ['accounts'];

const PAGING = `One page of the bank's statement per call (at most 500 rows, oldest first); \`nextCursor\` asks for the next with the same \`from\` and \`to\`. \`from\` ≤ \`to\`, at most ${MAX_PERIOD_DAYS} days. Only the company's own 普通預金 accounts (404 for any other). Amounts are yen integers, dates JST.`;

export const listTransactions = endpoint({
  method: 'get',
  path: '/v1/companies/{companyId}/accounts/{accountId}/transactions',
  operationId: 'listAccountTransactions',
  tags: TAGS,
  summary: 'An account’s 入出金明細, live from the bank, with our payouts matched',
  description: `Reads GMO \`/accounts/transactions\`. ${PAGING}

Each withdrawal that is a payout we made carries its \`transferId\`: a row is matched when exactly one payout fits it — the same account, amount and settlement date, and the beneficiary’s name in the remarks (\`振込 <name>\`, compared after half/full-width conversion) — and that payout fits no other row of the page; the \`振込手数料\` row right after it, for the payout’s fee, is matched as its \`fee\`. Only completed, returning and returned payouts are matched. Two payouts alike (same amount, day and name) match nothing: \`transferId\` is then null.`,
  auth: 'apiKey',
  request: { params: statementParams, query: statementQuerySchema },
  responses: {
    200: jsonResponse('A page of the statement.', transactionPageSchema),
    ...problemResponses([...API_PROBLEMS, ...BANK_PROBLEMS]),
  },
});

export const listDeposits = endpoint({
  method: 'get',
  path: '/v1/companies/{companyId}/accounts/{accountId}/deposit-transactions',
  operationId: 'listAccountDeposits',
  tags: TAGS,
  summary: 'An account’s 振込入金明細 (incoming transfers), live from the bank',
  description: `Reads GMO \`/accounts/deposit-transactions\`. ${PAGING}`,
  auth: 'apiKey',
  request: { params: statementParams, query: statementQuerySchema },
  responses: {
    200: jsonResponse('A page of incoming transfers.', depositPageSchema),
    ...problemResponses([...API_PROBLEMS, ...BANK_PROBLEMS]),
  },
});

export const statementEndpoints = [listTransactions, listDeposits];
