import { z } from 'zod';
import { TRANSFER_STATUSES } from './lifecycle';

const yenAmount = z
  .number({ error: 'must be a positive integer number of yen (a JSON number: no strings, commas or decimals)' })
  .refine((n) => Number.isSafeInteger(n), 'must be a whole number of yen (no decimals)')
  .refine((n) => n >= 1, 'must be at least 1 yen')
  .refine((n) => n <= 999_999_999_999, 'must be at most 999,999,999,999 yen');

export const beneficiarySchema = z
  .object({
    bankCode: z.string().regex(/^\d{4}$/, 'must be the 4-digit zengin bank code'),
    branchCode: z.string().regex(/^\d{3}$/, 'must be the 3-digit zengin branch code'),
    accountType: z.enum(['ordinary', 'current', 'savings', 'other'], { error: 'must be ordinary, current, savings or other' }),
    accountNumber: z.string().regex(/^\d{1,7}$/, 'must be 1 to 7 digits'),
    name: z.string().trim().min(1, 'is required').max(200, 'is too long'),
  })
  .strict();

/** One source of truth for the transfer body: POST /transfers and POST /transfers/fee-quote. */
export const transferBodySchema = z
  .object({
    accountId: z.string().regex(/^[0-9A-Za-z]{12,29}$/, "must be one of the connection's accountIds").optional(),
    amount: yenAmount,
    beneficiary: beneficiarySchema,
    designatedDate: z.iso.date('must be a date YYYY-MM-DD').optional(),
    ediInfo: z.string().trim().min(1, 'must not be empty when given').max(100, 'is too long').optional(),
    reference: z.string().trim().min(1).max(64, 'must be at most 64 characters').optional(),
  })
  .strict();
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
const instantOrJstDate = (edge: 'start' | 'end') =>
  z.union([z.iso.datetime({ offset: true }), z.iso.date()], { error: 'must be an ISO 8601 date-time or a date YYYY-MM-DD (JST)' }).transform((v) => {
    if (v.length > 10) return new Date(v);
    const midnight = Date.parse(`${v}T00:00:00${JST_OFFSET}`);
    return new Date(edge === 'start' ? midnight : midnight + DAY_MS);
  });

export const listQuerySchema = z
  .object({
    status: z.enum(TRANSFER_STATUSES).optional(),
    from: instantOrJstDate('start').optional(),
    to: instantOrJstDate('end').optional(),
    idempotencyKey: idempotencyKeySchema.optional(),
    limit: z.coerce.number().int().min(1).max(100).default(20),
    cursor: z.string().max(200).optional(),
  })
  .strict();
export type ListQuery = z.infer<typeof listQuerySchema>;
