import { randomUUID } from 'node:crypto';
import type { AuditLog } from '../audit/auditLog';
import type { Bank } from '../bank';
import { BankError } from '../bank/errors';
import type { Clock } from '../clock';
import type { ConnectionStore } from '../connections/connectionStore';
import { requestHash } from '../domain/requestHash';
import type { Logger } from '../log';
import type { TokenVault } from '../tokens/vault';
import { withAccessToken } from '../tokens/withAccessToken';
import { BankValidationError, IdempotencyKeyReusedError } from '../transfers/errors';
import type { SubmissionOutcome } from '../transfers/lifecycle';
import { POLL } from '../transfers/pollPolicy';
import { stillInFlight } from '../transfers/unsentPolicy';
import { bankItemIssues } from './bankIssues';
import { BulkTransfer } from './bulkTransfer.entity';
import { BulkTransferItem } from './bulkTransferItem.entity';
import type { BulkTransferStore } from './bulkTransferStore';
import type { BulkBody, BulkListQuery, ItemsQuery } from './contract';
import { buildBulkDraft, gmoBulkRequest } from './draft';
import { BulkCancelRefusedError, BulkRequestInFlightError, BulkTransferNotCancellableError } from './errors';
import { BULK_CANCELLABLE } from './lifecycle';
import type { BulkReconciler } from './reconciler';
import { ourBulkReference } from './reference';
import type { BulkSubmitter } from './submitter';
import type { ItemCounts } from './views';

interface CreateResult {
  bulkTransfer: BulkTransfer;
  outcome: SubmissionOutcome;
  replayed: boolean;
}

/** Decides everything about bulk transfers; routes parse and authorise, the store writes. */
export class BulkTransferService {
  private readonly inflight = new Map<string, Promise<BulkTransfer>>();

  constructor(
    private readonly store: BulkTransferStore,
    private readonly bank: Bank,
    private readonly vault: TokenVault,
    private readonly connections: ConnectionStore,
    private readonly submitter: BulkSubmitter,
    private readonly reconciler: BulkReconciler,
    private readonly clock: Clock,
    private readonly log: Logger,
    private readonly audit: AuditLog,
  ) {}

  get(companyId: string, id: string): Promise<BulkTransfer> {
    return this.store.get(companyId, id);
  }

  itemCounts(b: BulkTransfer): Promise<ItemCounts> {
    return this.store.itemCounts(b.id);
  }

  /** A page of batches with their item counts, one query for the counts of the whole page. */
  async listWithCounts(companyId: string, q: BulkListQuery): Promise<{ items: Array<{ batch: BulkTransfer; counts: ItemCounts }>; nextCursor: string | null }> {
    const page = await this.store.list(companyId, q);
    const counts = await this.store.itemCountsOf(page.items.map((b) => b.id));
    return { items: page.items.map((batch) => ({ batch, counts: counts.get(batch.id)! })), nextCursor: page.nextCursor };
  }

  async items(companyId: string, id: string, q: ItemsQuery) {
    return this.store.items(await this.store.get(companyId, id), q);
  }

  create(companyId: string, idempotencyKey: string, body: BulkBody, createdByKeyId: string | null = null): Promise<CreateResult> {
    return this.audit.track(
      'bulk_transfer.create',
      companyId,
      () => this.createOnce(companyId, idempotencyKey, body, createdByKeyId),
      (r) => (r.replayed ? null : { outcome: r.outcome === 'refused' ? 'failed' : 'succeeded', resourceId: r.bulkTransfer.id, reason: r.outcome, details: { items: r.bulkTransfer.totalCount } }),
    );
  }

  private async createOnce(companyId: string, idempotencyKey: string, body: BulkBody, createdByKeyId: string | null): Promise<CreateResult> {
    const hash = requestHash(body);
    const existing = await this.store.byKey(companyId, idempotencyKey);
    if (existing) return this.replay(existing, hash);

    const conn = await this.connections.usable(companyId);
    const now = this.clock.now();
    const draft = buildBulkDraft(body, this.connections.accounts(conn), now);
    // a connection that cannot give a token is answered now, before anything is stored
    await this.vault.accessToken(companyId);

    const id = randomUUID();
    const batch = Object.assign(new BulkTransfer(), {
      id,
      companyId,
      idempotencyKey,
      requestHash: hash,
      accountId: draft.accountId,
      transferDataName: draft.transferDataName ?? ourBulkReference(id),
      remitterName: draft.remitterName,
      designatedDate: draft.designatedDate,
      holidayCode: draft.holidayCode,
      settlementDate: draft.settlementDate,
      settlementNote: draft.settlementNote,
      totalCount: draft.totalCount,
      totalAmount: draft.totalAmount,
      fee: null,
      feeStatus: null,
      reference: body.reference ?? null,
      createdByKeyId,
      status: 'pending' as const,
      bankStatus: null,
      bankResultCode: null,
      applyNo: null,
      errorCode: null,
      errorMessage: null,
      errorDetails: null,
      submissionOutcome: null,
      attempts: 1,
      // committed as in flight: if this process dies before the bank answers, the poller reconciles
      inFlightSince: now,
      lastAttemptAt: now,
      nextPollAt: new Date(now.getTime() + POLL.inFlightGraceSeconds * 1000),
      pollCount: 0,
      itemsReadAt: null,
      submittedAt: null,
      completedAt: null,
      cancelRequestedAt: null,
      createdAt: now,
      updatedAt: now,
    });
    const items = draft.items.map((d) =>
      Object.assign(new BulkTransferItem(), {
        ...d,
        bulkTransferId: id,
        status: 'pending' as const,
        bankDetailStatus: null,
        errorCode: null,
        errorMessage: null,
        returnedOn: null,
        updatedAt: now,
      }),
    );
    const stored = await this.store.insert(batch, items);
    if (stored === 'duplicate') {
      const winner = await this.store.byKey(companyId, idempotencyKey);
      if (!winner) throw new Error('an Idempotency-Key conflicted with a row that is gone');
      return this.replay(winner, hash);
    }
    this.log.info('bulk transfer stored; submitting', { bulkTransferId: id, companyId, items: draft.totalCount, totalAmount: draft.totalAmount, apiKeyId: createdByKeyId });

    const flight = this.submit(stored, items);
    this.inflight.set(id, flight);
    try {
      const bulkTransfer = await flight;
      return { bulkTransfer, outcome: bulkTransfer.submissionOutcome ?? 'outcome_unknown', replayed: false };
    } finally {
      this.inflight.delete(id);
    }
  }

  /** Whatever goes wrong after the batch exists, the caller gets it (202), never a 5xx. */
  private async submit(b: BulkTransfer, items: BulkTransferItem[]): Promise<BulkTransfer> {
    try {
      return await this.submitter.send(b, items);
    } catch (err) {
      this.log.error('bulk transfer submission crashed; the poller will reconcile it', { bulkTransferId: b.id, err });
      return (await this.store.byId(b.id).catch(() => null)) ?? b;
    }
  }

  private async replay(existing: BulkTransfer, hash: string): Promise<CreateResult> {
    if (existing.requestHash !== hash) throw new IdempotencyKeyReusedError();
    const flight = this.inflight.get(existing.id);
    const b = flight ? await flight.catch(() => existing) : existing;
    if (stillInFlight(b, this.clock.now())) throw new BulkRequestInFlightError(b.id);
    return { bulkTransfer: b, outcome: b.submissionOutcome ?? 'outcome_unknown', replayed: true };
  }

  async feeQuote(companyId: string, body: BulkBody) {
    const conn = await this.connections.usable(companyId);
    const draft = buildBulkDraft(body, this.connections.accounts(conn), this.clock.now());
    const request = gmoBulkRequest({ ...draft, transferDataName: draft.transferDataName ?? 'FEEQUOTE' }, draft.items);
    try {
      const { totalFee } = await withAccessToken(this.vault, companyId, (token) => this.bank.bulkTransfers.fee(token, request));
      return {
        fee: totalFee,
        totalAmount: draft.totalAmount,
        totalDebit: draft.totalAmount + totalFee,
        totalCount: draft.totalCount,
        accountId: draft.accountId,
        settlementDate: draft.settlementDate,
        settlementNote: draft.settlementNote,
      };
    } catch (err) {
      if (err instanceof BankError && err.kind === 'rejected') {
        const details = err.options.details ?? [];
        throw new BankValidationError(
          err.options.errorMessage ?? 'The bank refused the bulk transfer as described.',
          details.length > 0 ? bankItemIssues(details) : [{ field: 'items', reason: `${err.options.errorCode ?? 'error'}: ${err.options.errorMessage ?? err.message}` }],
        );
      }
      throw err;
    }
  }

  cancel(companyId: string, id: string): Promise<{ bulkTransfer: BulkTransfer; outcome: 'cancelled' | 'cancel_requested' }> {
    return this.audit.track('bulk_transfer.cancel', companyId, () => this.cancelOnce(companyId, id), (r) => ({ outcome: 'succeeded', reason: r.outcome }), id);
  }

  private async cancelOnce(companyId: string, id: string): Promise<{ bulkTransfer: BulkTransfer; outcome: 'cancelled' | 'cancel_requested' }> {
    let b = await this.store.get(companyId, id);
    if (BULK_CANCELLABLE.has(b.status) && b.applyNo) {
      await this.reconciler.poll(b);
      b = await this.store.get(companyId, id);
    }
    if (!BULK_CANCELLABLE.has(b.status) || !b.applyNo) throw new BulkTransferNotCancellableError(b, await this.store.itemCounts(b.id));
    const batch = b;
    try {
      await withAccessToken(this.vault, companyId, (token) => this.bank.bulkTransfers.cancel(token, batch.accountId, batch.applyNo!));
    } catch (err) {
      if (err instanceof BankError && err.kind === 'rejected') throw new BulkCancelRefusedError(batch, await this.store.itemCounts(batch.id), err.options.errorCode, err.options.errorMessage ?? err.message);
      // the cancel may have happened: record the request and let the poller read the outcome
      if (err instanceof BankError && !err.certainlyNotProcessed) return { bulkTransfer: await this.store.cancelRequested(batch), outcome: 'cancel_requested' };
      throw err;
    }
    const cancelled = await this.store.cancelled(batch);
    this.log.info('bulk transfer cancelled', { bulkTransferId: id, companyId });
    return { bulkTransfer: cancelled, outcome: 'cancelled' };
  }
}
