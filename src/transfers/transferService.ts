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
import { buildDraft, gmoTransferRequest, type TransferDraft } from './draft';
import { BankValidationError, CancelRefusedError, IdempotencyKeyReusedError, RequestInFlightError, TransferNotCancellableError } from './errors';
import { CANCELLABLE_STATUSES, type SubmissionOutcome } from './lifecycle';
import { POLL } from './pollPolicy';
import type { TransferReconciler } from './reconciler';
import { ourReference } from './reference';
import type { FeeQuote, ListQuery, TransferBody } from './contract';
import type { TransferSubmitter } from './submitter';
import { stillInFlight } from './unsentPolicy';
import { Transfer } from './transfer.entity';
import type { TransferStore } from './transferStore';

interface CreateResult {
  transfer: Transfer;
  /** what the first submission came to; every replay of the key answers the same */
  outcome: SubmissionOutcome;
  replayed: boolean;
}

interface CancelResult {
  transfer: Transfer;
  /** `cancel_requested`: the bank's answer was lost; the poller reads whether it cancelled */
  outcome: 'cancelled' | 'cancel_requested';
}

/** Decides everything about payouts; routes only parse and authorise, the store writes. */
export class TransferService {
  private readonly inflight = new Map<string, Promise<Transfer>>();

  constructor(
    private readonly store: TransferStore,
    private readonly bank: Bank,
    private readonly vault: TokenVault,
    private readonly connections: ConnectionStore,
    private readonly submitter: TransferSubmitter,
    private readonly reconciler: TransferReconciler,
    private readonly clock: Clock,
    private readonly log: Logger,
    private readonly audit: AuditLog,
  ) {}

  get(companyId: string, id: string): Promise<Transfer> {
    return this.store.get(companyId, id);
  }

  list(companyId: string, q: ListQuery): Promise<{ items: Transfer[]; nextCursor: string | null }> {
    return this.store.list(companyId, q);
  }

  /** One audit event per call that is not a replay (a replay changes nothing): the submission outcome, or the error. */
  create(companyId: string, idempotencyKey: string, body: TransferBody, createdByKeyId: string | null = null): Promise<CreateResult> {
    return this.audit.track(
      'transfer.create',
      companyId,
      () => this.createOnce(companyId, idempotencyKey, body, createdByKeyId),
      (r) => (r.replayed ? null : { outcome: r.outcome === 'refused' ? 'failed' : 'succeeded', resourceId: r.transfer.id, reason: r.outcome }),
    );
  }

  private async createOnce(companyId: string, idempotencyKey: string, body: TransferBody, createdByKeyId: string | null): Promise<CreateResult> {
    const hash = requestHash(body);
    const now = this.clock.now();
    // A new key is the common case: the key is looked up only when this request cannot go on (a replay must
    // answer what the first request came to, whatever the connection is now) or its INSERT meets the key.
    let draft: TransferDraft;
    let accessToken: string;
    try {
      // the connection and the stored access token in one read
      const { connection, accessToken: stored } = await this.connections.usableWithAccessToken(companyId);
      draft = buildDraft(body, this.connections.accounts(connection), now);
      // a connection that cannot give a token (or a token endpoint that is down) is answered now, before anything is stored
      accessToken = await this.vault.accessToken(companyId, { readWithConnection: { accessToken: stored } });
    } catch (err) {
      const existing = await this.store.byKey(companyId, idempotencyKey);
      if (existing) return this.replay(existing, hash);
      throw err;
    }

    const id = randomUUID();
    const row = Object.assign(new Transfer(), {
      ...draft,
      id,
      companyId,
      idempotencyKey,
      requestHash: hash,
      createdByKeyId,
      fee: null,
      feeStatus: null,
      ediInfo: draft.ediInfo ?? ourReference(id),
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
      submittedAt: null,
      completedAt: null,
      cancelRequestedAt: null,
      createdAt: now,
      updatedAt: now,
    });
    const stored = await this.store.insert(row);
    if (stored === 'duplicate') {
      const winner = await this.store.byKey(companyId, idempotencyKey);
      if (!winner) throw new Error('an Idempotency-Key conflicted with a row that is gone');
      return this.replay(winner, hash);
    }
    this.log.info('transfer stored; submitting', { transferId: id, companyId, amount: draft.amount, apiKeyId: createdByKeyId });

    const flight = this.submit(stored, accessToken);
    this.inflight.set(id, flight);
    try {
      const transfer = await flight;
      return { transfer, outcome: transfer.submissionOutcome ?? 'outcome_unknown', replayed: false };
    } finally {
      this.inflight.delete(id);
    }
  }

  /** Whatever goes wrong after the row exists, the caller gets the row (202), never a 5xx. */
  private async submit(row: Transfer, accessToken: string): Promise<Transfer> {
    try {
      return await this.submitter.send(row, accessToken);
    } catch (err) {
      this.log.error('transfer submission crashed; the poller will reconcile it', { transferId: row.id, err });
      return (await this.store.byId(row.id).catch(() => null)) ?? row;
    }
  }

  /**
   * Same key: same body → the same transfer and the first answer; another body → refused.
   * Still being sent by this process → wait for it; by another instance → in flight until it is answered.
   */
  private async replay(existing: Transfer, hash: string): Promise<CreateResult> {
    if (existing.requestHash !== hash) throw new IdempotencyKeyReusedError();
    const flight = this.inflight.get(existing.id);
    const transfer = flight ? await flight.catch(() => existing) : existing;
    if (stillInFlight(transfer, this.clock.now())) throw new RequestInFlightError(transfer.id);
    return { transfer, outcome: transfer.submissionOutcome ?? 'outcome_unknown', replayed: true };
  }

  async feeQuote(companyId: string, body: TransferBody): Promise<FeeQuote> {
    const conn = await this.connections.usable(companyId);
    const draft = buildDraft(body, this.connections.accounts(conn), this.clock.now());
    try {
      const { totalFee } = await withAccessToken(this.vault, companyId, (token) =>
        this.bank.transfers.fee(token, gmoTransferRequest(draft, draft.ediInfo ?? 'FEEQUOTE')),
      );
      return { fee: totalFee, totalDebit: draft.amount + totalFee, accountId: draft.accountId, settlementDate: draft.settlementDate, settlementNote: draft.settlementNote };
    } catch (err) {
      if (err instanceof BankError && err.kind === 'rejected') {
        const details = err.options.details ?? [];
        throw new BankValidationError(
          err.options.errorMessage ?? 'The bank refused the transfer as described.',
          details.length > 0
            ? details.map((d) => ({ field: d.itemId ? 'beneficiary' : 'transfer', reason: `${d.code}: ${d.message}` }))
            : [{ field: 'transfer', reason: `${err.options.errorCode ?? 'error'}: ${err.options.errorMessage ?? err.message}` }],
        );
      }
      throw err;
    }
  }

  /** Cancels through /transfer/cancel (class 2) after reading the bank's current state. */
  cancel(companyId: string, id: string): Promise<CancelResult> {
    return this.audit.track('transfer.cancel', companyId, () => this.cancelOnce(companyId, id), (r) => ({ outcome: 'succeeded', reason: r.outcome }), id);
  }

  private async cancelOnce(companyId: string, id: string): Promise<CancelResult> {
    let t = await this.store.get(companyId, id);
    if (CANCELLABLE_STATUSES.has(t.status) && t.applyNo) {
      await this.reconciler.poll(t);
      t = await this.store.get(companyId, id);
    }
    if (!CANCELLABLE_STATUSES.has(t.status) || !t.applyNo) throw new TransferNotCancellableError(t);
    try {
      await withAccessToken(this.vault, companyId, (token) => this.bank.transfers.cancel(token, t.accountId, t.applyNo!));
    } catch (err) {
      if (err instanceof BankError && err.kind === 'rejected') throw new CancelRefusedError(t, err.options.errorCode, err.options.errorMessage ?? err.message);
      // the cancel may have happened: record the request and let the poller read the outcome
      if (err instanceof BankError && !err.certainlyNotProcessed) return { transfer: await this.store.cancelRequested(t), outcome: 'cancel_requested' };
      throw err;
    }
    const cancelled = await this.store.cancelled(t);
    this.log.info('transfer cancelled', { transferId: id, companyId });
    return { transfer: cancelled, outcome: 'cancelled' };
  }
}

