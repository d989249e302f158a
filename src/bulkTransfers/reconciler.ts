import type { Bank } from '../bank';
import { BULK_ITEMS_PER_PAGE, type BankBulkDetail, type BankBulkItem } from '../bank/bulkTransfersApi';
import { jstDate } from '../bank/jst';
import { settlementShownByBank } from '../calendar/settlement';
import type { Clock } from '../clock';
import type { Logger } from '../log';
import type { TokenVault } from '../tokens/vault';
import { withAccessToken } from '../tokens/withAccessToken';
import { AMBIGUOUS } from '../transfers/reconcileFlags';
import type { PollOutcome } from '../transfers/reconciler';
import { afterSearch, beforeSearch, isPollFailure } from '../transfers/unsentPolicy';
import type { BulkTransfer } from './bulkTransfer.entity';
import type { BulkReading, BulkTransferStore, ItemChange } from './bulkTransferStore';
import { BULK_SETTLED, bulkStatusFromBankCode, canMoveItem, type ItemStatus } from './lifecycle';
import { carriesOurBulkReference } from './reference';
import type { BulkSubmitter } from './submitter';

type BankMatch = { kind: 'none' } | { kind: 'exact'; detail: BankBulkDetail } | { kind: 'inexact'; candidates: number };

/** One item as the bank's details show it, in our terms. */
function itemReading(info: BankBulkItem, batchSettled: boolean): Omit<ItemChange, 'itemNo'> {
  const unable = info.unableDetailInfos?.[0];
  const bankDetailStatus = unable ? [unable.transferDetailStatus, unable.refundStatus].filter(Boolean).join('/') || null : info.transferDetailResponses?.length ? '1' : null;
  const base = { bankDetailStatus, errorCode: null, errorMessage: null, returnedOn: null };
  if (unable?.isRepayment) return { ...base, status: 'returned', errorCode: 'BANK_REPAYMENT', errorMessage: '資金返却 (the funds came back)', returnedOn: unable.repaymentDate ?? null };
  if (unable?.refundStatus === '2') return { ...base, status: 'returned', errorCode: 'BANK_REFUND_2', errorMessage: '組戻済 (recalled)' };
  if (unable?.refundStatus === '1') return { ...base, status: 'returning', errorCode: 'BANK_REFUND_1', errorMessage: '組戻手続中 (recall in progress)' };
  if (unable?.transferDetailStatus === '2') return { ...base, status: 'failed', errorCode: 'BANK_DETAIL_2', errorMessage: '手続不成立 (this payment could not be executed)' };
  return { ...base, status: batchSettled ? 'completed' : 'submitted' };
}

/**
 * Brings one bulk transfer up to date with the bank: the batch through /bulktransfer/status, then, once
 * the bank has settled it and itemised it (detailInfoResult, ~10 minutes after the request), every item
 * through the paged details. An `unknown` batch is first looked for at the bank over its apply dates and
 * adopted only on an exact match (our `RB…` 振込データ名 with the same totals, one batch no other row holds);
 * otherwise the rules of a transfer apply (src/transfers/unsentPolicy.ts): resend with the same
 * Idempotency-Key inside the bank's key window, flag for a human past it.
 */
export class BulkReconciler {
  constructor(
    private readonly store: BulkTransferStore,
    private readonly bank: Bank,
    private readonly vault: TokenVault,
    private readonly submitter: BulkSubmitter,
    private readonly clock: Clock,
    private readonly log: Logger,
    private readonly unknownAfterMs: number,
  ) {}

  async poll(b: BulkTransfer): Promise<PollOutcome> {
    const now = this.clock.now();
    try {
      if (b.status === 'pending' || b.status === 'unknown') {
        if (b.status === 'unknown' && now.getTime() - b.createdAt.getTime() >= this.unknownAfterMs) await this.store.outcomeStillUnknown(b);
        return await this.reconcileUnsent(b, now);
      }
      if (!b.applyNo) return 'unchanged';
      const detail = await withAccessToken(this.vault, b.companyId, (token) => this.bank.bulkTransfers.statusByApplyNo(token, b.accountId, b.applyNo!));
      if (!detail?.transferStatus) return await this.expiredOrLater(b);
      const reading = this.reading(b, detail);
      if (!reading) {
        this.log.warn('unmapped bank bulk transfer status; keeping ours', { bulkTransferId: b.id, bankStatus: detail.transferStatus });
        await this.store.pushedBack(b);
        return 'unchanged';
      }
      const changed = reading.status !== b.status || reading.bankStatus !== b.bankStatus || (reading.settlementDate !== undefined && reading.settlementDate !== b.settlementDate);
      if (changed) this.log.info('bulk transfer status changed', { bulkTransferId: b.id, companyId: b.companyId, from: b.status, to: reading.status, bankStatus: reading.bankStatus });
      const followed = await this.store.followed(b, reading, changed);
      if (BULK_SETTLED.has(followed.status)) return (await this.readItems(followed)) || changed ? 'updated' : 'unchanged';
      return changed ? 'updated' : 'unchanged';
    } catch (err) {
      if (isPollFailure(err)) {
        this.log.warn('bulk transfer poll failed; will try again', { bulkTransferId: b.id, companyId: b.companyId, error: err.message });
        await this.store.pushedBack(b);
        return 'deferred';
      }
      throw err;
    }
  }

  async pushBack(b: BulkTransfer): Promise<void> {
    await this.store.pushedBack(b);
  }

  /** An unapproved request disappears from the status query after its date: the result says 8 期限切. */
  private async expiredOrLater(b: BulkTransfer): Promise<PollOutcome> {
    const result = await withAccessToken(this.vault, b.companyId, (token) => this.bank.bulkTransfers.requestResult(token, b.accountId, b.applyNo!));
    if (result.resultCode === '8') {
      await this.store.followed(b, { status: 'failed', bankStatus: b.bankStatus ?? '5', bankResultCode: '8', errorCode: 'EXPIRED', errorMessage: '期限切れ (the request expired without approval)' }, true);
      return 'updated';
    }
    await this.store.pushedBack(b);
    return 'unchanged';
  }

  /**
   * Every item's result, 500 per page. Not itemised yet: nothing changes and the batch is looked at again
   * soon. Items only move forward (a stale page never turns a returned item back into a paid one).
   */
  private async readItems(b: BulkTransfer): Promise<boolean> {
    const infos: BankBulkItem[] = [];
    for (let first = 1; first <= b.totalCount; first += BULK_ITEMS_PER_PAGE) {
      const page = await withAccessToken(this.vault, b.companyId, (token) => this.bank.bulkTransfers.items(token, b.accountId, b.applyNo!, first));
      if (!page.ready) return false;
      infos.push(...page.items);
    }
    const stored = new Map((await this.store.allItems(b.id)).map((i) => [i.itemNo, i]));
    const changes: ItemChange[] = [];
    for (const info of infos) {
      const item = stored.get(Number(info.itemId));
      if (!item) continue;
      const r = itemReading(info, true);
      if (r.status === item.status && r.bankDetailStatus === item.bankDetailStatus) continue;
      if (!canMoveItem(item.status, r.status as ItemStatus)) {
        this.log.warn('bank item result contradicts the stored one; keeping ours', { bulkTransferId: b.id, itemNo: item.itemNo, from: item.status, to: r.status });
        continue;
      }
      changes.push({ itemNo: item.itemNo, ...r });
    }
    await this.store.itemsRead(b, changes);
    if (changes.length > 0) this.log.info('bulk transfer items updated', { bulkTransferId: b.id, companyId: b.companyId, changed: changes.length });
    return changes.length > 0;
  }

  private async reconcileUnsent(b: BulkTransfer, now: Date): Promise<PollOutcome> {
    const step = beforeSearch(b, now);
    if (step === 'wait') return 'unchanged';
    if (step === 'send') {
      await this.submitter.claimAndSend(b);
      return 'resent';
    }
    const match = await this.findAtBank(b, now);
    switch (afterSearch(b, now, match.kind)) {
      case 'adopt': {
        const detail = (match as { detail: BankBulkDetail }).detail;
        const applyNo = detail.transferApplies?.[0]?.applyNo;
        const reading = this.reading(b, detail);
        if (!reading || !applyNo) return this.flagAmbiguous(b, 1);
        this.log.info('unknown bulk transfer found at the bank under our reference; adopting its applyNo', { bulkTransferId: b.id, companyId: b.companyId, applyNo });
        await this.store.followed(b, { ...reading, applyNo, errorCode: reading.errorCode ?? null }, true);
        return 'adopted';
      }
      case 'hold':
        await this.store.pushedBack(b);
        return 'flagged';
      case 'wait':
        await this.store.pushedBack(b);
        return 'unchanged';
      case 'flag':
        return this.flagAmbiguous(b, match.kind === 'inexact' ? match.candidates : 0);
      case 'resend':
        this.log.warn('unknown bulk transfer not found exactly at the bank; resending with the same Idempotency-Key', { bulkTransferId: b.id, companyId: b.companyId, match: match.kind });
        await this.submitter.claimAndSend(await this.store.releaseStaleClaim(b));
        return 'resent';
    }
  }

  private async flagAmbiguous(b: BulkTransfer, candidates: number): Promise<PollOutcome> {
    this.log.error('unknown bulk transfer cannot be matched exactly at the bank and the bank no longer replays its key: needs a human', {
      bulkTransferId: b.id,
      companyId: b.companyId,
      candidates,
    });
    const flagged = await this.store.flagged(b, AMBIGUOUS, 'The bank shows a bulk transfer that may be this one, but not exactly: check it at the bank before paying again.');
    await this.store.outcomeStillUnknown(flagged);
    return 'flagged';
  }

  /** The bank's batches that could be this one: same 振込データ名, count and total, not held by another row. */
  private async findAtBank(b: BulkTransfer, now: Date): Promise<BankMatch> {
    const details = await withAccessToken(this.vault, b.companyId, (token) =>
      this.bank.bulkTransfers.statusByPeriod(token, b.accountId, jstDate(b.createdAt), jstDate(now)),
    );
    const candidates = details.filter((d) =>
      d.bulktransferResponses?.some(
        (r) => r.transferDataName === b.transferDataName && Number(r.totalCount) === b.totalCount && Number(r.totalAmount) === b.totalAmount,
      ),
    );
    const applyNoOf = (d: BankBulkDetail) => d.transferApplies?.[0]?.applyNo ?? '';
    const held = await this.store.heldApplyNos(b, candidates.map(applyNoOf).filter(Boolean));
    const free = candidates.filter((c) => !held.has(applyNoOf(c)));
    if (free.length === 0) return { kind: 'none' };
    if (free.length === 1 && carriesOurBulkReference(b)) return { kind: 'exact', detail: free[0] };
    return { kind: 'inexact', candidates: free.length };
  }

  /** The bank's status of the batch in our terms; undefined for a code the one mapping does not know. */
  private reading(b: BulkTransfer, detail: BankBulkDetail): BulkReading | undefined {
    const code = detail.transferStatus;
    const mapped = code ? bulkStatusFromBankCode(code) : undefined;
    if (!code || !mapped) return undefined;
    const fee = detail.totalFee !== undefined && /^\d+$/.test(detail.totalFee) ? Number(detail.totalFee) : undefined;
    const settlement = settlementShownByBank(b, detail.bulktransferResponses?.[0]?.transferDesignatedDate);
    const failing = mapped.status === 'failed' || mapped.status === 'completed_with_exceptions';
    return {
      status: mapped.status,
      bankStatus: code,
      fee,
      ...(settlement ? { settlementDate: settlement.settlementDate, settlementNote: settlement.note } : {}),
      ...(failing ? { errorCode: `BANK_STATUS_${code}`, errorMessage: mapped.reason ?? null } : {}),
    };
  }
}
