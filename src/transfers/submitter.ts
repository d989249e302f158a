import type { Bank } from '../bank';
import { withTimeLimit } from '../timeLimit';
import type { Logger } from '../log';
import type { TokenVault } from '../tokens/vault';
import { withAccessToken } from '../tokens/withAccessToken';
import { gmoTransferRequest } from './draft';
import type { Transfer } from './transfer.entity';
import type { TransferStore } from './transferStore';
import { AMBIGUOUS } from './reconcileFlags';
import { classifySendFailure, type SendFailure } from './sendFailure';

/** How long an acceptance waits for the fee quote asked alongside it, to record both in one write. */
const FEE_QUOTE_WAIT_MS = 50;

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

  /**
   * `t` must already be marked in flight (inFlightSince set) and committed. `accessToken`: the one the caller
   * had from the vault for this request. The fee /transfer/transferfee quotes (a read: it moves no money) is
   * asked alongside the request, so the POS sees it at once and one write records both; the poller replaces
   * it by the fee the bank's status shows. No quote is no harm.
   */
  async send(t: Transfer, accessToken?: string): Promise<Transfer> {
    const request = gmoTransferRequest(t, t.ediInfo);
    // the request first: under BANK_MAX_RPS the calls take their turns in the order they are made
    const sending = withAccessToken(
      this.vault,
      t.companyId,
      // GMO's Idempotency-Key is our transfer id: a resend of this row can never become a second payout
      (token) => this.bank.transfers.request(token, request, t.id),
      accessToken,
    );
    const fee = withAccessToken(this.vault, t.companyId, (token) => this.bank.transfers.fee(token, request), accessToken).then(
      ({ totalFee }): number | undefined => totalFee,
      (err: Error) => {
        this.log.warn('fee quote alongside the request failed; the poller will read the fee', { transferId: t.id, error: err.message });
        return undefined;
      },
    );
    let result;
    try {
      result = await sending;
    } catch (err) {
      // the quote (which never rejects) is left to finish on its own: what the request came to is recorded now
      return this.recordFailure(t, err);
    }
    this.log.info('transfer accepted by the bank', { transferId: t.id, companyId: t.companyId, resultCode: result.resultCode, attempt: t.attempts });
    // The quote, asked right after the request, is usually in a moment later: one write then records both. The
    // acceptance waits for it only that long (FEE_QUOTE_WAIT_MS), never for a slow quote.
    const inTime = await withTimeLimit(
      fee.then((value) => ({ value })),
      FEE_QUOTE_WAIT_MS,
      () => undefined,
    );
    if (inTime) return this.store.accepted(t, result, inTime.value);
    const accepted = await this.store.accepted(t, result);
    const totalFee = await fee;
    // the poller may have moved the transfer meanwhile: then it reads the fee the bank charged anyway
    return totalFee === undefined ? accepted : this.store.feeQuoted(accepted, totalFee).catch(() => accepted);
  }

  private async recordFailure(t: Transfer, err: unknown): Promise<Transfer> {
    const failure = classifySendFailure(err);
    const ids = { transferId: t.id, companyId: t.companyId };
    if (t.status === 'unknown') return this.recordResendFailure(t, failure);
    switch (failure.kind) {
      case 'no_connection':
        // the vault found no usable token: the bank was certainly not asked
        this.log.warn('transfer not sent: no usable bank connection', { ...ids, reason: failure.message });
        return this.store.refused(t, { code: failure.code, message: failure.message });
      case 'no_token_now':
        this.log.warn('transfer not sent: no access token now; will retry', { ...ids, error: failure.message });
        return this.store.deferred(t);
      case 'refused':
        this.log.warn('transfer refused by the bank', { ...ids, httpStatus: failure.httpStatus, errorCode: failure.code });
        return this.store.refused(t, failure);
      case 'not_processed':
        // 429 / 503 maintenance / connection refused: nothing happened at the bank, send again later
        this.log.warn('transfer not accepted yet; will retry', { ...ids, bankError: failure.bankError, httpStatus: failure.httpStatus });
        return this.store.deferred(t);
      case 'unknown':
        this.log.warn('transfer outcome unknown; will reconcile before any resend', { ...ids, bankError: failure.bankError, httpStatus: failure.httpStatus });
        return this.store.outcomeUnknown(t);
    }
  }

  /**
   * A resend of a transfer whose first attempt may have reached the bank: nothing that goes wrong now
   * proves the first did not, so it never becomes `failed`. Not sent now → still unknown, looked at again;
   * the bank refusing the resend → unknown, flagged for a human.
   */
  private async recordResendFailure(t: Transfer, failure: SendFailure): Promise<Transfer> {
    if (failure.kind === 'refused') {
      this.log.error('the bank refused the resend of a transfer whose first attempt may have been booked: needs a human', {
        transferId: t.id,
        companyId: t.companyId,
        errorCode: failure.code,
      });
      const flagged = await this.store.flagged(
        t,
        AMBIGUOUS,
        `The bank refused a resend (${failure.code}); the first attempt may have been booked: check it at the bank before paying again.`,
      );
      await this.store.outcomeStillUnknown(flagged);
      return flagged;
    }
    if (failure.kind === 'unknown') return this.store.outcomeUnknown(t);
    this.log.warn('resend of an unknown transfer not made now; it stays unknown', { transferId: t.id, companyId: t.companyId, reason: failure.kind });
    return this.store.deferred(t);
  }
}
