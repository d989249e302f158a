import { z } from 'zod';
import { API_PROBLEMS, BANK_PROBLEMS, companyParams, endpoint, jsonResponse, problemResponses } from '../http/endpoint';

/**
 * The accounts contract: the company's own accounts and their balances, live from the bank. The routes
 * parse with these schemas, AccountView and Balance are inferred from them, and the OpenAPI document is
 * generated from them.
 */

/** GMO's accountId: 12–29 alphanumerics (branch + type + number, or longer for other account kinds). */
export const accountIdSchema = z
  .string()
  .regex(/^[0-9A-Za-z]{12,29}$/, 'is not a GMO accountId')
  .meta({ description: 'GMO’s accountId of one of the company’s connected accounts', example: '101011234567' });

const yenOrNull = z.number().int().nullable();

export const accountSchema = z
  .object({
    accountId: z.string().meta({ example: '101011234567' }),
    branchCode: z.string().nullable(),
    branchName: z.string().nullable(),
    accountTypeCode: z.string().meta({ description: 'GMO’s 科目コード', example: '01' }),
    accountTypeName: z.string().meta({ example: '普通預金（有利息）' }),
    accountNumber: z.string().nullable(),
    accountName: z.string().nullable(),
    accountNameKana: z.string().nullable(),
    primary: z.boolean().meta({ description: 'the 代表口座: transfers are paid from it unless they name an `accountId`' }),
    currencyCode: z.string().meta({ example: 'JPY' }),
    transferLimitAmount: yenOrNull.meta({ description: '振込限度額 in yen: no transfer may be larger' }),
  })
  .meta({ id: 'Account', description: 'One of the company’s own bank accounts (GMO’s codes kept alongside).' });
export type AccountView = z.infer<typeof accountSchema>;

const accountListSchema = z.object({ accounts: z.array(accountSchema) }).meta({ id: 'AccountList' });
export type AccountList = z.infer<typeof accountListSchema>;

export const balanceSchema = z
  .object({
    accountId: z.string(),
    currencyCode: z.string().meta({ example: 'JPY' }),
    balance: yenOrNull.meta({ description: '残高 in yen' }),
    withdrawableAmount: yenOrNull.meta({ description: '支払可能残高 in yen' }),
    previousDayBalance: yenOrNull.meta({ description: '前日最終残高 in yen' }),
    previousMonthBalance: yenOrNull.meta({ description: '前月末残高 in yen' }),
    asOf: z.iso.datetime().nullable().meta({ description: 'when the bank computed it' }),
  })
  .meta({ id: 'Balance' });
export type Balance = z.infer<typeof balanceSchema>;

const TAGS = ['accounts'];

const listAccounts = endpoint({
  method: 'get',
  path: '/v1/companies/{companyId}/accounts',
  operationId: 'listAccounts',
  tags: TAGS,
  summary: 'The company’s accounts, live from the bank',
  description: 'Reads GMO `/accounts` and keeps the list on the connection.',
  auth: 'apiKey',
  request: { params: companyParams },
  responses: {
    200: jsonResponse('The accounts.', accountListSchema),
    ...problemResponses([...API_PROBLEMS, ...BANK_PROBLEMS]),
  },
});

export const getBalance = endpoint({
  method: 'get',
  path: '/v1/companies/{companyId}/accounts/{accountId}/balance',
  operationId: 'getBalance',
  tags: TAGS,
  summary: 'An account’s balance, live from the bank',
  description: 'Only the company’s own accounts (404 for any other). Reads GMO `/accounts/balances`; amounts are yen integers.',
  auth: 'apiKey',
  request: { params: companyParams.extend({ accountId: accountIdSchema }) },
  responses: {
    200: jsonResponse('The balance.', balanceSchema),
    ...problemResponses([...API_PROBLEMS, ...BANK_PROBLEMS]),
  },
});

export const accountEndpoints = [listAccounts, getBalance];
