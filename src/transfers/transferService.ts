import { createHash, randomUUID } from 'node:crypto';
import { Brackets } from 'typeorm';
import type { Bank } from '../bank';
import { BankError } from '../bank/errors';
import { jstDate } from '../bank/jst';
import type { Clock } from '../clock';
import type { BankConnection } from '../connections/bankConnection.entity';
import type { ConnectionService } from '../connections/connectionService';
import type { Database } from '../db/database';
import { isUniqueViolation } from '../db/errors';
import { problems } from '../http/problem';
import type { Logger } from '../log';
import { NotConnectedError, ReauthorizationRequiredError } from '../tokens/errors';
import type { TokenVault } from '../tokens/vault';
import { withAccessToken } from '../tokens/withAccessToken';
import { buildDraft, gmoTransferRequest } from './draft';
import { CANCELLABLE_STATUSES } from './lifecycle';
import { POLL } from './pollPolicy';
import type { TransferReconciler } from './reconciler';
import { ourReference } from './reference';
import type { ListQuery, TransferBody } from './requestSchema';
import type { TransferSubmitter } from './submitter';
import { Transfer } from './transfer.entity';
import { maskedTransferView } from './transferView';

export interface CreateResult {
  transfer: Transfer;
  httpStatus: number;
  replayed: boolean;
}

/** Stable across key order, so a resend of the same JSON body always hashes the same. */
function requestHash(body: TransferBody): string {
  const canonical = (v: unknown): unknown =>
    v && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => a.localeCompare(b)).map(([k, x]) => [k, canonical(x)]))
      : v;
  return createHash('sha256').update(JSON.stringify(canonical(body))).digest('hex');
}

/** Decides everything about payouts; routes only parse and authorise. */
export class TransferService {
  private readonly inflight = new Map<string, Promise<Transfer>>();

  constructor(
    private readonly db: Database,
    private readonly bank: Bank,
    private readonly vault: TokenVault,
    private readonly connections: ConnectionService,
    private readonly submitter: TransferSubmitter,
    private readonly reconciler: TransferReconciler,
    private readonly clock: Clock,
    private readonly log: Logger,
    private readonly environment: string,
  ) {}

  private async connected(companyId: string): Promise<BankConnection> {
    const conn = await this.connections.find(companyId);
    if (!conn || conn.status === 'disconnected') throw new NotConnectedError(companyId);
    if (conn.status === 'reauthorization_required') throw new ReauthorizationRequiredError(companyId, conn.statusReason ?? '');
    return conn;
  }

  private findByKey(companyId: string, idempotencyKey: string): Promise<Transfer | null> {
    return this.db.manager.findOneBy(Transfer, { environment: this.environment, companyId, idempotencyKey });
  }

  async get(companyId: string, id: string): Promise<Transfer> {
    const t = await this.db.manager.findOneBy(Transfer, { environment: this.environment, companyId, id });
    if (!t) throw problems.notFound('No such transfer for this company.');
    return t;
  }

  async create(companyId: string, idempotencyKey: string, body: TransferBody, createdByKeyId: string | null = null): Promise<CreateResult> {
    const hash = requestHash(body);
    const existing = await this.findByKey(companyId, idempotencyKey);
    if (existing) return this.replay(existing, hash);

    const conn = await this.connected(companyId);
    const now = this.clock.now();
    const draft = buildDraft(body, this.connections.accounts(conn), jstDate(now));
    // a connection that cannot give a token (or a token endpoint that is down) is answered now, before anything is stored
    await this.vault.accessToken(companyId);

    const id = randomUUID();
    const row = Object.assign(new Transfer(), {
      ...draft,
      id,
      environment: this.environment,
      companyId,
      idempotencyKey,
      requestHash: hash,
      createdByKeyId,
      fee: null,
      ediInfo: draft.ediInfo ?? ourReference(id),
      status: 'pending' as const,
      bankStatus: null,
      bankResultCode: null,
      applyNo: null,
      errorCode: null,
      errorMessage: null,
      errorDetails: null,
      firstResponseStatus: 0,
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
    try {
      await this.db.transaction((em) => em.insert(Transfer, row));
    } catch (err) {
      if (!isUniqueViolation(err)) throw err;
      const winner = await this.findByKey(companyId, idempotencyKey);
      if (!winner) throw err;
      return this.replay(winner, hash);
    }
    this.log.info('transfer stored; submitting', { transferId: id, companyId, amount: draft.amount, apiKeyId: createdByKeyId });

    const flight = this.submit(row);
    this.inflight.set(id, flight);
    try {
      const transfer = await flight;
      return { transfer, httpStatus: transfer.firstResponseStatus || 202, replayed: false };
    } finally {
      this.inflight.delete(id);
    }
  }

  /** Whatever goes wrong after the row exists, the caller gets the row (202), never a 5xx. */
  private async submit(row: Transfer): Promise<Transfer> {
    try {
      return await this.submitter.send(row);
    } catch (err) {
      this.log.error('transfer submission crashed; the poller will reconcile it', { transferId: row.id, err });
      return (await this.db.manager.findOneBy(Transfer, { id: row.id })) ?? row;
    }
  }

  /**
   * Same key: same body → the same transfer and the first answer's status; another body → 422.
   * Still being sent by this process → wait for it; by another instance → 409 until it is answered.
   */
  private async replay(existing: Transfer, hash: string): Promise<CreateResult> {
    if (existing.requestHash !== hash) {
      throw problems.unprocessable('idempotency-key-reused', 'This Idempotency-Key was already used with a different request body.');
    }
    const flight = this.inflight.get(existing.id);
    if (flight) await flight.catch(() => undefined);
    const transfer = flight ? await this.db.manager.findOneByOrFail(Transfer, { id: existing.id }) : existing;
    if (transfer.firstResponseStatus === 0 && transfer.inFlightSince) {
      const age = this.clock.now().getTime() - transfer.inFlightSince.getTime();
      if (age < POLL.inFlightGraceSeconds * 1000) {
        throw problems
          .conflict('request-in-flight', 'A request with this Idempotency-Key is still being processed; retry shortly.', { transferId: transfer.id })
          .retryAfter(2);
      }
    }
    return { transfer, httpStatus: transfer.firstResponseStatus || 202, replayed: true };
  }

  async feeQuote(companyId: string, body: TransferBody): Promise<{ fee: number; totalDebit: number; accountId: string }> {
    const conn = await this.connected(companyId);
    const draft = buildDraft(body, this.connections.accounts(conn), jstDate(this.clock.now()));
    try {
      const { totalFee } = await withAccessToken(this.vault, companyId, (token) =>
        this.bank.transfers.fee(token, gmoTransferRequest(draft, draft.ediInfo ?? 'FEEQUOTE')),
      );
      return { fee: totalFee, totalDebit: draft.amount + totalFee, accountId: draft.accountId };
    } catch (err) {
      if (err instanceof BankError && err.kind === 'rejected') {
        const details = err.options.details ?? [];
        throw problems.unprocessable(
          'bank-validation-error',
          err.options.errorMessage ?? 'The bank refused the transfer as described.',
          details.length > 0
            ? details.map((d) => ({ field: d.itemId ? 'beneficiary' : 'transfer', reason: `${d.code}: ${d.message}` }))
            : [{ field: 'transfer', reason: `${err.options.errorCode ?? 'error'}: ${err.options.errorMessage ?? err.message}` }],
        );
      }
      throw err;
    }
  }

  async list(companyId: string, q: ListQuery): Promise<{ items: Transfer[]; nextCursor: string | null }> {
    const qb = this.db.manager
      .createQueryBuilder(Transfer, 't')
      .where('t.environment = :env AND t.companyId = :companyId', { env: this.environment, companyId });
    if (q.status) qb.andWhere('t.status = :status', { status: q.status });
    if (q.from) qb.andWhere('t.createdAt >= :from', { from: new Date(q.from) });
    if (q.to) qb.andWhere('t.createdAt < :to', { to: new Date(q.to) });
    if (q.idempotencyKey) qb.andWhere('t.idempotencyKey = :key', { key: q.idempotencyKey });
    if (q.cursor) {
      const c = decodeCursor(q.cursor);
      qb.andWhere(new Brackets((w) => w.where('t.createdAt < :cAt', { cAt: c.at }).orWhere('t.createdAt = :cAt AND t.id < :cId', { cAt: c.at, cId: c.id })));
    }
    const rows = await qb.orderBy('t.createdAt', 'DESC').addOrderBy('t.id', 'DESC').take(q.limit + 1).getMany();
    const items = rows.slice(0, q.limit);
    const last = items[items.length - 1];
    return { items, nextCursor: rows.length > q.limit && last ? encodeCursor(last) : null };
  }

  /** Cancels through /transfer/cancel (class 2) after reading the bank's current state. */
  async cancel(companyId: string, id: string): Promise<{ transfer: Transfer; httpStatus: number }> {
    let t = await this.get(companyId, id);
    if (CANCELLABLE_STATUSES.has(t.status) && t.applyNo) {
      await this.reconciler.poll(t);
      t = await this.get(companyId, id);
    }
    if (!CANCELLABLE_STATUSES.has(t.status) || !t.applyNo) {
      throw problems.conflict('transfer-not-cancellable', `A transfer in status "${t.status}" can no longer be cancelled.`, { transfer: maskedTransferView(t) });
    }
    const now = this.clock.now();
    try {
      await withAccessToken(this.vault, companyId, (token) => this.bank.transfers.cancel(token, t.accountId, t.applyNo!));
    } catch (err) {
      if (err instanceof BankError && err.kind === 'rejected') {
        throw problems.conflict('cancel-refused', `The bank refused the cancellation: ${err.options.errorMessage ?? err.message}`, {
          bankErrorCode: err.options.errorCode,
          transfer: maskedTransferView(t),
        });
      }
      if (err instanceof BankError && !err.certainlyNotProcessed) {
        // the cancel may have happened: record the request and let the poller read the outcome
        await this.db.transaction((em) => em.update(Transfer, { id }, { cancelRequestedAt: now, nextPollAt: now, updatedAt: now }));
        return { transfer: await this.get(companyId, id), httpStatus: 202 };
      }
      throw err;
    }
    await this.db.transaction((em) =>
      em.update(Transfer, { id }, { status: 'cancelled', bankStatus: '8', cancelRequestedAt: now, nextPollAt: null, updatedAt: now }),
    );
    this.log.info('transfer cancelled', { transferId: id, companyId });
    return { transfer: await this.get(companyId, id), httpStatus: 200 };
  }
}

function encodeCursor(t: Transfer): string {
  return Buffer.from(JSON.stringify({ at: t.createdAt.toISOString(), id: t.id })).toString('base64url');
}

function decodeCursor(cursor: string): { at: Date; id: string } {
  try {
    const parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    const at = new Date(parsed.at);
    if (typeof parsed.id === 'string' && !Number.isNaN(at.getTime())) return { at, id: parsed.id };
  } catch {
    // fall through
  }
  throw problems.validation([{ field: 'cursor', reason: 'is not a cursor this API returned' }]);
}
