import { In, LessThanOrEqual, Not, type EntityManager } from 'typeorm';
import type { Clock } from '../clock';
import { afterCreatedAtCursor, encodeCreatedAtCursor } from '../db/createdAtCursor';
import type { Database } from '../db/database';
import { isUniqueViolation } from '../db/errors';
import { countByStatus, type StatusCount } from '../db/statusCounts';
import { DomainError } from '../domain/errors';
import { backoffSeconds, POLL } from '../transfers/pollPolicy';
import { firstOutcome } from '../transfers/lifecycle';
import type { EventSink, EventType } from '../webhooks/events';
import { BulkTransfer } from './bulkTransfer.entity';
import { BulkTransferItem } from './bulkTransferItem.entity';
import type { BulkListQuery, ItemsQuery } from './contract';
import { BulkTransferNotFoundError } from './errors';
import { BULK_SETTLED, canMoveBulk, canMoveItem, ITEM_STATUSES, itemStatusForBatch, type BulkStatus, type ItemStatus } from './lifecycle';
import { itemCounts, maskedBulkItemView, maskedBulkTransferView, type ItemCounts } from './views';

/** The batch changed under us (another instance moved it first): decide again from a fresh read. */
export class BulkTransferChangedError extends DomainError {
  constructor(readonly bulkTransferId: string) {
    super('The bulk transfer changed while this request was being handled; try again.');
  }
}

class IllegalBulkTransitionError extends Error {
  constructor(id: string, from: BulkStatus, to: BulkStatus) {
    super(`bulk transfer ${id} cannot move from ${from} to ${to}`);
    this.name = 'IllegalBulkTransitionError';
  }
}

/** The webhook a move of the batch into each status announces. */
const EVENT_OF: Partial<Record<BulkStatus, EventType>> = {
  submitted: 'bulk_transfer.submitted',
  completed: 'bulk_transfer.completed',
  completed_with_exceptions: 'bulk_transfer.completed',
  failed: 'bulk_transfer.failed',
  cancelled: 'bulk_transfer.cancelled',
};

/** The webhook an item's move announces (the rest are visible on the batch and its items). */
const ITEM_EVENT_OF: Partial<Record<ItemStatus, EventType>> = { failed: 'bulk_transfer.item_failed', returned: 'bulk_transfer.item_returned' };

/** What /bulktransfer/status says of the batch, in our terms. */
export interface BulkReading {
  status: BulkStatus;
  bankStatus: string;
  fee?: number;
  settlementDate?: string;
  settlementNote?: string;
  errorCode?: string | null;
  errorMessage?: string | null;
  applyNo?: string;
  bankResultCode?: string;
}

/** What the bank's item details say of one item, when it differs from what is stored. */
export interface ItemChange {
  itemNo: number;
  status: ItemStatus;
  bankDetailStatus: string | null;
  errorCode: string | null;
  errorMessage: string | null;
  returnedOn: string | null;
}

// rows per INSERT: well under SQLite's and MySQL's placeholder limits (18 columns × 500)
const INSERT_CHUNK = 500;
const UPDATE_CHUNK = 500;

/**
 * The only writer of `bulk_transfers` and `bulk_transfer_items`. Every batch change is a named state change
 * the state machine allows, made only over the status it was decided on, with the items it implies and its
 * webhook events in the same transaction.
 */
export class BulkTransferStore {
  constructor(
    private readonly db: Database,
    private readonly clock: Clock,
    private readonly environment: string,
    private readonly events: EventSink,
  ) {}

  // ---- reads

  byKey(companyId: string, idempotencyKey: string): Promise<BulkTransfer | null> {
    return this.db.manager.findOneBy(BulkTransfer, { environment: this.environment, companyId, idempotencyKey });
  }

  async get(companyId: string, id: string): Promise<BulkTransfer> {
    const b = await this.db.manager.findOneBy(BulkTransfer, { environment: this.environment, companyId, id });
    if (!b) throw new BulkTransferNotFoundError();
    return b;
  }

  byId(id: string): Promise<BulkTransfer | null> {
    return this.db.manager.findOneBy(BulkTransfer, { environment: this.environment, id });
  }

  due(limit: number): Promise<BulkTransfer[]> {
    return this.db.manager.find(BulkTransfer, {
      where: { environment: this.environment, nextPollAt: LessThanOrEqual(this.clock.now()) },
      order: { nextPollAt: 'ASC' },
      take: limit,
    });
  }

  /** Every item of a batch, in item order (what is sent to the bank). */
  allItems(bulkTransferId: string): Promise<BulkTransferItem[]> {
    return this.db.manager.find(BulkTransferItem, { where: { bulkTransferId }, order: { itemNo: 'ASC' } });
  }

  async items(b: BulkTransfer, q: ItemsQuery): Promise<{ items: BulkTransferItem[]; nextCursor: string | null }> {
    const qb = this.db.manager.createQueryBuilder(BulkTransferItem, 'i').where('i.bulkTransferId = :id', { id: b.id });
    if (q.status) qb.andWhere('i.status = :status', { status: q.status });
    if (q.cursor) qb.andWhere('i.itemNo > :after', { after: Number(q.cursor) });
    const rows = await qb.orderBy('i.itemNo', 'ASC').take(q.limit + 1).getMany();
    const items = rows.slice(0, q.limit);
    return { items, nextCursor: rows.length > q.limit ? String(items[items.length - 1].itemNo) : null };
  }

  async itemCounts(bulkTransferId: string, em: EntityManager = this.db.manager): Promise<ItemCounts> {
    return (await this.itemCountsOf([bulkTransferId], em)).get(bulkTransferId)!;
  }

  /** The item counts of several batches (a page of the list) in one GROUP BY. */
  async itemCountsOf(bulkTransferIds: string[], em: EntityManager = this.db.manager): Promise<Map<string, ItemCounts>> {
    const rows =
      bulkTransferIds.length === 0
        ? []
        : await em
            .createQueryBuilder(BulkTransferItem, 'i')
            .select('i.bulkTransferId', 'id')
            .addSelect('i.status', 'status')
            .addSelect('COUNT(*)', 'n')
            .where('i.bulkTransferId IN (:...ids)', { ids: bulkTransferIds })
            .groupBy('i.bulkTransferId')
            .addGroupBy('i.status')
            .getRawMany<{ id: string; status: string; n: string | number }>();
    return new Map(bulkTransferIds.map((id) => [id, itemCounts(rows.filter((r) => r.id === id).map((r) => ({ status: r.status, n: Number(r.n) })))]));
  }

  async list(companyId: string, q: BulkListQuery): Promise<{ items: BulkTransfer[]; nextCursor: string | null }> {
    const qb = this.db.manager
      .createQueryBuilder(BulkTransfer, 'b')
      .where('b.environment = :env AND b.companyId = :companyId', { env: this.environment, companyId });
    if (q.status) qb.andWhere('b.status = :status', { status: q.status });
    if (q.from) qb.andWhere('b.createdAt >= :from', { from: q.from });
    if (q.to) qb.andWhere('b.createdAt < :to', { to: q.to });
    if (q.idempotencyKey) qb.andWhere('b.idempotencyKey = :key', { key: q.idempotencyKey });
    if (q.cursor) afterCreatedAtCursor(qb, 'b', q.cursor);
    const rows = await qb.orderBy('b.createdAt', 'DESC').addOrderBy('b.id', 'DESC').take(q.limit + 1).getMany();
    const items = rows.slice(0, q.limit);
    const last = items[items.length - 1];
    return { items, nextCursor: rows.length > q.limit && last ? encodeCreatedAtCursor(last) : null };
  }

  /** Of these applyNos of an account, the ones another batch already holds. */
  async heldApplyNos(b: BulkTransfer, applyNos: string[]): Promise<Set<string>> {
    if (applyNos.length === 0) return new Set();
    const rows = await this.db.manager.find(BulkTransfer, {
      select: { applyNo: true },
      where: { environment: this.environment, accountId: b.accountId, applyNo: In(applyNos), id: Not(b.id) },
    });
    return new Set(rows.map((r) => r.applyNo!));
  }

  /** A company's bulk transfers created in [from, to), oldest first (the payout report's day). */
  createdBetween(companyId: string, from: Date, to: Date): Promise<BulkTransfer[]> {
    return this.db.manager
      .createQueryBuilder(BulkTransfer, 'b')
      .where('b.environment = :env AND b.companyId = :companyId', { env: this.environment, companyId })
      .andWhere('b.createdAt >= :from AND b.createdAt < :to', { from, to })
      .orderBy('b.createdAt', 'ASC')
      .addOrderBy('b.id', 'ASC')
      .getMany();
  }

  /**
   * The batches of one account the bank settled between two JST dates (inclusive), each with what it
   * debited in its one 出金 row: the items it paid (a returned item was paid first, then credited back).
   * A batch with failures whose items are not read yet is left out: its debit is not known.
   */
  async settledBetween(companyId: string, accountId: string, from: string, to: string): Promise<Array<{ batch: BulkTransfer; debited: number }>> {
    const batches = await this.db.manager
      .createQueryBuilder(BulkTransfer, 'b')
      .where('b.environment = :env AND b.companyId = :companyId AND b.accountId = :accountId', { env: this.environment, companyId, accountId })
      .andWhere('b.status IN (:...settled)', { settled: [...BULK_SETTLED] })
      .andWhere('b.settlementDate BETWEEN :from AND :to', { from, to })
      .getMany();
    const read = batches.filter((b) => b.itemsReadAt !== null);
    const paid = new Map<string, number>();
    if (read.length > 0) {
      const sums = await this.db.manager
        .createQueryBuilder(BulkTransferItem, 'i')
        .select('i.bulkTransferId', 'id')
        .addSelect('SUM(i.amount)', 'paid')
        .where('i.bulkTransferId IN (:...ids) AND i.status IN (:...debited)', { ids: read.map((b) => b.id), debited: ['completed', 'returning', 'returned'] })
        .groupBy('i.bulkTransferId')
        .getRawMany<{ id: string; paid: string | number }>();
      for (const r of sums) paid.set(r.id, Number(r.paid));
    }
    return batches.flatMap((batch) => {
      if (batch.itemsReadAt !== null) return [{ batch, debited: paid.get(batch.id) ?? 0 }];
      return batch.status === 'completed' ? [{ batch, debited: batch.totalAmount }] : [];
    });
  }

  /** For /metrics: rows by status, with the oldest of each (read only). */
  countByStatus(): Promise<StatusCount[]> {
    return countByStatus(this.db, BulkTransfer, this.environment);
  }

  // ---- named state changes

  /** The batch and all its items in one transaction, committed in flight before the bank is called. */
  async insert(b: BulkTransfer, items: BulkTransferItem[]): Promise<BulkTransfer | 'duplicate'> {
    try {
      await this.db.transaction(async (em) => {
        await em.insert(BulkTransfer, { ...b, environment: this.environment });
        for (let i = 0; i < items.length; i += INSERT_CHUNK) await em.insert(BulkTransferItem, items.slice(i, i + INSERT_CHUNK));
      });
      return b;
    } catch (err) {
      if (isUniqueViolation(err)) return 'duplicate';
      throw err;
    }
  }

  /** Marks the batch in flight, only if nobody else is sending it; the claimed batch as it now is, or undefined. */
  async claimForSending(b: BulkTransfer): Promise<BulkTransfer | undefined> {
    const now = this.clock.now();
    // in the write queue: on SQLite's one shared connection a bare statement would join whichever transaction is open
    const claimed = await this.db.single((em) =>
      em
        .createQueryBuilder()
        .update(BulkTransfer)
        .set({ inFlightSince: now, lastAttemptAt: now, attempts: () => 'attempts + 1' })
        .where('id = :id AND environment = :env AND inFlightSince IS NULL AND status IN (:...open)', { id: b.id, env: this.environment, open: ['pending', 'unknown'] })
        .execute(),
    );
    if ((claimed.affected ?? 0) !== 1) return undefined;
    return (await this.byId(b.id)) ?? undefined;
  }

  releaseStaleClaim(b: BulkTransfer): Promise<BulkTransfer> {
    return this.write(b, { inFlightSince: null, status: 'unknown' });
  }

  accepted(b: BulkTransfer, answer: { applyNo: string; resultCode: string }): Promise<BulkTransfer> {
    const now = this.clock.now();
    return this.write(b, {
      status: 'submitted',
      applyNo: answer.applyNo,
      bankResultCode: answer.resultCode,
      inFlightSince: null,
      submittedAt: now,
      errorCode: null,
      errorMessage: null,
      errorDetails: null,
      submissionOutcome: firstOutcome(b, 'accepted'),
      pollCount: 0,
      nextPollAt: new Date(now.getTime() + POLL.firstLookSeconds * 1000),
    });
  }

  feeQuoted(b: BulkTransfer, fee: number): Promise<BulkTransfer> {
    return this.write(b, { fee, feeStatus: 'quoted' }, { touch: false });
  }

  refused(b: BulkTransfer, error: { code: string; message: string; details?: unknown[] }): Promise<BulkTransfer> {
    return this.write(b, {
      status: 'failed',
      errorCode: error.code,
      errorMessage: error.message,
      errorDetails: error.details ? JSON.stringify(error.details) : null,
      inFlightSince: null,
      nextPollAt: null,
      submissionOutcome: firstOutcome(b, 'refused'),
    });
  }

  deferred(b: BulkTransfer): Promise<BulkTransfer> {
    const now = this.clock.now();
    return this.write(b, {
      status: b.status === 'unknown' ? 'unknown' : 'pending',
      inFlightSince: null,
      pollCount: b.pollCount + 1,
      nextPollAt: new Date(now.getTime() + backoffSeconds(b.pollCount) * 1000),
      submissionOutcome: firstOutcome(b, 'deferred'),
    });
  }

  outcomeUnknown(b: BulkTransfer): Promise<BulkTransfer> {
    const now = this.clock.now();
    return this.write(b, {
      status: 'unknown',
      inFlightSince: null,
      pollCount: 0,
      nextPollAt: new Date(now.getTime() + backoffSeconds(0) * 1000),
      submissionOutcome: firstOutcome(b, 'outcome_unknown'),
    });
  }

  /** What the bank's status shows of the batch; `progressed` false when nothing changed (the backoff grows). */
  followed(b: BulkTransfer, reading: BulkReading, progressed: boolean): Promise<BulkTransfer> {
    const now = this.clock.now();
    const pollCount = progressed ? 0 : b.pollCount + 1;
    const completedAt = BULK_SETTLED.has(reading.status) && !b.completedAt ? now : b.completedAt;
    return this.write(
      b,
      {
        status: reading.status,
        bankStatus: reading.bankStatus,
        ...(reading.fee !== undefined ? { fee: reading.fee, feeStatus: 'final' as const } : {}),
        ...(reading.settlementDate !== undefined ? { settlementDate: reading.settlementDate, settlementNote: reading.settlementNote ?? b.settlementNote } : {}),
        ...(reading.errorCode !== undefined ? { errorCode: reading.errorCode, errorMessage: reading.errorMessage ?? null } : {}),
        ...(reading.applyNo !== undefined ? { applyNo: reading.applyNo, inFlightSince: null, submittedAt: b.submittedAt ?? now } : {}),
        ...(reading.bankResultCode !== undefined ? { bankResultCode: reading.bankResultCode } : {}),
        completedAt,
        pollCount,
        nextPollAt: nextBulkPollAt(now, reading.status, pollCount, completedAt, b.itemsReadAt),
      },
      { touch: progressed },
    );
  }

  /**
   * The bank's item details, read in full: the items whose state changed, and the batch marked as read.
   * Items are updated by groups of the same outcome, a bounded number of statements for 9,999 items.
   */
  async itemsRead(b: BulkTransfer, changes: ItemChange[]): Promise<BulkTransfer> {
    const now = this.clock.now();
    const next = Object.assign(new BulkTransfer(), b, { itemsReadAt: now, nextPollAt: nextBulkPollAt(now, b.status, b.pollCount, b.completedAt, now) });
    await this.db.transaction(async (em) => {
      const result = await em.update(BulkTransfer, { id: b.id, environment: this.environment, status: b.status }, { itemsReadAt: now, nextPollAt: next.nextPollAt });
      if ((result.affected ?? 0) !== 1) throw new BulkTransferChangedError(b.id);
      const groups = new Map<string, ItemChange[]>();
      for (const c of changes) {
        const key = JSON.stringify([c.status, c.bankDetailStatus, c.errorCode, c.errorMessage, c.returnedOn]);
        const group = groups.get(key);
        if (group) group.push(c);
        else groups.set(key, [c]);
      }
      for (const group of groups.values()) {
        const { status, bankDetailStatus, errorCode, errorMessage, returnedOn } = group[0];
        for (let i = 0; i < group.length; i += UPDATE_CHUNK) {
          const itemNos = group.slice(i, i + UPDATE_CHUNK).map((c) => c.itemNo);
          // only items that may still move there: a concurrent poll's stale page never regresses an item
          await em.update(
            BulkTransferItem,
            { bulkTransferId: b.id, itemNo: In(itemNos), status: In(ITEM_STATUSES.filter((from) => canMoveItem(from, status))) },
            { status, bankDetailStatus, errorCode, errorMessage, returnedOn, updatedAt: now },
          );
        }
      }
      const announced = changes.filter((c) => ITEM_EVENT_OF[c.status]);
      if (announced.length > 0) {
        const rows = await em.find(BulkTransferItem, { where: { bulkTransferId: b.id, itemNo: In(announced.map((c) => c.itemNo)) } });
        for (const item of rows) {
          await this.events.record(em, { type: ITEM_EVENT_OF[item.status]!, companyId: b.companyId, resourceId: `${b.id}:${item.itemNo}`, data: maskedBulkItemView(item) });
        }
      }
    });
    return next;
  }

  flagged(b: BulkTransfer, code: string, message: string): Promise<BulkTransfer> {
    const now = this.clock.now();
    return this.write(b, {
      errorCode: code,
      errorMessage: message,
      inFlightSince: null,
      pollCount: b.pollCount + 1,
      nextPollAt: new Date(now.getTime() + backoffSeconds(b.pollCount + 1) * 1000),
    });
  }

  pushedBack(b: BulkTransfer): Promise<BulkTransfer> {
    const now = this.clock.now();
    return this.write(b, { pollCount: b.pollCount + 1, nextPollAt: nextBulkPollAt(now, b.status, b.pollCount + 1, b.completedAt, b.itemsReadAt) }, { touch: false });
  }

  cancelRequested(b: BulkTransfer): Promise<BulkTransfer> {
    const now = this.clock.now();
    return this.write(b, { cancelRequestedAt: now, nextPollAt: now });
  }

  cancelled(b: BulkTransfer): Promise<BulkTransfer> {
    return this.write(b, { status: 'cancelled', bankStatus: '8', cancelRequestedAt: this.clock.now(), nextPollAt: null });
  }

  /** Announces, once, a batch whose outcome is still unknown after the threshold (or flagged). */
  async outcomeStillUnknown(b: BulkTransfer): Promise<void> {
    if (await this.events.hasEvent('bulk_transfer.outcome_unknown', b.id)) return;
    await this.db.transaction(async (em) => this.announce(em, b, 'bulk_transfer.outcome_unknown'));
  }

  /**
   * Every batch write: the state machine's check, the environment filter, the status it was decided on;
   * in the same transaction the items a batch status implies (submitted, failed, cancelled) and the event.
   */
  private async write(b: BulkTransfer, changes: Partial<BulkTransfer>, options: { touch?: boolean } = {}): Promise<BulkTransfer> {
    if (changes.status && !canMoveBulk(b.status, changes.status)) throw new IllegalBulkTransitionError(b.id, b.status, changes.status);
    const now = this.clock.now();
    const set = options.touch === false ? changes : { ...changes, updatedAt: now };
    const next = Object.assign(new BulkTransfer(), b, set);
    const moved = changes.status !== undefined && changes.status !== b.status;
    const event = moved ? EVENT_OF[changes.status!] : undefined;
    const itemStatus = moved ? itemStatusForBatch(changes.status!) : undefined;
    await this.db.transaction(async (em) => {
      const result = await em.update(BulkTransfer, { id: b.id, environment: this.environment, status: b.status }, set);
      if ((result.affected ?? 0) !== 1) throw new BulkTransferChangedError(b.id);
      if (itemStatus) {
        // items the bank has not itemised follow the batch; an item with its own result keeps it
        const open: ItemStatus[] = ['pending', 'submitted'];
        await em.update(BulkTransferItem, { bulkTransferId: b.id, status: In(open.filter((s) => s !== itemStatus)) }, { status: itemStatus, updatedAt: now });
      }
      if (event) await this.announce(em, next, event);
    });
    return next;
  }

  private async announce(em: EntityManager, b: BulkTransfer, type: EventType): Promise<void> {
    await this.events.record(em, { type, companyId: b.companyId, resourceId: b.id, data: maskedBulkTransferView(b, await this.itemCounts(b.id, em)) });
  }
}


/**
 * When to look at a batch again: like a transfer, and once the bank settled it, soon while its items are
 * not read yet (they come about 10 minutes after the request), then the long watch for returns (資金返却).
 */
export function nextBulkPollAt(now: Date, status: BulkStatus, pollCount: number, completedAt: Date | null, itemsReadAt: Date | null): Date | null {
  const at = (seconds: number) => new Date(now.getTime() + seconds * 1000);
  switch (status) {
    case 'failed':
    case 'cancelled':
      return null;
    case 'completed':
    case 'completed_with_exceptions': {
      if (!itemsReadAt) return at(backoffSeconds(pollCount));
      const watchUntil = (completedAt ?? now).getTime() + POLL.completedWatchDays * 86_400_000;
      return now.getTime() >= watchUntil ? null : at(POLL.completedWatchSeconds);
    }
    case 'scheduled':
      return at(POLL.scheduledSeconds);
    default:
      return at(backoffSeconds(pollCount));
  }
}
