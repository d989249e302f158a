import { z } from 'zod';
import { accountIdSchema } from '../accounts/contract';
import { HOLIDAY_RULES } from '../calendar/settlement';
import { API_PROBLEMS, BANK_PROBLEMS, companyParams, endpoint, jsonResponse, problemResponses } from '../http/endpoint';
import { problemSchema } from '../http/problemSchema';
import { beneficiaryAccountTypeSchema, beneficiarySchema, idempotencyHeaders, idempotencyKeySchema, instantOrJstDate } from '../transfers/contract';
import { FEE_STATUSES } from '../transfers/lifecycle';
import { BULK_STATUSES, ITEM_STATUSES } from './lifecycle';

/**
 * The bulk transfers (総合振込) contract: every request and answer shape of
 * /v1/companies/{companyId}/bulk-transfers…, once. Routes parse with these, the service takes their
 * types, the views return their types, and the OpenAPI document is generated from them.
 */

/** GMO: at most 9,999 items per 総合振込. */
export const MAX_BULK_ITEMS = 9_999;

// ------------------------------------------------------------------------------------------ requests

const itemAmount = z
  .number({ error: 'must be a positive integer number of yen (a JSON number)' })
  .int('must be a whole number of yen (no decimals)')
  .min(1, 'must be at least 1 yen')
  .max(9_999_999_999, 'must be at most 9,999,999,999 yen (the bank’s limit per bulk item)')
  .meta({ description: 'yen, a JSON integer, at most the account’s `transferLimitAmount`', example: 12000 });

const bulkBeneficiarySchema = beneficiarySchema
  .extend({
    name: z
      .string()
      .trim()
      .min(1, 'is required')
      .max(200, 'is too long')
      .meta({
        description:
          'As for a transfer, converted to half-width 振込許容文字, but at most **30** characters once converted: the bank uses only the first 30 of a bulk transfer’s name and drops the rest, so a longer one is refused (422), never cut.',
        example: 'ヤマダ タロウ',
      }),
  })
  .meta({ id: 'BulkBeneficiary' });

const bulkItemSchema = z
  .object({
    amount: itemAmount,
    beneficiary: bulkBeneficiarySchema,
    ediInfo: z.string().trim().min(1, 'must not be empty when given').max(100, 'is too long').optional().meta({ description: 'EDI information passed to the beneficiary, at most 20 once converted' }),
    reference: z.string().trim().min(1).max(64, 'must be at most 64 characters').optional().meta({ description: 'the caller’s own reference for this payout (e.g. the 買取 number)', example: 'BUY-0001' }),
  })
  .strict()
  .meta({ id: 'BulkTransferItemRequest' });

export const holidayRuleSchema = z
  .enum(HOLIDAY_RULES, { error: 'must be reject, next_business_day or previous_business_day' })
  .meta({
    description:
      'What to do when `designatedDate` is not a bank business day (weekend, national holiday, 12/31–1/3): `reject` (default: 422), `next_business_day` or `previous_business_day` (GMO `transferDateHolidayCode` 1 / 2; `reject` sends 3)',
  });

const bulkBodySchema = z
  .object({
    accountId: accountIdSchema.optional().meta({ description: 'the company’s account to pay from; defaults to the connection’s 代表口座' }),
    designatedDate: z.iso.date('must be a date YYYY-MM-DD').optional().meta({ description: '振込指定日 (JST); absent: as soon as possible' }),
    holidayRule: holidayRuleSchema.optional(),
    transferDataName: z
      .string()
      .trim()
      .min(1, 'must not be empty when given')
      .max(10, 'must be at most 10 characters (GMO’s 振込データ名)')
      // our own references are how an unknown batch is found exactly at the bank: a caller may not imitate one
      .refine((v) => !/^RB[0-9A-F]{8}$/.test(v), 'must not look like our reference RB… (reconciliation relies on it being ours)')
      .optional()
      .meta({ description: '振込データ名, a memo shown in the bank’s screens, at most 10 characters. Absent: our reference `RB…` (which makes reconciliation exact).', example: '11月25日買取' }),
    remitterName: z
      .string()
      .trim()
      .min(1)
      .max(200, 'is too long')
      .optional()
      .meta({ description: '振込依頼人名 shown to the beneficiaries, at most 40 characters once converted (the bank uses only 40: a longer one is refused, never cut). Absent: the account holder’s name.' }),
    reference: z.string().trim().min(1).max(64, 'must be at most 64 characters').optional().meta({ description: 'the caller’s own reference for the batch', example: 'DAY-2026-11-25' }),
    items: z
      .array(bulkItemSchema, { error: 'must be a list of payouts' })
      .min(1, 'must hold at least one payout')
      .max(MAX_BULK_ITEMS, `must hold at most ${MAX_BULK_ITEMS} payouts (GMO's limit per bulk transfer)`)
      .meta({ description: `1–${MAX_BULK_ITEMS} payouts; item \`n\` of the list is \`itemNo\` n+1 (GMO’s itemId)` }),
  })
  .strict()
  .meta({ id: 'BulkTransferRequest' });
export type BulkBody = z.infer<typeof bulkBodySchema>;

const listQuerySchema = z
  .object({
    status: z.enum(BULK_STATUSES).optional().meta({ description: 'only bulk transfers in this status' }),
    from: instantOrJstDate('start').optional().meta({ description: '`createdAt` ≥ this instant; a plain date is its midnight JST' }),
    to: instantOrJstDate('end').optional().meta({ description: '`createdAt` < this instant; a plain date ends at the next midnight JST' }),
    idempotencyKey: idempotencyKeySchema.optional().meta({ description: 'the bulk transfer created with this `Idempotency-Key`' }),
    limit: z.coerce.number().int().min(1).max(100).default(20).meta({ description: 'page size' }),
    cursor: z.string().max(200).optional().meta({ description: '`nextCursor` of the previous page' }),
  })
  .strict();
export type BulkListQuery = z.infer<typeof listQuerySchema>;

const itemsQuerySchema = z
  .object({
    status: z.enum(ITEM_STATUSES).optional().meta({ description: 'only items in this status' }),
    limit: z.coerce.number().int().min(1).max(1000).default(100).meta({ description: 'page size' }),
    cursor: z
      .string()
      .regex(/^\d{1,4}$/, 'is not a cursor this API returned')
      .optional()
      .meta({ description: '`nextCursor` of the previous page' }),
  })
  .strict();
export type ItemsQuery = z.infer<typeof itemsQuerySchema>;

const bulkIdSchema = z.uuid('is not a bulk transfer id').meta({ description: 'the bulk transfer’s id (ours; also the Idempotency-Key we send to GMO)' });
const bulkParams = companyParams.extend({ id: bulkIdSchema });

// ------------------------------------------------------------------------------------------ answers

const iso = z.iso.datetime();
const yen = z.number().int();

const itemCountsSchema = z
  .object(Object.fromEntries(ITEM_STATUSES.map((s) => [s, z.number().int()])) as Record<(typeof ITEM_STATUSES)[number], z.ZodNumber>)
  .meta({ id: 'BulkItemCounts', description: 'how many items are in each status' });

export const bulkTransferSchema = z
  .object({
    id: z.uuid().meta({ description: 'ours; sent to GMO as its Idempotency-Key' }),
    status: z.enum(BULK_STATUSES).meta({
      description:
        '`pending` stored, not (certainly) sent; `unknown` sent, outcome unknown (reconciled through /bulktransfer/status, never resent blindly); `submitted`; `scheduled` 予約中; `processing` 手続中; `completed` 手続済 (every item paid); `completed_with_exceptions` 不能・組戻あり (see the items); `failed`; `cancelled`',
    }),
    accountId: z.string(),
    transferDataName: z.string().meta({ description: '振込データ名 as sent' }),
    remitterName: z.string().nullable().meta({ description: '振込依頼人名 as sent; null: the account holder’s' }),
    designatedDate: z.iso.date().meta({ description: '振込指定日 as sent' }),
    settlementDate: z.iso.date().meta({ description: 'the business day the money is expected to arrive; the bank’s date once its status shows one' }),
    settlementNote: z.string().nullable().meta({ description: 'why `settlementDate` is not `designatedDate` (a holiday rule, the 15:00 JST cut-off, the bank moved it)' }),
    totalCount: z.number().int(),
    totalAmount: yen,
    fee: yen.nullable().meta({ description: 'the fee for the whole batch, once known' }),
    feeStatus: z.enum(FEE_STATUSES).nullable(),
    totalDebit: yen.nullable().meta({ description: 'totalAmount + fee' }),
    reference: z.string().nullable(),
    idempotencyKey: z.string(),
    applyNo: z.string().nullable().meta({ description: 'the bank’s 受付番号, once known' }),
    bankStatus: z.string().nullable().meta({ description: 'the bank’s raw transferStatus code (30 = 不能・組戻あり)' }),
    bankResultCode: z.string().nullable(),
    error: z.object({ code: z.string().nullable(), message: z.string().nullable() }).nullable(),
    itemCounts: itemCountsSchema,
    itemsReadAt: iso.nullable().meta({ description: 'when the bank’s per-item results were last read (they come about 10 minutes after the request)' }),
    createdAt: iso,
    updatedAt: iso,
    submittedAt: iso.nullable(),
    completedAt: iso.nullable(),
    cancelRequestedAt: iso.nullable(),
  })
  .meta({ id: 'BulkTransfer', description: 'A 総合振込: many payouts in one bank request; `itemCounts` shows where its items stand.' });
export type BulkTransferView = z.infer<typeof bulkTransferSchema>;

export const bulkItemSchemaOut = z
  .object({
    bulkTransferId: z.uuid(),
    itemNo: z.number().int().meta({ description: 'GMO’s itemId: the position in the request, from 1' }),
    status: z.enum(ITEM_STATUSES).meta({ description: '`pending`; `submitted` (the batch is at the bank, this item’s result not known yet); `completed`; `failed` 手続不成立; `returning` 組戻手続中; `returned` 資金返却 / 組戻済; `cancelled`' }),
    amount: yen,
    beneficiary: z.object({
      bankCode: z.string(),
      bankNameKana: z.string(),
      branchCode: z.string(),
      branchNameKana: z.string(),
      accountType: beneficiaryAccountTypeSchema,
      accountNumber: z.string().meta({ description: '7 digits; masked in webhooks and problems' }),
      name: z.string().meta({ description: 'as sent (half-width, at most 30)' }),
    }),
    ediInfo: z.string().nullable(),
    reference: z.string().nullable(),
    bankDetailStatus: z.string().nullable().meta({ description: 'the bank’s transferDetailStatus / refundStatus for this item' }),
    error: z.object({ code: z.string().nullable(), message: z.string().nullable() }).nullable(),
    returnedOn: z.iso.date().nullable().meta({ description: '資金返却日 of a returned item' }),
    updatedAt: iso,
  })
  .meta({ id: 'BulkTransferItem' });
export type BulkItemView = z.infer<typeof bulkItemSchemaOut>;

const bulkListSchema = z.object({ items: z.array(bulkTransferSchema), nextCursor: z.string().nullable() }).meta({ id: 'BulkTransferList' });
export type BulkList = z.infer<typeof bulkListSchema>;
const itemListSchema = z.object({ items: z.array(bulkItemSchemaOut), nextCursor: z.string().nullable() }).meta({ id: 'BulkTransferItemList' });
export type ItemList = z.infer<typeof itemListSchema>;

const bulkFeeQuoteSchema = z
  .object({ fee: yen, totalAmount: yen, totalDebit: yen, totalCount: z.number().int(), accountId: z.string(), settlementDate: z.iso.date(), settlementNote: z.string().nullable() })
  .meta({ id: 'BulkFeeQuote' });
export type BulkFeeQuote = z.infer<typeof bulkFeeQuoteSchema>;

const bulkProblemSchema = problemSchema
  .extend({ bulkTransfer: bulkTransferSchema.optional().meta({ description: 'the stored bulk transfer (`bulk-transfer-refused`, `bulk-transfer-not-cancellable`, `cancel-refused`), account number masked' }) })
  .meta({ id: 'BulkTransferProblem' });

const responseHeaders = z.object({
  Location: z.string().meta({ description: 'the bulk transfer: `/v1/companies/{companyId}/bulk-transfers/{id}`' }),
  'Idempotent-Replayed': z.literal('true').optional().meta({ description: 'this is the first answer to this Idempotency-Key, replayed (no bank call)' }),
});

// ------------------------------------------------------------------------------------------ endpoints

const TAGS = ['bulk transfers'];

const IDEMPOTENCY = `**Required**, exactly as for POST /transfers: the batch and all its items are committed **before** the bank is called, our id is sent as GMO's \`Idempotency-Key\`, the same key with the same body replays the first answer (header \`Idempotent-Replayed: true\`), another body is a 422 \`idempotency-key-reused\`. A timeout or 5xx leaves the batch \`unknown\`: it is looked for at the bank (\`/bulktransfer/status\`) before anything is resent, so a batch is never paid twice.

Every item is checked like a transfer (zengin codes, 振込許容文字, limits) and the totals are ours; a bad item is a 422 \`transfer-invalid\` naming every bad field as \`items.<index>.<field>\` (index from 0), and nothing is stored or sent.`;

export const bulkFeeQuote = endpoint({
  method: 'post',
  path: '/v1/companies/{companyId}/bulk-transfers/fee-quote',
  operationId: 'quoteBulkTransferFee',
  tags: TAGS,
  summary: 'Quote the fee of a bulk transfer',
  description: 'The same body as POST /bulk-transfers; nothing is stored or sent. Asks GMO `/bulktransfer/transferfee`.',
  auth: 'apiKey',
  request: { params: companyParams, body: bulkBodySchema, bodyRequired: true },
  responses: {
    200: jsonResponse('The fee of the whole batch and the total debited.', bulkFeeQuoteSchema),
    ...problemResponses([...API_PROBLEMS, ...BANK_PROBLEMS, 'transfer-invalid', 'bank-validation-error']),
  },
});

export const createBulkTransfer = endpoint({
  method: 'post',
  path: '/v1/companies/{companyId}/bulk-transfers',
  operationId: 'createBulkTransfer',
  tags: TAGS,
  summary: 'Pay up to 9,999 sellers in one bank request (総合振込, idempotent)',
  description: `Stores the batch and its items, then sends them to GMO \`/bulktransfer/request\` in one call. The body may be up to 4 MiB.\n\n${IDEMPOTENCY}`,
  auth: 'apiKey',
  request: {
    params: companyParams,
    headers: idempotencyHeaders,
    body: bulkBodySchema,
    bodyRequired: true,
    bodyExamples: {
      endOfDay: {
        summary: 'a day’s 買取 payouts',
        value: {
          transferDataName: '11月25日買取',
          items: [
            { amount: 12000, beneficiary: { bankCode: '0005', branchCode: '001', accountType: 'ordinary', accountNumber: '1234567', name: 'ヤマダ タロウ' }, reference: 'BUY-0001' },
            { amount: 3500, beneficiary: { bankCode: '0009', branchCode: '100', accountType: 'ordinary', accountNumber: '7654321', name: 'サトウ ハナコ' }, reference: 'BUY-0002' },
          ],
        },
      },
    },
  },
  responses: {
    201: jsonResponse('Accepted by the bank (`status: "submitted"`), or the replay of such a first answer.', bulkTransferSchema, { headers: responseHeaders }),
    202: jsonResponse('Stored, outcome not final: `pending` (certainly not processed; sent later) or `unknown` (sent, answer lost: reconciled, never resent blindly).', bulkTransferSchema, {
      headers: responseHeaders,
    }),
    ...problemResponses([...API_PROBLEMS, ...BANK_PROBLEMS, 'request-in-flight', 'transfer-invalid', 'bulk-transfer-refused', 'idempotency-key-reused'], {
      schema: bulkProblemSchema,
      headers: { 422: responseHeaders.partial() },
    }),
  },
});

export const listBulkTransfers = endpoint({
  method: 'get',
  path: '/v1/companies/{companyId}/bulk-transfers',
  operationId: 'listBulkTransfers',
  tags: TAGS,
  summary: 'List bulk transfers, newest first',
  auth: 'apiKey',
  request: { params: companyParams, query: listQuerySchema },
  responses: { 200: jsonResponse('A page of bulk transfers.', bulkListSchema), ...problemResponses(API_PROBLEMS) },
});

export const getBulkTransfer = endpoint({
  method: 'get',
  path: '/v1/companies/{companyId}/bulk-transfers/{id}',
  operationId: 'getBulkTransfer',
  tags: TAGS,
  summary: 'Read a bulk transfer: status, totals, fee and item counts',
  auth: 'apiKey',
  request: { params: bulkParams },
  responses: { 200: jsonResponse('The bulk transfer.', bulkTransferSchema), ...problemResponses(API_PROBLEMS) },
});

export const listBulkItems = endpoint({
  method: 'get',
  path: '/v1/companies/{companyId}/bulk-transfers/{id}/items',
  operationId: 'listBulkTransferItems',
  tags: TAGS,
  summary: 'The items of a bulk transfer, by item number',
  auth: 'apiKey',
  request: { params: bulkParams, query: itemsQuerySchema },
  responses: { 200: jsonResponse('A page of items (full account numbers).', itemListSchema), ...problemResponses(API_PROBLEMS) },
});

export const cancelBulkTransfer = endpoint({
  method: 'post',
  path: '/v1/companies/{companyId}/bulk-transfers/{id}/cancel',
  operationId: 'cancelBulkTransfer',
  tags: TAGS,
  summary: 'Cancel a submitted or scheduled bulk transfer',
  description: 'Asks GMO `/bulktransfer/cancel` (class 4, 総合振込受付取消). 200 when the bank cancelled it; 202 when its answer was lost (the poller reads the outcome).',
  auth: 'apiKey',
  request: { params: bulkParams },
  responses: {
    200: jsonResponse('Cancelled.', bulkTransferSchema),
    202: jsonResponse('Cancellation sent, answer lost: the poller follows it.', bulkTransferSchema),
    ...problemResponses([...API_PROBLEMS, ...BANK_PROBLEMS, 'bulk-transfer-not-cancellable', 'cancel-refused'], { schema: bulkProblemSchema }),
  },
});

export const bulkTransferEndpoints = [bulkFeeQuote, createBulkTransfer, listBulkTransfers, getBulkTransfer, listBulkItems, cancelBulkTransfer];
