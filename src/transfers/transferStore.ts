import { In, LessThanOrEqual, Not, type EntityManager } from 'typeorm';
import type { Clock } from '../clock';
import type { Database } from '../db/database';
import { findRow, insertRows, updateRows } from '../db/rowSql';
import { afterCreatedAtCursor, encodeCreatedAtCursor } from '../db/createdAtCursor';
import { countByStatus, type StatusCount } from '../db/statusCounts';
import { isUniqueViolation } from '../db/errors';
import { DomainError } from '../domain/errors';
import { TransferNotFoundError } from './errors';
import { canMove, firstOutcome, type TransferStatus } from './lifecycle';
import { backoffSeconds, nextPollAt, POLL } from './pollPolicy';
import type { ListQuery } from './contract';
import { Transfer } from './transfer.entity';
import { maskedTransferView } from './transferView';
import type { EventSink, EventType } from '../webhooks/events';

/** A write the state machine does not allow: a bug, or a bank answer that contradicts what we recorded. */
class IllegalTransitionError extends Error {
  constructor(
    readonly transferId: string,
    readonly from: TransferStatus,
    readonly to: TransferStatus,
  ) {
    super(`transfer ${transferId} cannot move from ${from} to ${to}`);
    this.name = 'IllegalTransitionError';
  }
}

/** The webhook a move into each status announces (other statuses announce nothing). */
const EVENT_OF: Partial<Record<TransferStatus, EventType>> = {
  submitted: 'transfer.submitted',
  completed: 'transfer.completed',
  failed: 'transfer.failed',
  cancelled: 'transfer.cancelled',
  returned: 'transfer.returned',
};

/** The row changed under us (another instance or request moved it first): decide again from a fresh read. */
export class TransferChangedError extends DomainError {
  constructor(readonly transferId: string) {
    super('The transfer changed while this request was being handled; try again.');
  }
}

/** What the bank's status query says of a transfer, in our terms (see the reconciler). */
export interface BankReading {
  status: TransferStatus;
  bankStatus: string;
  fee?: number;
  errorCode?: string | null;
  errorMessage?: string | null;
  applyNo?: string;
  bankResultCode?: string;
  /** the business day the bank's own 振込指定日 says it settles on, when that is not what we planned, and why */
  settlement?: { settlementDate: string; note: string };
}

/**
 * The only writer of the `transfers` table. Every change is a named state change that the state machine
 * allows (`canMove`), always filtered by this deployment's environment; it returns the row as it now is,
 * without reading it back (a claim excepted: what is sent must be the row as it is now).
 */
export class TransferStore {
  constructor(
    private readonly db: Database,
    private readonly clock: Clock,
    private readonly environment: string,
    private readonly events: EventSink,
  ) {}

  // ---- reads

  byKey(companyId: string, idempotencyKey: string): Promise<Transfer | null> {
    return findRow(this.db.manager, Transfer, { environment: this.environment, companyId, idempotencyKey });
  }

  async get(companyId: string, id: string): Promise<Transfer> {
    const t = await findRow(this.db.manager, Transfer, { environment: this.environment, companyId, id });
    if (!t) throw new TransferNotFoundError();
    return t;
  }

  byId(id: string): Promise<Transfer | null> {
    return findRow(this.db.manager, Transfer, { environment: this.environment, id });
  }

  /** Transfers due a look by the poller, oldest due first. */
  due(limit: number): Promise<Transfer[]> {
    return this.db.manager.find(Transfer, {
      where: { environment: this.environment, nextPollAt: LessThanOrEqual(this.clock.now()) },
      order: { nextPollAt: 'ASC' },
      take: limit,
    });
  }

  /** Of these applyNos of an account, the ones another row already holds. */
  async heldApplyNos(t: Transfer, applyNos: string[]): Promise<Set<string>> {
    if (applyNos.length === 0) return new Set();
    const rows = await this.db.manager.find(Transfer, {
      select: { applyNo: true },
      where: { environment: this.environment, accountId: t.accountId, applyNo: In(applyNos), id: Not(t.id) },
    });
    return new Set(rows.map((r) => r.applyNo!));
  }

  async list(companyId: string, q: ListQuery): Promise<{ items: Transfer[]; nextCursor: string | null }> {
    const qb = this.db.manager
      .createQueryBuilder(Transfer, 't')
      .where('t.environment = :env AND t.companyId = :companyId', { env: this.environment, companyId });
    if (q.status) qb.andWhere('t.status = :status', { status: q.status });
    if (q.from) qb.andWhere('t.createdAt >= :from', { from: q.from });
    if (q.to) qb.andWhere('t.createdAt < :to', { to: q.to });
    if (q.idempotencyKey) qb.andWhere('t.idempotencyKey = :key', { key: q.idempotencyKey });
    if (q.cursor) afterCreatedAtCursor(qb, 't', q.cursor);
    const rows = await qb.orderBy('t.createdAt', 'DESC').addOrderBy('t.id', 'DESC').take(q.limit + 1).getMany();
    const items = rows.slice(0, q.limit);
    const last = items[items.length - 1];
    return { items, nextCursor: rows.length > q.limit && last ? encodeCreatedAtCursor(last) : null };
  }

  /** For /metrics: rows by status, with the oldest of each (read only). */
  countByStatus(): Promise<StatusCount[]> {
    return countByStatus(this.db, Transfer, this.environment);
  }

  /** A company's transfers created in [from, to), oldest first: one day's payouts for the payout report. */
  createdBetween(companyId: string, from: Date, to: Date): Promise<Transfer[]> {
    return this.db.manager
      .createQueryBuilder(Transfer, 't')
      .where('t.environment = :env AND t.companyId = :companyId', { env: this.environment, companyId })
      .andWhere('t.createdAt >= :from AND t.createdAt < :to', { from, to })
      .orderBy('t.createdAt', 'ASC')
      .addOrderBy('t.id', 'ASC')
      .getMany();
  }

  /**
   * A company's transfers from one account, in these statuses, that settle between two JST dates (inclusive):
   * what the account's statement of those days can show. A row from before settlement dates were kept
   * settles on its designated date.
   */
  settlingBetween(companyId: string, accountId: string, statuses: readonly TransferStatus[], from: string, to: string): Promise<Transfer[]> {
    return this.db.manager
      .createQueryBuilder(Transfer, 't')
      .where('t.environment = :env AND t.companyId = :companyId AND t.accountId = :accountId', { env: this.environment, companyId, accountId })
      .andWhere('t.status IN (:...statuses)', { statuses })
      .andWhere('COALESCE(t.settlementDate, t.designatedDate) BETWEEN :from AND :to', { from, to })
      .getMany();
  }


  // ---- named state changes

  /** Stores a new transfer, committed as in flight before the bank is called; `duplicate` when its key exists. */
  async insert(row: Transfer): Promise<Transfer | 'duplicate'> {
    try {
      await this.db.single((em) => insertRows(em, Transfer, [Object.assign(new Transfer(), row, { environment: this.environment })]));
      return row;
    } catch (err) {
      if (isUniqueViolation(err)) return 'duplicate';
      throw err;
    }
  }

  /** Marks the row in flight, only if nobody else is sending it; the claimed row, or undefined. */
  async claimForSending(t: Transfer): Promise<Transfer | undefined> {
    const now = this.clock.now();
    const claimed = await this.db.single((em) =>
      em
        .createQueryBuilder()
        .update(Transfer)
        .set({ inFlightSince: now, lastAttemptAt: now, attempts: () => 'attempts + 1' })
        .where('id = :id AND environment = :env AND inFlightSince IS NULL AND status IN (:...open)', { id: t.id, env: this.environment, open: ['pending', 'unknown'] })
        .execute(),
    );
    if ((claimed.affected ?? 0) !== 1) return undefined;
    // read back: what is sent and then recorded must be the row as it is now, not a copy from before the claim
    return (await this.byId(t.id)) ?? undefined;
  }

  /** A claim a crashed process left behind is released, so the row can be claimed and resent. */
  releaseStaleClaim(t: Transfer): Promise<Transfer> {
    return this.write(t, { inFlightSince: null, status: 'unknown' });
  }

  /** `fee`: what /transfer/transferfee quoted alongside the request, when it answered (the poller later records what was charged). */
  accepted(t: Transfer, answer: { applyNo: string; resultCode: string }, fee?: number): Promise<Transfer> {
    const now = this.clock.now();
    return this.write(t, {
      ...(fee !== undefined ? { fee, feeStatus: 'quoted' as const } : {}),
      status: 'submitted',
      applyNo: answer.applyNo,
      bankResultCode: answer.resultCode,
      inFlightSince: null,
      submittedAt: now,
      errorCode: null,
      errorMessage: null,
      errorDetails: null,
      submissionOutcome: firstOutcome(t, 'accepted'),
      pollCount: 0,
      nextPollAt: new Date(now.getTime() + POLL.firstLookSeconds * 1000),
    });
  }

  /** A fee quote that came in after the acceptance was recorded; the poller later records what was charged. */
  feeQuoted(t: Transfer, fee: number): Promise<Transfer> {
    return this.write(t, { fee, feeStatus: 'quoted' }, { touch: false });
  }

  refused(t: Transfer, error: { code: string; message: string; details?: unknown[] }): Promise<Transfer> {
    return this.write(t, {
      status: 'failed',
      errorCode: error.code,
      errorMessage: error.message,
      errorDetails: error.details ? JSON.stringify(error.details) : null,
      inFlightSince: null,
      nextPollAt: null,
      submissionOutcome: firstOutcome(t, 'refused'),
    });
  }

  /** Certainly not processed (429, maintenance, connection refused): sent again after a backoff. */
  deferred(t: Transfer): Promise<Transfer> {
    const now = this.clock.now();
    return this.write(t, {
      status: t.status === 'unknown' ? 'unknown' : 'pending',
      inFlightSince: null,
      pollCount: t.pollCount + 1,
      nextPollAt: new Date(now.getTime() + backoffSeconds(t.pollCount) * 1000),
      submissionOutcome: firstOutcome(t, 'deferred'),
    });
  }

  /** Sent, answer lost: reconciled with the bank before anything is resent. */
  outcomeUnknown(t: Transfer): Promise<Transfer> {
    return this.write(t, {
      status: 'unknown',
      inFlightSince: null,
      pollCount: 0,
      nextPollAt: nextPollAt(this.clock.now(), 'unknown', 0, null),
      submissionOutcome: firstOutcome(t, 'outcome_unknown'),
    });
  }

  /** What the bank's status query shows; `progressed` false when nothing changed (the backoff grows). */
  followed(t: Transfer, reading: BankReading, progressed: boolean): Promise<Transfer> {
    const now = this.clock.now();
    const pollCount = progressed ? 0 : t.pollCount + 1;
    const completedAt = reading.status === 'completed' && !t.completedAt ? now : t.completedAt;
    return this.write(
      t,
      {
        status: reading.status,
        bankStatus: reading.bankStatus,
        ...(reading.fee !== undefined ? { fee: reading.fee, feeStatus: 'final' as const } : {}),
        ...(reading.errorCode !== undefined ? { errorCode: reading.errorCode, errorMessage: reading.errorMessage ?? null } : {}),
        ...(reading.applyNo !== undefined ? { applyNo: reading.applyNo, inFlightSince: null, submittedAt: t.submittedAt ?? now } : {}),
        ...(reading.bankResultCode !== undefined ? { bankResultCode: reading.bankResultCode } : {}),
        ...(reading.settlement ? { settlementDate: reading.settlement.settlementDate, settlementNote: reading.settlement.note } : {}),
        completedAt,
        pollCount,
        nextPollAt: nextPollAt(now, reading.status, pollCount, completedAt),
      },
      { touch: progressed },
    );
  }

  /** A transfer the bank shows only inexactly, past the bank's key window: a human decides. */
  flagged(t: Transfer, code: string, message: string): Promise<Transfer> {
    const now = this.clock.now();
    return this.write(t, {
      errorCode: code,
      errorMessage: message,
      inFlightSince: null,
      pollCount: t.pollCount + 1,
      nextPollAt: new Date(now.getTime() + backoffSeconds(t.pollCount + 1) * 1000),
    });
  }

  /** Nothing learnt this time (or the look failed): look again later. Not a change of the transfer itself. */
  pushedBack(t: Transfer): Promise<Transfer> {
    const now = this.clock.now();
    const next =
      t.status === 'scheduled' || t.status === 'completed'
        ? nextPollAt(now, t.status, t.pollCount + 1, t.completedAt)
        : new Date(now.getTime() + backoffSeconds(t.pollCount + 1) * 1000);
    return this.write(t, { pollCount: t.pollCount + 1, nextPollAt: next }, { touch: false });
  }

  /** The bank may or may not have cancelled (its answer was lost): the poller reads the outcome now. */
  cancelRequested(t: Transfer): Promise<Transfer> {
    const now = this.clock.now();
    return this.write(t, { cancelRequestedAt: now, nextPollAt: now });
  }

  cancelled(t: Transfer): Promise<Transfer> {
    return this.write(t, { status: 'cancelled', bankStatus: '8', cancelRequestedAt: this.clock.now(), nextPollAt: null });
  }

  /** Announces, once, a transfer whose outcome is still unknown after the threshold (or flagged): a human should look. */
  async outcomeStillUnknown(t: Transfer): Promise<void> {
    if (await this.events.hasEvent('transfer.outcome_unknown', t.id)) return;
    await this.db.transaction((em) => this.announce(em, t, 'transfer.outcome_unknown'));
  }

  /**
   * Every write: the state machine's check, the environment filter, and in the same transaction the
   * webhook event a status change causes (so neither can happen without the other).
   */
  private async write(t: Transfer, changes: Partial<Transfer>, options: { touch?: boolean } = {}): Promise<Transfer> {
    if (changes.status && !canMove(t.status, changes.status)) throw new IllegalTransitionError(t.id, t.status, changes.status);
    const set = options.touch === false ? changes : { ...changes, updatedAt: this.clock.now() };
    const next = Object.assign(new Transfer(), t, set);
    const event = changes.status && changes.status !== t.status ? EVENT_OF[changes.status] : undefined;
    // optimistic: only over the status this change was decided on, so a stale copy can never regress it
    const update = async (em: EntityManager) => {
      const changed = await updateRows(em, Transfer, { id: t.id, environment: this.environment, status: t.status }, set);
      if (changed !== 1) throw new TransferChangedError(t.id);
    };
    if (!event) {
      await this.db.single(update);
      return next;
    }
    await this.db.transaction(async (em) => {
      await update(em);
      await this.announce(em, next, event);
    });
    return next;
  }

  private async announce(em: EntityManager, t: Transfer, type: EventType): Promise<void> {
    await this.events.record(em, { type, companyId: t.companyId, resourceId: t.id, data: maskedTransferView(t) });
  }
}

