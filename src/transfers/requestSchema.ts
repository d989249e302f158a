/** The transfer request shapes live in the transfers contract (./contract.ts); this module keeps the old import path. */
export { beneficiarySchema, idempotencyKeySchema, listQuerySchema, transferBodySchema, type ListQuery, type TransferBody } from './contract';
