import { z } from 'zod';
import { accountIdSchema } from '../accounts/contract';
import { API_PROBLEMS, BANK_PROBLEMS, companyParams, endpoint, jsonResponse, problemResponses } from '../http/endpoint';
import { problemSchema } from '../http/problemSchema';
import { HOLIDAY_RULES } from '../calendar/settlement';
import { FEE_STATUSES, TRANSFER_STATUSES } from './lifecycle';
import { ACCOUNT_TYPE_CODES, type BeneficiaryAccountType } from './accountTypes';

/**
 * The transfers contract: every request and answer shape of /v1/companies/{companyId}/transfers…, once.
 * The routes parse with these schemas, TransferService takes their types, transferView returns their
 * type, and the OpenAPI document is generated from them.
 */

// ------------------------------------------------------------------------------------------ requests

const yenAmount = z
  .number({ error: 'must be a positive integer number of yen (a JSON number: no strings, commas or decimals)' })
  .int('must be a whole number of yen (no decimals)')
  .min(1, 'must be at least 1 yen')
  .max(999_999_999_999, 'must be at most 999,999,999,999 yen')
  .meta({ description: 'yen, a JSON integer, at most the account’s `transferLimitAmount`', example: 12000 });

const ACCOUNT_TYPES = Object.keys(ACCOUNT_TYPE_CODES) as [BeneficiaryAccountType, ...BeneficiaryAccountType[]];
export const beneficiaryAccountTypeSchema = z
  .enum(ACCOUNT_TYPES, { error: 'must be ordinary, current, savings or other' })
  .meta({ description: '預金種別: ordinary 普通, current 当座, savings 貯蓄, other その他 (GMO 1/2/4/9)' });

const bankCode = z.string().regex(/^\d{4}$/, 'must be the 4-digit zengin bank code').meta({ description: 'zengin bank code', example: '0005' });
const branchCode = z.string().regex(/^\d{3}$/, 'must be the 3-digit zengin branch code').meta({ description: 'zengin branch code', example: '001' });

export const beneficiarySchema = z
  .object({
    bankCode,
    branchCode,
    accountType: beneficiaryAccountTypeSchema,
    accountNumber: z.string().regex(/^\d{1,7}$/, 'must be 1 to 7 digits').meta({ description: '1–7 digits, left-padded to 7', example: '1234567' }),
    name: z
      .string()
      .trim()
      .min(1, 'is required')
      .max(200, 'is too long')
      .meta({
        description:
          'The beneficiary’s name; sent as GMO’s half-width 振込許容文字 (kana → half-width katakana, latin → upper case, 株式会社 → ｶ) …), at most 48 characters once converted. A character that cannot be sent is a 422 `transfer-invalid` naming it.',
        example: 'ヤマダ タロウ',
      }),
  })
  .strict()
  .meta({ id: 'Beneficiary' });

/** One source of truth for the transfer body: POST /transfers and POST /transfers/fee-quote. */
const transferBodySchema = z
  .object({
    accountId: accountIdSchema.optional().meta({ description: 'the company’s account to pay from; defaults to the connection’s 代表口座' }),
    amount: yenAmount,
    beneficiary: beneficiarySchema,
    designatedDate: z.iso
      .date('must be a date YYYY-MM-DD')
      .optional()
      .meta({
        description:
          '振込指定日 (JST), today or later. A day that is not a bank business day (Saturday, Sunday, national holiday, 12/31–1/3) is a 422 `transfer-invalid` unless `holidayRule` says where to move it. Absent: as soon as possible (today; on a non-business day the bank settles it on the next business day, and `settlementNote` says so).',
        example: '2026-11-25',
      }),
    holidayRule: z
      .enum(HOLIDAY_RULES, { error: 'must be reject, next_business_day or previous_business_day' })
      .optional()
      .meta({
        description:
          'What to do when `designatedDate` is not a bank business day: `reject` (the default) answers 422; `next_business_day` and `previous_business_day` move it and say so in `settlementNote`. Sent to GMO as `transferDateHolidayCode` 3 / 1 / 2 (a resend sends the same). The previous business day must not have passed.',
      }),
    ediInfo: z
      .string()
      .trim()
      .min(1, 'must not be empty when given')
      .max(100, 'is too long')
      .optional()
      .meta({ description: 'EDI information, the same character rules as `name`, at most 20 once converted. When absent our reference `RC…` is sent, which makes reconciliation exact.' }),
    reference: z.string().trim().min(1).max(64, 'must be at most 64 characters').optional().meta({ description: 'the caller’s own reference, stored and returned', example: 'BUY-0001' }),
  })
  .strict()
  .meta({ id: 'TransferRequest' });
export type TransferBody = z.infer<typeof transferBodySchema>;

export const idempotencyKeySchema = z
  .string({ error: 'the Idempotency-Key header is required' })
  .min(1, 'the Idempotency-Key header is required')
  .max(128, 'must be at most 128 characters')
  .regex(/^[\x21-\x7e]+$/, 'must be printable ASCII without spaces');

const JST_OFFSET = '+09:00';
const DAY_MS = 86_400_000;

/**
 * An instant: an ISO 8601 date-time with its offset, or a plain date taken as that whole day in JST
 * (`from=2026-11-25` starts at its midnight JST, `to=2026-11-25` ends at the next midnight JST).
 */
export const instantOrJstDate = (edge: 'start' | 'end') =>
  z.union([z.iso.datetime({ offset: true }), z.iso.date()], { error: 'must be an ISO 8601 date-time or a date YYYY-MM-DD (JST)' }).transform((v) => {
    if (v.length > 10) return new Date(v);
    const midnight = Date.parse(`${v}T00:00:00${JST_OFFSET}`);
    return new Date(edge === 'start' ? midnight : midnight + DAY_MS);
  });

const listQuerySchema = z
  .object({
    status: z.enum(TRANSFER_STATUSES).optional().meta({ description: 'only transfers in this status' }),
    from: instantOrJstDate('start').optional().meta({ description: '`createdAt` ≥ this instant; a plain date is its midnight JST' }),
    to: instantOrJstDate('end').optional().meta({ description: '`createdAt` < this instant; a plain date ends at the next midnight JST' }),
    idempotencyKey: idempotencyKeySchema.optional().meta({ description: 'the transfer created with this `Idempotency-Key` (what became of a request whose answer was lost)' }),
    limit: z.coerce.number().int().min(1).max(100).default(20).meta({ description: 'page size' }),
    cursor: z.string().max(200).optional().meta({ description: '`nextCursor` of the previous page' }),
  })
  .strict();
export type ListQuery = z.infer<typeof listQuerySchema>;

const transferIdSchema = z.uuid('is not a transfer id').meta({ description: 'the transfer’s id (ours; also the Idempotency-Key we send to GMO)' });
const transferParams = companyParams.extend({ id: transferIdSchema });

const IDEMPOTENCY = `**Required** on every POST /transfers: 1–128 printable ASCII characters, compared exactly (\`Buy-1-a\` and \`BUY-1-A\` are two purchases), unique per company. The transfer row (with the key and a hash of the body) is committed **before** the bank is called, and our transfer id is sent as GMO's \`Idempotency-Key\`, so a payout is never made twice.

| situation | answer |
|---|---|
| accepted by the bank | 201, \`status: "submitted"\` |
| timeout, connection reset or 5xx after sending | 202, \`status: "unknown"\`: never a failure, never resent blindly (reconciled by the poller) |
| 429 \`WG_ERR_154\`, 503 \`WG_ERR_300\`, connection refused (certainly not processed) | 202, \`status: "pending"\`: the poller sends it later |
| refused by the bank (400 / TransferError) | 422 \`transfer-refused\` with \`transfer\` (status \`failed\`, the bank's code, message and details) |
| same key, same body, any time later | the same transfer with the **first** answer's status, header \`Idempotent-Replayed: true\`, no bank call |
| same key, another body | 422 \`idempotency-key-reused\` |
| same key while the first request is still in flight | the same process waits for it and answers as above; another instance answers 409 \`request-in-flight\` (retry shortly) |

Once a transfer row exists the API never answers 5xx for it. \`GET …/transfers?idempotencyKey=K\` finds what became of a request whose answer was lost.`;

export const idempotencyHeaders = z.object({
  'Idempotency-Key': idempotencyKeySchema.meta({
    description: 'Required: 1–128 printable ASCII characters, compared exactly, unique per company. The same key with the same body replays the first answer; with another body it is a 422 (the operation describes every case).',
    example: 'buyback-0001',
  }),
});

// ------------------------------------------------------------------------------------------ answers

const iso = z.iso.datetime();
const yen = z.number().int();

export const bankErrorDetailSchema = z
  .object({ code: z.string(), message: z.string(), itemId: z.string().optional() })
  .meta({ id: 'BankErrorDetail', description: 'one of the bank’s error details (GMO errorDetails / transferErrorDetails)' });

export const transferSchema = z
  .object({
    id: z.uuid().meta({ description: 'ours; sent to GMO as its Idempotency-Key' }),
    status: z.enum(TRANSFER_STATUSES).meta({
      description:
        '`pending` stored, not (certainly) sent; `unknown` sent, outcome unknown (reconciled by the poller); `submitted` accepted by the bank; `scheduled` 予約中; `processing` 手続中/リトライ中; `completed` 手続済; `failed`; `cancelled`; `returning` 組戻手続中; `returned` 資金返却/組戻済',
    }),
    amount: yen.meta({ example: 12000 }),
    fee: yen.nullable().meta({ description: 'the transfer fee in yen, once known', example: 145 }),
    feeStatus: z.enum(FEE_STATUSES).nullable().meta({ description: '`quoted` by /transfer/transferfee at acceptance, `final` once the bank shows the fee charged' }),
    totalDebit: yen.nullable().meta({ description: 'amount + fee', example: 12145 }),
    accountId: z.string().meta({ description: 'the company’s account it is paid from' }),
    beneficiary: z
      .object({
        bankCode: z.string(),
        bankName: z.string().nullable(),
        bankNameKana: z.string(),
        branchCode: z.string(),
        branchName: z.string().nullable(),
        branchNameKana: z.string(),
        accountType: beneficiaryAccountTypeSchema,
        accountNumber: z.string().meta({ description: '7 digits; masked (`***4567`) inside problem bodies' }),
        name: z.string().meta({ description: 'as sent to the bank (half-width 振込許容文字)', example: 'ﾔﾏﾀﾞ ﾀﾛｳ' }),
      })
      .meta({ id: 'TransferBeneficiary' }),
    designatedDate: z.iso.date().meta({ description: 'the 振込指定日 sent to the bank' }),
    settlementDate: z.iso.date().nullable().meta({
      description:
        'the bank business day the money is expected to arrive: `designatedDate`, or where `holidayRule`, the 15:00 JST cut-off (to other banks) or the bank itself (as its `/transfer/status` shows) moved it; null on transfers stored before it was recorded',
    }),
    settlementNote: z.string().nullable().meta({ description: 'why `settlementDate` is not `designatedDate`; null when they agree' }),
    ediInfo: z.string().meta({ description: 'as sent to the bank; our reference `RC…` when the request had none', example: 'RC0123456789AB' }),
    reference: z.string().nullable(),
    idempotencyKey: z.string(),
    applyNo: z.string().nullable().meta({ description: 'the bank’s 受付番号, once known' }),
    bankStatus: z.string().nullable().meta({ description: 'the bank’s raw transferStatus code' }),
    bankResultCode: z.string().nullable().meta({ description: 'the bank’s resultCode of the request' }),
    error: z
      .object({ code: z.string().nullable(), message: z.string().nullable(), details: z.array(bankErrorDetailSchema) })
      .nullable()
      .meta({ description: 'why it failed, or what the poller could not settle (e.g. `RECONCILE_AMBIGUOUS`)' }),
    createdAt: iso,
    updatedAt: iso,
    submittedAt: iso.nullable(),
    completedAt: iso.nullable(),
    cancelRequestedAt: iso.nullable(),
  })
  .meta({ id: 'Transfer', description: 'A payout to a seller, as stored; `status` is our reading of the bank’s code kept in `bankStatus`.' });
export type TransferView = z.infer<typeof transferSchema>;

const transferListSchema = z
  .object({ items: z.array(transferSchema), nextCursor: z.string().nullable().meta({ description: 'pass as `cursor` for the next page; null on the last' }) })
  .meta({ id: 'TransferList' });
export type TransferList = z.infer<typeof transferListSchema>;

const feeQuoteSchema = z
  .object({
    fee: yen,
    totalDebit: yen,
    accountId: z.string(),
    settlementDate: z.iso.date().meta({ description: 'the bank business day the money would arrive if the transfer were requested now' }),
    settlementNote: z.string().nullable().meta({ description: 'why `settlementDate` is not the designated date (holiday rule, cut-off); null when they agree' }),
  })
  .meta({
    id: 'FeeQuote',
    example: {
      fee: 145,
      totalDebit: 12145,
      accountId: '101011234567',
      settlementDate: '2026-11-25',
      settlementNote: 'requested after the same-day cut-off (15:00 JST); it settles on the next business day, 2026-11-25',
    },
  });
export type FeeQuote = z.infer<typeof feeQuoteSchema>;

/** A problem that may carry the stored transfer (account number masked). */
const transferProblemSchema = problemSchema
  .extend({ transfer: transferSchema.optional().meta({ description: 'the stored transfer (`transfer-refused`, `transfer-not-cancellable`, `cancel-refused`), account number masked' }) })
  .meta({ id: 'TransferProblem', description: 'A Problem whose `transfer` member, when present, is the stored transfer.' });

// ------------------------------------------------------------------------------------------ examples

const EXAMPLE_TRANSFER: TransferView = {
  id: '3f1c2a9e-4b7d-4e0a-9c55-1d2e3f4a5b6c',
  status: 'submitted',
  amount: 12000,
  fee: 145,
  feeStatus: 'quoted',
  totalDebit: 12145,
  accountId: '101011234567',
  beneficiary: {
    bankCode: '0005',
    bankName: '三菱ＵＦＪ',
    bankNameKana: 'ﾐﾂﾋﾞｼﾕ-ｴﾌｼﾞｴｲ',
    branchCode: '001',
    branchName: '本店',
    branchNameKana: 'ﾎﾝﾃﾝ',
    accountType: 'ordinary',
    accountNumber: '1234567',
    name: 'ﾔﾏﾀﾞ ﾀﾛｳ',
  },
  designatedDate: '2026-11-25',
  settlementDate: '2026-11-25',
  settlementNote: null,
  ediInfo: 'RC3F1C2A9E4B7D',
  reference: 'BUY-0001',
  idempotencyKey: 'buyback-0001',
  applyNo: '2026112500000001',
  bankStatus: '2',
  bankResultCode: '1',
  error: null,
  createdAt: '2026-11-25T01:02:03.456Z',
  updatedAt: '2026-11-25T01:02:03.789Z',
  submittedAt: '2026-11-25T01:02:03.789Z',
  completedAt: null,
  cancelRequestedAt: null,
};
const masked = (t: TransferView): TransferView => ({ ...t, beneficiary: { ...t.beneficiary, accountNumber: '***4567' } });
const EXAMPLE_REFUSED = masked({
  ...EXAMPLE_TRANSFER,
  status: 'failed',
  fee: null,
  feeStatus: null,
  totalDebit: null,
  applyNo: null,
  bankStatus: null,
  bankResultCode: null,
  submittedAt: null,
  error: { code: 'WG_ERR_220', message: '支払可能残高が不足しています。', details: [{ code: '220012', message: '支払可能残高が不足しています。' }] },
});

const transferResponseHeaders = z.object({
  Location: z.string().meta({ description: 'the transfer: `/v1/companies/{companyId}/transfers/{id}`' }),
  'Idempotent-Replayed': z.literal('true').optional().meta({ description: 'this is the first answer to this Idempotency-Key, replayed (no bank call)' }),
});

// ------------------------------------------------------------------------------------------ endpoints

const TAGS = ['transfers'];

export const feeQuote = endpoint({
  method: 'post',
  path: '/v1/companies/{companyId}/transfers/fee-quote',
  operationId: 'quoteTransferFee',
  tags: TAGS,
  summary: 'Quote the fee of a transfer',
  description: 'The same body as POST /transfers; nothing is stored or sent. Asks GMO `/transfer/transferfee`; the bank’s validation errors come back as field errors (422).',
  auth: 'apiKey',
  request: { params: companyParams, body: transferBodySchema, bodyRequired: true },
  responses: {
    200: jsonResponse('The fee and the total debited from the account.', feeQuoteSchema),
    ...problemResponses([...API_PROBLEMS, ...BANK_PROBLEMS, 'transfer-invalid', 'bank-validation-error']),
  },
});

export const createTransfer = endpoint({
  method: 'post',
  path: '/v1/companies/{companyId}/transfers',
  operationId: 'createTransfer',
  tags: TAGS,
  summary: 'Pay a seller by bank transfer (idempotent)',
  description: `Stores the transfer, then sends it to GMO \`/transfer/request\`.\n\n${IDEMPOTENCY}`,
  auth: 'apiKey',
  request: {
    params: companyParams,
    headers: idempotencyHeaders,
    body: transferBodySchema,
    bodyRequired: true,
    bodyExamples: {
      buyback: {
        summary: 'a 買取代金 payout',
        value: { amount: 12000, beneficiary: { bankCode: '0005', branchCode: '001', accountType: 'ordinary', accountNumber: '1234567', name: 'ヤマダ タロウ' }, reference: 'BUY-0001' },
      },
      onAHoliday: {
        summary: 'a date that may fall on a holiday, moved to the next business day',
        value: {
          amount: 12000,
          beneficiary: { bankCode: '0005', branchCode: '001', accountType: 'ordinary', accountNumber: '1234567', name: 'ヤマダ タロウ' },
          designatedDate: '2026-11-28',
          holidayRule: 'next_business_day',
          reference: 'BUY-0002',
        },
      },
    },
  },
  responses: {
    201: jsonResponse('Accepted by the bank (`status: "submitted"`), or the replay of such a first answer.', transferSchema, {
      headers: transferResponseHeaders,
      examples: {
        submitted: { value: EXAMPLE_TRANSFER },
        movedToNextBusinessDay: {
          value: {
            ...EXAMPLE_TRANSFER,
            designatedDate: '2026-11-28',
            settlementDate: '2026-11-30',
            settlementNote: '2026-11-28 is a Saturday (土曜日); moved to the next business day, 2026-11-30, as asked (holidayRule next_business_day)',
          },
        },
      },
    }),
    202: jsonResponse(
      'Stored, outcome not final: `pending` (certainly not processed: 429, maintenance, connection refused; the poller sends it later) or `unknown` (sent, answer lost: reconciled, never resent blindly). Or the replay of such a first answer.',
      transferSchema,
      { headers: transferResponseHeaders, examples: { unknown: { value: { ...EXAMPLE_TRANSFER, status: 'unknown', applyNo: null, bankStatus: null, bankResultCode: null, submittedAt: null } } } },
    ),
    ...problemResponses([...API_PROBLEMS, ...BANK_PROBLEMS, 'request-in-flight', 'transfer-invalid', 'transfer-refused', 'bank-validation-error', 'idempotency-key-reused'], {
      schema: transferProblemSchema,
      examples: { 'transfer-refused': { transfer: EXAMPLE_REFUSED } },
      // a refused transfer's problem also carries Location and, on a replay, Idempotent-Replayed
      headers: { 422: transferResponseHeaders.partial() },
    }),
  },
});

export const listTransfers = endpoint({
  method: 'get',
  path: '/v1/companies/{companyId}/transfers',
  operationId: 'listTransfers',
  tags: TAGS,
  summary: 'List transfers, newest first',
  auth: 'apiKey',
  request: { params: companyParams, query: listQuerySchema },
  responses: {
    200: jsonResponse('A page of transfers.', transferListSchema),
    ...problemResponses(API_PROBLEMS),
  },
});

export const getTransfer = endpoint({
  method: 'get',
  path: '/v1/companies/{companyId}/transfers/{id}',
  operationId: 'getTransfer',
  tags: TAGS,
  summary: 'Read a transfer',
  auth: 'apiKey',
  request: { params: transferParams },
  responses: {
    200: jsonResponse('The transfer (full account number).', transferSchema),
    ...problemResponses(API_PROBLEMS),
  },
});

export const cancelTransfer = endpoint({
  method: 'post',
  path: '/v1/companies/{companyId}/transfers/{id}/cancel',
  operationId: 'cancelTransfer',
  tags: TAGS,
  summary: 'Cancel a submitted or scheduled transfer',
  description: 'Asks GMO `/transfer/cancel` (class 2). 200 when the bank cancelled it; 202 when the bank’s answer was lost (`cancelRequestedAt` set: the poller reads whether it cancelled).',
  auth: 'apiKey',
  request: { params: transferParams },
  responses: {
    200: jsonResponse('Cancelled (`status: "cancelled"`).', transferSchema),
    202: jsonResponse('Cancellation sent, answer lost: the poller follows it.', transferSchema),
    ...problemResponses([...API_PROBLEMS, ...BANK_PROBLEMS, 'transfer-not-cancellable', 'cancel-refused'], {
      schema: transferProblemSchema,
      examples: { 'transfer-not-cancellable': { transfer: masked({ ...EXAMPLE_TRANSFER, status: 'completed', completedAt: '2026-11-25T01:03:04.000Z' }) }, 'cancel-refused': { transfer: masked(EXAMPLE_TRANSFER) } },
    }),
  },
});

export const transferEndpoints = [feeQuote, createTransfer, listTransfers, getTransfer, cancelTransfer];
