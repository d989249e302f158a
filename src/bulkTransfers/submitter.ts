import type { Bank } from '../bank';
import type { Logger } from '../log';
import type { TokenVault } from '../tokens/vault';
import { withAccessToken } from '../tokens/withAccessToken';
import { AMBIGUOUS } from '../transfers/reconcileFlags';
import { classifySendFailure } from '../transfers/sendFailure';
import type { BulkTransfer } from './bulkTransfer.entity';
import type { BulkTransferItem } from './bulkTransferItem.entity';
import type { BulkTransferStore } from './bulkTransferStore';
import { gmoBulkRequest } from './draft';

/**
 * Sends one batch to /bulktransfer/request, all its items in one call, and records what is known
 * afterwards. As for a transfer: a request that may have reached the bank becomes `unknown`, never
 * `failed`, and is never sent again before the reconciler has looked for it at the bank.
 */
export class BulkSubmitter {
  constructor(
    private readonly store: BulkTransferStore,
    private readonly bank: Bank,
    private readonly vault: TokenVault,
    private readonly log: Logger,
  ) {}

  async claimAndSend(b: BulkTransfer): Promise<BulkTransfer | undefined> {
    const claimed = await this.store.claimForSending(b);
    return claimed && this.send(claimed);
  }

  /** `b` must already be marked in flight and committed; `items`: its stored items when at hand (else read). */
  async send(b: BulkTransfer, items?: readonly BulkTransferItem[]): Promise<BulkTransfer> {
    const body = gmoBulkRequest(b, items ?? (await this.store.allItems(b.id)));
    let result;
    try {
      // GMO's Idempotency-Key is our batch id: a resend of this batch can never become a second one
      result = await withAccessToken(this.vault, b.companyId, (token) => this.bank.bulkTransfers.request(token, body, b.id));
    } catch (err) {
      return this.recordFailure(b, err);
    }
    this.log.info('bulk transfer accepted by the bank', { bulkTransferId: b.id, companyId: b.companyId, items: b.totalCount, resultCode: result.resultCode, attempt: b.attempts });
    const accepted = await this.store.accepted(b, result);
    try {
      // a read that moves no money: the POS sees the batch's fee at once; the poller replaces it by the one charged
      const { totalFee } = await withAccessToken(this.vault, b.companyId, (token) => this.bank.bulkTransfers.fee(token, body));
      return await this.store.feeQuoted(accepted, totalFee);
    } catch (err) {
      this.log.warn('fee quote after acceptance failed; the poller will read the fee', { bulkTransferId: b.id, error: (err as Error).message });
      return accepted;
    }
  }

  private async recordFailure(b: BulkTransfer, err: unknown): Promise<BulkTransfer> {
    const failure = classifySendFailure(err);
    const ids = { bulkTransferId: b.id, companyId: b.companyId };
    if (b.status === 'unknown') {
      // a resend: nothing that goes wrong now proves the first attempt was not booked
      if (failure.kind === 'refused') {
        this.log.error('the bank refused the resend of a bulk transfer whose first attempt may have been booked: needs a human', { ...ids, errorCode: failure.code });
        const flagged = await this.store.flagged(b, AMBIGUOUS, `The bank refused a resend (${failure.code}); the first attempt may have been booked: check it at the bank before paying again.`);
        await this.store.outcomeStillUnknown(flagged);
        return flagged;
      }
      if (failure.kind === 'unknown') return this.store.outcomeUnknown(b);
      this.log.warn('resend of an unknown bulk transfer not made now; it stays unknown', ids);
      return this.store.deferred(b);
    }
    switch (failure.kind) {
      case 'no_connection':
        this.log.warn('bulk transfer not sent: no usable bank connection', { ...ids, reason: failure.message });
        return this.store.refused(b, { code: failure.code, message: failure.message });
      case 'refused':
        this.log.warn('bulk transfer refused by the bank', { ...ids, httpStatus: failure.httpStatus, errorCode: failure.code, itemErrors: failure.details.length });
        return this.store.refused(b, failure);
      case 'no_token_now':
      case 'not_processed':
        this.log.warn('bulk transfer not accepted yet; will retry', { ...ids, reason: failure.kind });
        return this.store.deferred(b);
      case 'unknown':
        this.log.warn('bulk transfer outcome unknown; will reconcile before any resend', { ...ids, bankError: failure.bankError, httpStatus: failure.httpStatus });
        return this.store.outcomeUnknown(b);
    }
  }
}
