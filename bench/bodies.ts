import { randomUUID } from 'node:crypto';
import type { BankAccount } from '../src/bank/accountsApi';
import type { BulkTransferRequestBody } from '../src/bank/bulkTransfersApi';
import type { TransferRequestBody } from '../src/bank/transfersApi';
import type { BulkBody } from '../src/bulkTransfers/contract';
import { buildBulkDraft, gmoBulkRequest } from '../src/bulkTransfers/draft';
import type { TransferBody } from '../src/transfers/contract';
import { buildDraft, gmoTransferRequest } from '../src/transfers/draft';
import { ourReference } from '../src/transfers/reference';

/** What the POS sends for every payout: 1,000 yen to a valid zengin beneficiary (みずほ 001, ordinary). */
export const TRANSFER: TransferBody = {
  amount: 1000,
  beneficiary: { bankCode: '0005', branchCode: '001', accountType: 'ordinary', accountNumber: '1234567', name: 'ヤマダ タロウ' },
};

/**
 * The GMO /transfer/request the integrator makes of TRANSFER (drafted by its own functions: the same account,
 * names, date and holiday code), with a reference of its form: what the bare app and the direct calls send.
 */
export function gmoTransfer(accounts: BankAccount[], now: Date): TransferRequestBody {
  return gmoTransferRequest(buildDraft(TRANSFER, accounts, now), ourReference(randomUUID()));
}

export const BULK_ITEMS = 9_999;

/** 9,999 payouts of 100 yen to beneficiaries that exist in zengin-code, every name converted from full width. */
export function bulkBody(): BulkBody {
  const names = ['ヤマダ タロウ', 'スズキ ハナコ', 'サトウ ジロウ', '株式会社リコア', 'タナカ ケンジ'];
  return {
    items: Array.from({ length: BULK_ITEMS }, (_, i) => ({
      amount: 100,
      beneficiary: { bankCode: '0005', branchCode: '001', accountType: 'ordinary' as const, accountNumber: String(1_000_000 + i), name: names[i % names.length] },
      reference: `BUY-${i + 1}`,
    })),
  };
}

/** The one GMO /bulktransfer/request the integrator makes of `body`. */
export function gmoBulk(body: BulkBody, accounts: BankAccount[], now: Date): BulkTransferRequestBody {
  const draft = buildBulkDraft(body, accounts, now);
  return gmoBulkRequest({ ...draft, transferDataName: 'BENCH' }, draft.items);
}
