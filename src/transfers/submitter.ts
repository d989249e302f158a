import type { Bank } from '../bank';
import { BankError, BankOAuthError } from '../bank/errors';
import type { Logger } from '../log';
import { DecryptionError } from '../crypto/cipher';
import { NotConnectedError, ReauthorizationRequiredError, RefreshBusyError } from '../tokens/errors';
import type { TokenVault } from '../tokens/vault';
import { withAccessToken } from '../tokens/withAccessToken';
import { gmoTransferRequest } from './draft';
import type { Transfer } from './transfer.entity';
import type { TransferStore } from './transferStore';
import { AMBIGUOUS } from './reconcileFlags';

/**
 * Sends one transfer row to /transfer/request and records what is known afterwards. The only rule
 * that matters: a request that may have reached the bank becomes `unknown`, never `failed`, and is
 * never sent again before the reconciler has looked for it at the bank.
 */
export class TransferSubmitter {
  constructor(
    private readonly store: TransferStore,
    private readonly bank: Bank,
    private readonly vault: TokenVault,
    private readonly log: Logger,
  ) {}

  /** Claims a row for sending (only if nobody else is sending it) and sends it. */
  async claimAndSend(t: Transfer): Promise<Transfer | undefined> {
    const claimed = await this.store.claimForSending(t);
    return claimed && this.send(claimed);
  }

  /** `t` must already be marked in flight (inFlightSince set) and committed. */
  async send(t: Transfer): Promise<Transfer> {
    let result;
    try {
      result = await withAccessToken(this.vault, t.companyId, (token) =>
        // GMO's Idempotency-Key is our transfer id: a resend of this row can never become a second payout
        this.bank.transfers.request(token, gmoTransferRequest(t, t.ediInfo), t.id),
      );
    } catch (err) {
      return this.recordFailure(t, err);
    }
    this.log.info('transfer accepted by the bank', { transferId: t.id, companyId: t.companyId, resultCode: result.resultCode, attempt: t.attempts });
    const accepted = await this.store.accepted(t, result);
    return this.quoteFee(accepted);
  }

  /**
   * The fee the bank will charge, from /transfer/transferfee (a read: it moves no money), so the POS sees
   * it at once; the poller replaces it by the fee the bank's status shows. No quote is no harm.
   */
  private async quoteFee(t: Transfer): Promise<Transfer> {
    try {
      const { totalFee } = await withAccessToken(this.vault, t.companyId, (token) => this.bank.transfers.fee(token, gmoTransferRequest(t, t.ediInfo)));
      return await this.store.feeQuoted(t, totalFee);
    } catch (err) {
      this.log.warn('fee quote after acceptance failed; the poller will read the fee', { transferId: t.id, error: (err as Error).message });
      return t;
    }
  }

  private async recordFailure(t: Transfer, err: unknown): Promise<Transfer> {
    if (t.status === 'unknown') return this.recordResendFailure(t, err);
    if (err instanceof NotConnectedError || err instanceof ReauthorizationRequiredError) {
      // the vault found no usable token: the bank was certainly not asked
      this.log.warn('transfer not sent: no usable bank connection', { transferId: t.id, companyId: t.companyId, reason: err.message });
      return this.store.refused(t, { code: err instanceof NotConnectedError ? 'NOT_CONNECTED' : 'REAUTHORIZATION_REQUIRED', message: err.message });
    }
    if (err instanceof BankOAuthError || err instanceof RefreshBusyError || err instanceof DecryptionError) {
      // no access token could be had: the transfer request never left
      this.log.warn('transfer not sent: no access token now; will retry', { transferId: t.id, companyId: t.companyId, error: err.message });
      return this.store.deferred(t);
    }
    if (!(err instanceof BankError)) throw err;
    if (err.kind === 'rejected' || err.kind === 'forbidden') {
      this.log.warn('transfer refused by the bank', { transferId: t.id, companyId: t.companyId, httpStatus: err.status, errorCode: err.options.errorCode });
      return this.store.refused(t, {
        code: err.options.errorCode ?? `HTTP_${err.status}`,
        message: err.options.errorMessage ?? err.message,
        details: err.options.details ?? [],
      });
    }
    if (err.certainlyNotProcessed) {
      // 429 / 503 maintenance / connection refused: nothing happened at the bank, send again later
      this.log.warn('transfer not accepted yet; will retry', { transferId: t.id, companyId: t.companyId, bankError: err.kind, httpStatus: err.status });
      return this.store.deferred(t);
    }
    this.log.warn('transfer outcome unknown; will reconcile before any resend', { transferId: t.id, companyId: t.companyId, bankError: err.kind, httpStatus: err.status });
    return this.store.outcomeUnknown(t);
  }

  /**
   * A resend of a transfer whose first attempt may have reached the bank: nothing that goes wrong now
   * proves the first did not, so it never becomes `failed`. Not sent now → still unknown, looked at again;
   * the bank refusing the resend → unknown, flagged for a human.
   */
  private async recordResendFailure(t: Transfer, err: unknown): Promise<Transfer> {
    if (err instanceof BankError && (err.kind === 'rejected' || err.kind === 'forbidden')) {
      this.log.error('the bank refused the resend of a transfer whose first attempt may have been booked: needs a human', {
        transferId: t.id,
        companyId: t.companyId,
        errorCode: err.options.errorCode,
      });
      const flagged = await this.store.flagged(
        t,
        AMBIGUOUS,
        `The bank refused a resend (${err.options.errorCode ?? err.status}); the first attempt may have been booked: check it at the bank before paying again.`,
      );
      await this.store.outcomeStillUnknown(flagged);
      return flagged;
    }
    if (err instanceof BankError && !err.certainlyNotProcessed) return this.store.outcomeUnknown(t);
    this.log.warn('resend of an unknown transfer not made now; it stays unknown', { transferId: t.id, companyId: t.companyId, error: (err as Error).message });
    return this.store.deferred(t);
  }
}
