import { In, Not } from 'typeorm';
import type { Bank } from '../bank';
import { BankError, BankOAuthError } from '../bank/errors';
import { jstDate } from '../bank/jst';
import type { BankTransferDetail } from '../bank/transfersApi';
import type { Clock } from '../clock';
import type { Database } from '../db/database';
import type { Logger } from '../log';
import { NotConnectedError, ReauthorizationRequiredError, RefreshBusyError } from '../tokens/errors';
import type { TokenVault } from '../tokens/vault';
import { withAccessToken } from '../tokens/withAccessToken';
import { statusFromBankCode, type TransferStatus } from './lifecycle';
import { backoffSeconds, nextPollAt, POLL } from './pollPolicy';
import { carriesOurReference } from './reference';
import type { TransferSubmitter } from './submitter';
import { Transfer } from './transfer.entity';

export type PollOutcome = 'updated' | 'unchanged' | 'resent' | 'adopted' | 'deferred' | 'flagged' | 'failed';

/** errorCode of an unknown transfer that only a human can settle (see flagAmbiguous) */
export const AMBIGUOUS = 'RECONCILE_AMBIGUOUS';

type BankMatch = { kind: 'none' } | { kind: 'exact'; detail: BankTransferDetail } | { kind: 'inexact'; candidates: number };

/**
 * Brings one transfer up to date with the bank. For `unknown` (and crashed `pending`) rows it first
 * looks for the transfer at the bank by /transfer/status over the apply-date window and adopts the
 * bank's applyNo only on an exact match (our own reference, one transfer no other row holds). A transfer
 * the bank does not show, or shows only inexactly, is resent with the same Idempotency-Key (the bank
 * answers a known key with its first answer) while the bank remembers the key; past that an inexact
 * match is flagged for a human and never resent or adopted.
 */
export class TransferReconciler {
  constructor(
    private readonly db: Database,
    private readonly bank: Bank,
    private readonly vault: TokenVault,
    private readonly submitter: TransferSubmitter,
    private readonly clock: Clock,
    private readonly log: Logger,
  ) {}

  async poll(t: Transfer): Promise<PollOutcome> {
    const now = this.clock.now();
    try {
      if (t.status === 'pending' || t.status === 'unknown') return await this.reconcileUnsent(t, now);
      if (!t.applyNo) return 'unchanged';
      const detail = await withAccessToken(this.vault, t.companyId, (token) => this.bank.transfers.statusByApplyNo(token, t.accountId, t.applyNo!));
      if (detail?.transferStatus) return await this.applyBankStatus(t, detail);
      // an unapproved request disappears from the status query after its date: the result says 8 期限切
      const result = await withAccessToken(this.vault, t.companyId, (token) => this.bank.transfers.requestResult(token, t.accountId, t.applyNo!));
      if (result.resultCode === '8') {
        await this.update(t, { status: 'failed', bankResultCode: '8', errorCode: 'EXPIRED', errorMessage: '期限切れ (the request expired without approval)' });
        return 'updated';
      }
      await this.defer(t);
      return 'unchanged';
    } catch (err) {
      if (
        err instanceof BankError ||
        err instanceof BankOAuthError ||
        err instanceof NotConnectedError ||
        err instanceof ReauthorizationRequiredError ||
        err instanceof RefreshBusyError
      ) {
        this.log.warn('transfer poll failed; will try again', { transferId: t.id, companyId: t.companyId, error: err.message });
        await this.defer(t);
        return 'deferred';
      }
      throw err;
    }
  }

  private async reconcileUnsent(t: Transfer, now: Date): Promise<PollOutcome> {
    const inFlightFor = t.inFlightSince ? now.getTime() - t.inFlightSince.getTime() : undefined;
    if (inFlightFor !== undefined && inFlightFor < POLL.inFlightGraceSeconds * 1000) return 'unchanged';
    const mayHaveBeenSent = t.status === 'unknown' || t.inFlightSince !== null;
    if (!mayHaveBeenSent) {
      await this.submitter.claimAndSend(t);
      return 'resent';
    }
    const match = await this.findAtBank(t, now);
    if (match.kind === 'exact') {
      const applyNo = match.detail.transferApplies?.[0]?.applyNo ?? null;
      this.log.info('unknown transfer found at the bank under our reference; adopting its applyNo', { transferId: t.id, companyId: t.companyId, applyNo });
      await this.applyBankStatus(t, match.detail, { applyNo, inFlightSince: null, submittedAt: t.submittedAt ?? now, errorCode: null, errorMessage: null });
      return 'adopted';
    }
    if (t.errorCode === AMBIGUOUS) {
      // a human decides: never resent, never adopted by a guess
      await this.defer(t);
      return 'flagged';
    }
    const lastTry = (t.inFlightSince ?? t.lastAttemptAt ?? t.createdAt).getTime();
    if (now.getTime() - lastTry < POLL.resendAfterSeconds * 1000) {
      await this.defer(t);
      return 'unchanged';
    }
    if (match.kind === 'inexact') {
      // The bank shows a transfer that may or may not be this one (the caller's own ediInfo, or several alike).
      // Only the bank's Idempotency-Key replay can tell exactly, and only while it remembers the key.
      if (now.getTime() - t.createdAt.getTime() >= POLL.bankKeyWindowSeconds * 1000) return this.flagAmbiguous(t, match.candidates);
      this.log.warn('unknown transfer matches the bank only inexactly; resending with the same Idempotency-Key so the bank answers for it', {
        transferId: t.id,
        companyId: t.companyId,
        candidates: match.candidates,
      });
    } else {
      this.log.warn('unknown transfer not found at the bank; resending with the same Idempotency-Key', { transferId: t.id, companyId: t.companyId });
    }
    // a crashed send left inFlightSince set: clear it so the row can be claimed again
    await this.update(t, { inFlightSince: null, status: 'unknown' });
    await this.submitter.claimAndSend({ ...t, inFlightSince: null, status: 'unknown' });
    return 'resent';
  }

  private async flagAmbiguous(t: Transfer, candidates: number): Promise<PollOutcome> {
    this.log.error('unknown transfer cannot be matched exactly at the bank and the bank no longer replays its key: needs a human', {
      transferId: t.id,
      companyId: t.companyId,
      candidates,
    });
    await this.update(t, {
      errorCode: AMBIGUOUS,
      errorMessage: 'The bank shows a transfer that may be this one, but not exactly: check it at the bank before paying again.',
    });
    return 'flagged';
  }

  /**
   * The bank's transfers that could be this one: same EDI, amount and beneficiary, not held by another row.
   * Exact only when the ediInfo is our own reference (unique per transfer) and exactly one such transfer exists.
   */
  private async findAtBank(t: Transfer, now: Date): Promise<BankMatch> {
    const details = await withAccessToken(this.vault, t.companyId, (token) =>
      this.bank.transfers.statusByPeriod(token, t.accountId, jstDate(t.createdAt), jstDate(now)),
    );
    const candidates = details.filter((d) =>
      d.transferResponses?.some((r) =>
        r.transferInfos?.some(
          (i) =>
            i.ediInfo === t.ediInfo &&
            Number(i.transferAmount) === t.amount &&
            i.beneficiaryBankCode === t.beneficiaryBankCode &&
            i.beneficiaryBranchCode === t.beneficiaryBranchCode &&
            i.accountNumber === t.beneficiaryAccountNumber,
        ),
      ),
    );
    const applyNos = candidates.map((c) => c.transferApplies?.[0]?.applyNo).filter((a): a is string => Boolean(a));
    const taken = new Set(
      applyNos.length === 0
        ? []
        : (
            await this.db.manager.find(Transfer, {
              select: { applyNo: true },
              where: { environment: t.environment, accountId: t.accountId, applyNo: In(applyNos), id: Not(t.id) },
            })
          ).map((r) => r.applyNo),
    );
    const free = candidates.filter((c) => !taken.has(c.transferApplies?.[0]?.applyNo ?? ''));
    if (free.length === 0) return { kind: 'none' };
    if (free.length === 1 && carriesOurReference(t)) return { kind: 'exact', detail: free[0] };
    return { kind: 'inexact', candidates: free.length };
  }

  private async applyBankStatus(t: Transfer, detail: BankTransferDetail, extra: Partial<Transfer> = {}): Promise<PollOutcome> {
    const code = detail.transferStatus!;
    const mapped = statusFromBankCode(code);
    if (!mapped) {
      this.log.warn('unmapped bank transfer status; keeping ours', { transferId: t.id, bankStatus: code });
      await this.update(t, { bankStatus: code, ...extra });
      return 'unchanged';
    }
    const fee = detail.transferDetailFee !== undefined && /^\d+$/.test(detail.transferDetailFee) ? Number(detail.transferDetailFee) : t.fee;
    const changes: Partial<Transfer> = { bankStatus: code, status: mapped.status, fee, ...extra };
    if (mapped.status === 'completed' && !t.completedAt) changes.completedAt = this.clock.now();
    if (mapped.status === 'failed' || mapped.status === 'returned' || mapped.status === 'returning') {
      changes.errorCode = `BANK_STATUS_${code}`;
      changes.errorMessage = mapped.reason ?? null;
    }
    const changed = code !== t.bankStatus || mapped.status !== t.status || extra.applyNo !== undefined;
    if (changed) this.log.info('transfer status changed', { transferId: t.id, companyId: t.companyId, from: t.status, to: mapped.status, bankStatus: code });
    await this.update(t, changes, changed);
    return changed ? 'updated' : 'unchanged';
  }

  private async update(t: Transfer, changes: Partial<Transfer>, progressed = true): Promise<void> {
    const now = this.clock.now();
    const status = (changes.status ?? t.status) as TransferStatus;
    const pollCount = progressed ? 0 : t.pollCount + 1;
    const completedAt = changes.completedAt ?? t.completedAt;
    await this.db.transaction((em) =>
      em.update(Transfer, { id: t.id }, { ...changes, pollCount, nextPollAt: nextPollAt(now, status, pollCount, completedAt), ...(progressed ? { updatedAt: now } : {}) }),
    );
  }

  /** After a failure nobody expected (a token that cannot be decrypted, a bad row): look again later. */
  async pushBack(t: Transfer): Promise<void> {
    await this.defer(t);
  }

  private async defer(t: Transfer): Promise<void> {
    const now = this.clock.now();
    const next = t.status === 'scheduled' || t.status === 'completed' ? nextPollAt(now, t.status, t.pollCount + 1, t.completedAt) : new Date(now.getTime() + backoffSeconds(t.pollCount + 1) * 1000);
    // not a change of the transfer itself: updatedAt stays
    await this.db.transaction((em) => em.update(Transfer, { id: t.id }, { pollCount: t.pollCount + 1, nextPollAt: next }));
  }
}
