import { z } from 'zod';
import { parseBankBody } from './accountsApi';
import { BankError } from './errors';
import type { BankHttpClient } from './httpClient';
import { bankDateTime } from './jst';
import { bankBoolean } from './statusPaging';

/** Amounts and balances are digit strings; the spec allows a minus sign ("半角数字 マイナス含む"). */
const yen = z
  .string()
  .regex(/^-?\d{1,20}$/)
  .transform(Number);
const date = z.iso.date();

/** GMO's Transaction (入出金明細): `remarks` and `itemKey` are omitted when the bank has none. */
const transactionSchema = z.object({
  transactionDate: date,
  valueDate: date,
  /** 1 入金, 2 出金 */
  transactionType: z.enum(['1', '2']),
  amount: yen,
  remarks: z.string().optional(),
  balance: yen,
  itemKey: z.string().optional(),
});
export type BankTransaction = z.infer<typeof transactionSchema>;

/** GMO's PaymentArrival (振込入金明細): always an incoming transfer. */
const paymentArrivalSchema = z.object({
  transactionDate: date,
  valueDate: date,
  transactionType: z.literal('1'),
  amount: yen,
  remarks: z.string().optional(),
  applicantName: z.string().optional(),
  paymentBankName: z.string().optional(),
  paymentBranchName: z.string().optional(),
  ediInfo: z.string().optional(),
  itemKey: z.string(),
});
export type BankPaymentArrival = z.infer<typeof paymentArrivalSchema>;

const paging = {
  baseDate: z.string(),
  baseTime: z.string(),
  hasNext: bankBoolean,
  nextItemKey: z.string().optional(),
};
const transactionsResponse = z.object({ ...paging, transactions: z.array(transactionSchema).default([]) });
const depositTransactionsResponse = z.object({ ...paging, paymentArrivals: z.array(paymentArrivalSchema).default([]) });

/** One page of a statement as the bank sent it; `nextItemKey` asks for the next page (null on the last). */
export interface StatementPage<Row> {
  rows: Row[];
  nextItemKey: string | null;
  /** when the bank read it (baseDate + baseTime) */
  asOf: string | null;
}

/**
 * 入出金明細 and 振込入金明細: one page (at most 500 rows, oldest first) per call, never more, so the caller
 * decides how far to read. Both dates are always sent: sunabar answers 405 WG_ERR_019 without them.
 */
export class StatementsApi {
  constructor(private readonly http: BankHttpClient) {}

  async transactions(accessToken: string, accountId: string, dateFrom: string, dateTo: string, nextItemKey?: string): Promise<StatementPage<BankTransaction>> {
    const what = 'GET /accounts/transactions';
    const res = await this.http.send({ method: 'GET', path: '/accounts/transactions', accessToken, query: { accountId, dateFrom, dateTo, nextItemKey } });
    const parsed = parseBankBody(transactionsResponse, res.body, what);
    return pageOf(parsed, parsed.transactions, what);
  }

  async depositTransactions(accessToken: string, accountId: string, dateFrom: string, dateTo: string, nextItemKey?: string): Promise<StatementPage<BankPaymentArrival>> {
    const what = 'GET /accounts/deposit-transactions';
    const res = await this.http.send({ method: 'GET', path: '/accounts/deposit-transactions', accessToken, query: { accountId, dateFrom, dateTo, nextItemKey } });
    const parsed = parseBankBody(depositTransactionsResponse, res.body, what);
    return pageOf(parsed, parsed.paymentArrivals, what);
  }
}

function pageOf<Row>(p: { baseDate: string; baseTime: string; hasNext: boolean; nextItemKey?: string }, rows: Row[], what: string): StatementPage<Row> {
  // "more rows, but no key to ask for them" would silently cut the statement short
  if (p.hasNext && !p.nextItemKey) {
    throw new BankError('protocol', `${what}: hasNext without a nextItemKey`, { certainlyNotProcessed: true });
  }
  return { rows, nextItemKey: p.hasNext ? p.nextItemKey! : null, asOf: bankDateTime(p.baseDate, p.baseTime) };
}
