import { z } from 'zod';
import { BankError } from './errors';
import type { BankHttpClient } from './httpClient';

/** GMO's Account (口座一覧照会); every nested field is optional in practice, so parse defensively. */
const accountSchema = z.object({
  accountId: z.string(),
  branchCode: z.string().optional(),
  branchName: z.string().optional(),
  accountTypeCode: z.string(),
  accountTypeName: z.string(),
  accountNumber: z.string().optional(),
  primaryAccountCode: z.string().optional(),
  primaryAccountCodeName: z.string().optional(),
  accountName: z.string().optional(),
  accountNameKana: z.string().optional(),
  currencyCode: z.string(),
  currencyName: z.string(),
  transferLimitAmount: z.string().optional(),
});
export type BankAccount = z.infer<typeof accountSchema>;

const accountsResponse = z.object({ baseDate: z.string(), baseTime: z.string(), accounts: z.array(accountSchema).default([]) });

const balanceSchema = z.object({
  accountId: z.string(),
  accountTypeCode: z.string(),
  accountTypeName: z.string(),
  balance: z.string().optional(),
  baseDate: z.string(),
  baseTime: z.string(),
  withdrawableAmount: z.string().optional(),
  previousDayBalance: z.string().optional(),
  previousMonthBalance: z.string().optional(),
  currencyCode: z.string(),
  currencyName: z.string(),
});
type BankBalance = z.infer<typeof balanceSchema>;
const balancesResponse = z.object({ balances: z.array(balanceSchema).default([]) });

export function parseBankBody<S extends z.ZodType>(schema: S, body: unknown, what: string): z.output<S> {
  const parsed = schema.safeParse(body);
  if (!parsed.success) {
    throw new BankError('protocol', `${what}: unexpected answer from the bank (${parsed.error.issues[0]?.path.join('.')})`, {
      certainlyNotProcessed: false,
    });
  }
  return parsed.data;
}

export class AccountsApi {
  constructor(private readonly http: BankHttpClient) {}

  async list(accessToken: string): Promise<BankAccount[]> {
    const res = await this.http.send({ method: 'GET', path: '/accounts', accessToken });
    return parseBankBody(accountsResponse, res.body, 'GET /accounts').accounts;
  }

  async balances(accessToken: string, accountId?: string): Promise<BankBalance[]> {
    const res = await this.http.send({ method: 'GET', path: '/accounts/balances', accessToken, query: { accountId } });
    return parseBankBody(balancesResponse, res.body, 'GET /accounts/balances').balances;
  }
}
