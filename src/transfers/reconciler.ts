import { In, Not } from 'typeorm';
import type { Bank } from '../bank';
import { BankError } from '../bank/errors';
import { jstDate } from '../bank/jst';
import type { BankTransferDetail } from '../bank/transfersApi';
import type { Clock } from '../clock';
import type { Database } from '../db/database';
import type { Logger } from '../log';
import { NotConnectedError, ReauthorizationRequiredError } from '../tokens/errors';
import type { TokenVault } from '../tokens/vault';
import { withAccessToken } from '../tokens/withAccessToken';
import { statusFromBankCode, type TransferStatus } from './lifecycle';
import { backoffSeconds, nextPollAt, POLL } from './pollPolicy';
import type { TransferSubmitter } from './submitter';
import { Transfer } from './transfer.entity';

export type PollOutcome = 'updated' | 'unchanged' | 'resent' | 'adopted' | 'deferred';

/**
 * Brings one transfer up to date with the bank. For `unknown` (and crashed `pending`) rows it first
 * looks for the transfer at the bank by /transfer/status over the apply-date window and adopts the
 * bank's applyNo; only a transfer the bank does not show, after it had time to show it, is resent
 * (with the same Idempotency-Key).
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
      if (err instanceof BankError || err instanceof NotConnectedError || err instanceof ReauthorizationRequiredError) {
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
    const found = await this.findAtBank(t, now);
    if (found) {
      const applyNo = found.transferApplies?.[0]?.applyNo ?? null;
      this.log.info('unknown transfer found at the bank; adopting its applyNo', { transferId: t.id, companyId: t.companyId, applyNo });
      await this.applyBankStatus(t, found, { applyNo, inFlightSince: null, submittedAt: t.submittedAt ?? now });
      return 'adopted';
    }
    const lastTry = (t.inFlightSince ?? t.lastAttemptAt ?? t.createdAt).getTime();
    if (now.getTime() - lastTry < POLL.resendAfterSeconds * 1000) {
      await this.defer(t);
      return 'unchanged';
    }
    this.log.warn('unknown transfer not found at the bank; resending with the same Idempotency-Key', { transferId: t.id, companyId: t.companyId });
    // a crashed send left inFlightSince set: clear it so the row can be claimed again
    await this.update(t, { inFlightSince: null, status: 'unknown' });
    await this.submitter.claimAndSend({ ...t, inFlightSince: null, status: 'unknown' });
    return 'resent';
  }

  /** The bank's transfer that is this one: same EDI, amount and beneficiary, not already another row's. */
  private async findAtBank(t: Transfer, now: Date): Promise<BankTransferDetail | undefined> {
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
    if (candidates.length === 0) return undefined;
    const applyNos = candidates.map((c) => c.transferApplies?.[0]?.applyNo).filter((a): a is string => Boolean(a));
    const taken = new Set(
      (await this.db.manager.find(Transfer, { select: { applyNo: true }, where: { applyNo: In(applyNos), id: Not(t.id) } })).map((r) => r.applyNo),
    );
    return candidates.find((c) => !taken.has(c.transferApplies?.[0]?.applyNo ?? ''));
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

  private async defer(t: Transfer): Promise<void> {
    const now = this.clock.now();
    const next = t.status === 'scheduled' || t.status === 'completed' ? nextPollAt(now, t.status, t.pollCount + 1, t.completedAt) : new Date(now.getTime() + backoffSeconds(t.pollCount + 1) * 1000);
    // not a change of the transfer itself: updatedAt stays
    await this.db.transaction((em) => em.update(Transfer, { id: t.id }, { pollCount: t.pollCount + 1, nextPollAt: next }));
  }
}
