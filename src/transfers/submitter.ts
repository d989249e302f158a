import type { Bank } from '../bank';
import { BankError } from '../bank/errors';
import type { Clock } from '../clock';
import type { Database } from '../db/database';
import type { Logger } from '../log';
import { NotConnectedError, ReauthorizationRequiredError } from '../tokens/errors';
import type { TokenVault } from '../tokens/vault';
import { withAccessToken } from '../tokens/withAccessToken';
import { gmoTransferRequest } from './draft';
import { backoffSeconds, nextPollAt, POLL } from './pollPolicy';
import { Transfer } from './transfer.entity';

/** HTTP status the API answers with for a transfer in each outcome of a submission. */
export const ANSWER = { accepted: 201, pending: 202, refused: 422 } as const;

/**
 * Sends one transfer row to /transfer/request and records what is known afterwards. The only rule
 * that matters: a request that may have reached the bank becomes `unknown`, never `failed`, and is
 * never sent again before the reconciler has looked for it at the bank.
 */
export class TransferSubmitter {
  constructor(
    private readonly db: Database,
    private readonly bank: Bank,
    private readonly vault: TokenVault,
    private readonly clock: Clock,
    private readonly log: Logger,
  ) {}

  private async save(id: string, changes: Partial<Transfer>): Promise<Transfer> {
    return this.db.transaction(async (em) => {
      await em.update(Transfer, { id }, { ...changes, updatedAt: this.clock.now() });
      return em.findOneByOrFail(Transfer, { id });
    });
  }

  /** Claims a row for sending (only if nobody else is sending it) and sends it. */
  async claimAndSend(t: Transfer): Promise<Transfer | undefined> {
    const now = this.clock.now();
    const claimed = await this.db.transaction((em) =>
      em
        .createQueryBuilder()
        .update(Transfer)
        .set({ inFlightSince: now, lastAttemptAt: now, attempts: () => 'attempts + 1' })
        .where('id = :id AND inFlightSince IS NULL AND status IN (:...open)', { id: t.id, open: ['pending', 'unknown'] })
        .execute(),
    );
    if ((claimed.affected ?? 0) !== 1) return undefined;
    return this.send(await this.db.manager.findOneByOrFail(Transfer, { id: t.id }));
  }

  /** `t` must already be marked in flight (inFlightSince set) and committed. */
  async send(t: Transfer): Promise<Transfer> {
    const firstAnswer = (status: number) => (t.firstResponseStatus === 0 ? status : t.firstResponseStatus);
    const now = () => this.clock.now();
    try {
      const result = await withAccessToken(this.vault, t.companyId, (token) =>
        // GMO's Idempotency-Key is our transfer id: a resend of this row can never become a second payout
        this.bank.transfers.request(token, gmoTransferRequest(t, t.ediInfo), t.id),
      );
      this.log.info('transfer accepted by the bank', { transferId: t.id, companyId: t.companyId, resultCode: result.resultCode, attempt: t.attempts });
      return this.save(t.id, {
        status: 'submitted',
        applyNo: result.applyNo,
        bankResultCode: result.resultCode,
        bankStatus: t.bankStatus,
        inFlightSince: null,
        submittedAt: now(),
        errorCode: null,
        errorMessage: null,
        errorDetails: null,
        firstResponseStatus: firstAnswer(ANSWER.accepted),
        pollCount: 0,
        nextPollAt: new Date(now().getTime() + POLL.firstLookSeconds * 1000),
      });
    } catch (err) {
      if (err instanceof NotConnectedError || err instanceof ReauthorizationRequiredError) {
        // the vault found no usable token: the bank was certainly not asked
        this.log.warn('transfer not sent: no usable bank connection', { transferId: t.id, companyId: t.companyId, reason: err.message });
        return this.save(t.id, {
          status: 'failed',
          errorCode: err instanceof NotConnectedError ? 'NOT_CONNECTED' : 'REAUTHORIZATION_REQUIRED',
          errorMessage: err.message,
          inFlightSince: null,
          nextPollAt: null,
          firstResponseStatus: firstAnswer(ANSWER.refused),
        });
      }
      if (!(err instanceof BankError)) throw err;
      if (err.kind === 'rejected' || err.kind === 'forbidden') {
        this.log.warn('transfer refused by the bank', { transferId: t.id, companyId: t.companyId, httpStatus: err.status, errorCode: err.options.errorCode });
        return this.save(t.id, {
          status: 'failed',
          errorCode: err.options.errorCode ?? `HTTP_${err.status}`,
          errorMessage: err.options.errorMessage ?? err.message,
          errorDetails: JSON.stringify(err.options.details ?? []),
          inFlightSince: null,
          nextPollAt: null,
          firstResponseStatus: firstAnswer(ANSWER.refused),
        });
      }
      if (err.certainlyNotProcessed) {
        // 429 / 503 maintenance / connection refused: nothing happened at the bank, send again later
        this.log.warn('transfer not accepted yet; will retry', { transferId: t.id, companyId: t.companyId, bankError: err.kind, httpStatus: err.status });
        return this.save(t.id, {
          status: t.status === 'unknown' ? 'unknown' : 'pending',
          inFlightSince: null,
          pollCount: t.pollCount + 1,
          nextPollAt: new Date(now().getTime() + backoffSeconds(t.pollCount) * 1000),
          firstResponseStatus: firstAnswer(ANSWER.pending),
        });
      }
      this.log.warn('transfer outcome unknown; will reconcile before any resend', {
        transferId: t.id,
        companyId: t.companyId,
        bankError: err.kind,
        httpStatus: err.status,
      });
      return this.save(t.id, {
        status: 'unknown',
        inFlightSince: null,
        pollCount: 0,
        nextPollAt: nextPollAt(now(), 'unknown', 0, null),
        firstResponseStatus: firstAnswer(ANSWER.pending),
      });
    }
  }
}
