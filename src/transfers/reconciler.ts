import type { Bank } from '../bank';
import { jstDate } from '../bank/jst';
import { addDays } from '../calendar/businessDays';
import { settlementShownByBank } from '../calendar/settlement';
import type { BankTransferDetail } from '../bank/transfersApi';
import type { Clock } from '../clock';
import type { Logger } from '../log';
import type { TokenVault } from '../tokens/vault';
import { withAccessToken } from '../tokens/withAccessToken';
import { statusFromBankCode } from './lifecycle';
import { carriesOurReference } from './reference';
import type { TransferSubmitter } from './submitter';
import { AMBIGUOUS } from './reconcileFlags';
import { afterSearch, beforeSearch, isPollFailure } from './unsentPolicy';
import type { Transfer } from './transfer.entity';
import type { BankReading, TransferStore } from './transferStore';

export type PollOutcome = 'updated' | 'unchanged' | 'resent' | 'adopted' | 'deferred' | 'flagged' | 'failed';

/** The most pages (500 transfers each) one account's day is read through for a pass: 20,000 transfers. */
const SNAPSHOT_PAGES = 40;
/** Fewer transfers than this in a list are asked about one by one: a list costs at least one call too. */
const SNAPSHOT_MIN_ROWS = 3;

/**
 * What the bank's list query showed for a pass's transfers: details by list and applyNo (an applyNo is unique
 * only within an account: two companies' first transfers of a day can carry the same one), and the lists it
 * could not read, whose transfers are pushed back rather than asked about one by one.
 */
export interface StatusSnapshot {
  details: Map<string, BankTransferDetail>;
  unreadable: Map<string, Error>;
}

/** The JST day the bank dates a transfer by (振込申請受付日): when it accepted the request, which may be after we stored it. */
function applyDay(t: Transfer): string {
  return jstDate(t.submittedAt ?? t.createdAt);
}

/** A transfer's list at the bank: its company's account, on the day it was applied for. */
function listKey(t: Transfer): string {
  return `${t.companyId}\n${t.accountId}\n${applyDay(t)}`;
}

function detailKey(t: Transfer, applyNo: string): string {
  return `${listKey(t)}\n${applyNo}`;
}

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
    private readonly store: TransferStore,
    private readonly bank: Bank,
    private readonly vault: TokenVault,
    private readonly submitter: TransferSubmitter,
    private readonly clock: Clock,
    private readonly log: Logger,
    /** an `unknown` transfer older than this is announced (transfer.outcome_unknown): a human should look */
    private readonly unknownAfterMs: number,
  ) {}

  /**
   * One list query per account and day (/transfer/status by apply date, 500 per page, stopping once every
   * transfer asked about is seen) for the pass's transfers that are open at the bank, instead of one call
   * per transfer: 10,000 open transfers of a day are 20 bank calls, not 10,000.
   */
  async snapshot(rows: Transfer[]): Promise<StatusSnapshot> {
    const snapshot: StatusSnapshot = { details: new Map(), unreadable: new Map() };
    const lists = new Map<string, Transfer[]>();
    for (const t of rows) {
      if (!t.applyNo || t.status === 'pending' || t.status === 'unknown') continue;
      const key = listKey(t);
      const list = lists.get(key);
      if (list) list.push(t);
      else lists.set(key, [t]);
    }
    for (const [key, list] of lists) {
      if (list.length < SNAPSHOT_MIN_ROWS) continue;
      try {
        await this.readList(list, snapshot.details);
      } catch (err) {
        if (!isPollFailure(err)) throw err;
        snapshot.unreadable.set(key, err);
      }
    }
    return snapshot;
  }

  private async readList(list: Transfer[], into: Map<string, BankTransferDetail>): Promise<void> {
    const { companyId, accountId } = list[0];
    const day = applyDay(list[0]);
    // a request sent just before midnight may be dated the next day by the bank
    const to = [addDays(day, 1), jstDate(this.clock.now())].sort()[0];
    const wanted = new Set(list.map((t) => t.applyNo!));
    // never more calls than asking about each transfer on its own
    const maxPages = Math.min(SNAPSHOT_PAGES, list.length);
    await withAccessToken(this.vault, companyId, async (token) => {
      let pages = 0;
      for await (const page of this.bank.transfers.statusPagesByPeriod(token, accountId, day, to, maxPages)) {
        for (const d of page) {
          const applyNo = d.transferApplies?.[0]?.applyNo;
          if (applyNo && wanted.delete(applyNo)) into.set(detailKey(list[0], applyNo), d);
        }
        pages += 1;
        // past the bound the transfers not seen are asked about one by one
        if (wanted.size === 0 || pages === maxPages) break;
      }
    });
  }

  /** `snapshot`: what this pass's list queries showed; a transfer it does not show is asked about on its own. */
  async poll(t: Transfer, snapshot?: StatusSnapshot): Promise<PollOutcome> {
    const now = this.clock.now();
    try {
      if (t.status === 'pending' || t.status === 'unknown') {
        const stuck = t.status === 'unknown' && now.getTime() - t.createdAt.getTime() >= this.unknownAfterMs;
        if (stuck) await this.store.outcomeStillUnknown(t);
        return await this.reconcileUnsent(t, now);
      }
      if (!t.applyNo) return 'unchanged';
      const unreadable = snapshot?.unreadable.get(listKey(t));
      if (unreadable) throw unreadable;
      const detail =
        snapshot?.details.get(detailKey(t, t.applyNo)) ??
        (await withAccessToken(this.vault, t.companyId, (token) => this.bank.transfers.statusByApplyNo(token, t.accountId, t.applyNo!)));
      if (detail?.transferStatus) return await this.applyBankStatus(t, detail);
      // an unapproved request disappears from the status query after its date: the result says 8 期限切
      const result = await withAccessToken(this.vault, t.companyId, (token) => this.bank.transfers.requestResult(token, t.accountId, t.applyNo!));
      if (result.resultCode === '8') {
        await this.store.followed(
          t,
          { status: 'failed', bankStatus: t.bankStatus ?? '5', bankResultCode: '8', errorCode: 'EXPIRED', errorMessage: '期限切れ (the request expired without approval)' },
          true,
        );
        return 'updated';
      }
      await this.store.pushedBack(t);
      return 'unchanged';
    } catch (err) {
      if (isPollFailure(err)) {
        this.log.warn('transfer poll failed; will try again', { transferId: t.id, companyId: t.companyId, error: err.message });
        await this.store.pushedBack(t);
        return 'deferred';
      }
      throw err;
    }
  }

  /** After a failure nobody expected (a token that cannot be decrypted, a bad row): look again later. */
  async pushBack(t: Transfer): Promise<void> {
    await this.store.pushedBack(t);
  }

  private async reconcileUnsent(t: Transfer, now: Date): Promise<PollOutcome> {
    const step = beforeSearch(t, now);
    if (step === 'wait') return 'unchanged';
    if (step === 'send') {
      await this.submitter.claimAndSend(t);
      return 'resent';
    }
    const match = await this.findAtBank(t, now);
    switch (afterSearch(t, now, match.kind)) {
      case 'adopt': {
        const detail = (match as { detail: BankTransferDetail }).detail;
        const applyNo = detail.transferApplies?.[0]?.applyNo;
        this.log.info('unknown transfer found at the bank under our reference; adopting its applyNo', { transferId: t.id, companyId: t.companyId, applyNo });
        const reading = this.reading(t, detail);
        if (!reading || !applyNo) return this.flagAmbiguous(t, 1);
        await this.store.followed(t, { ...reading, applyNo, errorCode: reading.errorCode ?? null }, true);
        return 'adopted';
      }
      case 'hold':
        // a human decides: never resent, never adopted by a guess
        await this.store.pushedBack(t);
        return 'flagged';
      case 'wait':
        await this.store.pushedBack(t);
        return 'unchanged';
      case 'flag':
        // past the bank's key window a resend could be booked twice if the search missed the first one
        return this.flagAmbiguous(t, match.kind === 'inexact' ? match.candidates : 0);
      case 'resend':
        if (match.kind === 'inexact') {
          // only the bank's Idempotency-Key replay can tell exactly, and only while it remembers the key
          this.log.warn('unknown transfer matches the bank only inexactly; resending with the same Idempotency-Key so the bank answers for it', {
            transferId: t.id,
            companyId: t.companyId,
            candidates: match.candidates,
          });
        } else {
          this.log.warn('unknown transfer not found at the bank; resending with the same Idempotency-Key', { transferId: t.id, companyId: t.companyId });
        }
        // a crashed send left inFlightSince set: release it so the row can be claimed again
        await this.submitter.claimAndSend(await this.store.releaseStaleClaim(t));
        return 'resent';
    }
  }

  private async flagAmbiguous(t: Transfer, candidates: number): Promise<PollOutcome> {
    this.log.error('unknown transfer cannot be matched exactly at the bank and the bank no longer replays its key: needs a human', {
      transferId: t.id,
      companyId: t.companyId,
      candidates,
    });
    const flagged = await this.store.flagged(t, AMBIGUOUS, 'The bank shows a transfer that may be this one, but not exactly: check it at the bank before paying again.');
    await this.store.outcomeStillUnknown(flagged);
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
    const applyNoOf = (d: BankTransferDetail) => d.transferApplies?.[0]?.applyNo ?? '';
    const held = await this.store.heldApplyNos(t, candidates.map(applyNoOf).filter(Boolean));
    const free = candidates.filter((c) => !held.has(applyNoOf(c)));
    if (free.length === 0) return { kind: 'none' };
    if (free.length === 1 && carriesOurReference(t)) return { kind: 'exact', detail: free[0] };
    return { kind: 'inexact', candidates: free.length };
  }

  /**
   * The bank's status in our terms (and the settlement day its 振込指定日 says, when that is news);
   * undefined for a code the one mapping does not know.
   */
  private reading(t: Transfer, detail: BankTransferDetail): BankReading | undefined {
    const code = detail.transferStatus;
    const mapped = code ? statusFromBankCode(code) : undefined;
    if (!code || !mapped) return undefined;
    const fee = detail.transferDetailFee !== undefined && /^\d+$/.test(detail.transferDetailFee) ? Number(detail.transferDetailFee) : undefined;
    const failing = mapped.status === 'failed' || mapped.status === 'returned' || mapped.status === 'returning';
    const settlement = settlementShownByBank(t, detail.transferResponses?.[0]?.transferDesignatedDate);
    return {
      status: mapped.status,
      bankStatus: code,
      fee,
      ...(failing ? { errorCode: `BANK_STATUS_${code}`, errorMessage: mapped.reason ?? null } : {}),
      ...(settlement ? { settlement } : {}),
    };
  }

  private async applyBankStatus(t: Transfer, detail: BankTransferDetail): Promise<PollOutcome> {
    const reading = this.reading(t, detail);
    if (!reading) {
      this.log.warn('unmapped bank transfer status; keeping ours', { transferId: t.id, bankStatus: detail.transferStatus });
      await this.store.pushedBack(t);
      return 'unchanged';
    }
    const statusChanged = reading.bankStatus !== t.bankStatus || reading.status !== t.status;
    if (statusChanged) this.log.info('transfer status changed', { transferId: t.id, companyId: t.companyId, from: t.status, to: reading.status, bankStatus: reading.bankStatus });
    if (reading.settlement) {
      this.log.info('the bank settles the transfer on another day than planned', { transferId: t.id, companyId: t.companyId, planned: t.settlementDate, ...reading.settlement });
    }
    const changed = statusChanged || reading.settlement !== undefined;
    await this.store.followed(t, reading, changed);
    return changed ? 'updated' : 'unchanged';
  }
}
