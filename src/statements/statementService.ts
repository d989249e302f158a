import { AccountNotFoundError } from '../accounts/errors';
import type { Bank } from '../bank';
import type { BankPaymentArrival, BankTransaction, StatementPage } from '../bank/statementsApi';
import type { ConnectionStore } from '../connections/connectionStore';
import type { TokenVault } from '../tokens/vault';
import { withAccessToken } from '../tokens/withAccessToken';
import { payingAccount } from '../transfers/draft';
import type { DepositPage, DepositView, StatementQuery, TransactionPage, TransactionView } from './contract';
import { readCursor, writeCursor, type StatementQueryKey } from './cursor';
import { matchRows, type MatchableRow, type PayoutRef, type PayoutSource, type RowMatch } from './matching';

/** A 入出金明細 row, read for matching. */
type Row = MatchableRow & { itemKey: string | null };

/** What a day's statement shows of each payout matched on it (key: `kind:id`). */
export interface DayMatches {
  /** false: the day has more pages than were allowed; nothing is claimed for it */
  complete: boolean;
  pagesRead: number;
  matched: Map<string, { withdrawalItemKey: string | null; feeItemKey: string | null }>;
}

export const payoutKey = (p: PayoutRef) => `${p.kind}:${p.id}`;

function toRow(t: BankTransaction): Row {
  return {
    itemKey: t.itemKey ?? null,
    transactionDate: t.transactionDate,
    type: t.transactionType === '1' ? 'deposit' : 'withdrawal',
    amount: t.amount,
    remarks: t.remarks ?? null,
  };
}

function transactionView(t: BankTransaction, m: RowMatch | null): TransactionView {
  return {
    ...toRow(t),
    valueDate: t.valueDate,
    balance: t.balance,
    transferId: m?.id ?? null,
    payoutKind: m?.kind ?? null,
    matchedAs: m?.as ?? null,
  };
}

function depositView(d: BankPaymentArrival): DepositView {
  return {
    itemKey: d.itemKey,
    transactionDate: d.transactionDate,
    valueDate: d.valueDate,
    type: 'deposit',
    amount: d.amount,
    remarks: d.remarks ?? null,
    applicantName: d.applicantName ?? null,
    paymentBankName: d.paymentBankName ?? null,
    paymentBranchName: d.paymentBranchName ?? null,
    ediInfo: d.ediInfo ?? null,
  };
}

function envelope(key: StatementQueryKey, page: StatementPage<unknown>, openFee: PayoutRef | null) {
  return {
    accountId: key.accountId,
    from: key.from,
    to: key.to,
    asOf: page.asOf,
    nextCursor: page.nextItemKey === null ? null : writeCursor(key, page.nextItemKey, openFee),
  };
}

/**
 * An account's statements, live from the bank through the vault (one refresh on a 401), one bank page per
 * API page, and the payouts of `sources` matched to the rows that are theirs.
 */
export class StatementService {
  constructor(
    private readonly bank: Bank,
    private readonly vault: TokenVault,
    private readonly connections: ConnectionStore,
    private readonly sources: readonly PayoutSource[],
  ) {}

  async transactions(companyId: string, accountId: string, q: StatementQuery): Promise<TransactionPage> {
    const key: StatementQueryKey = { statement: 'transactions', companyId, accountId, from: q.from, to: q.to };
    const { page, openFee } = await this.page(key, q.cursor, (token, nextItemKey) => this.bank.statements.transactions(token, accountId, q.from, q.to, nextItemKey));
    const matched = await this.match(companyId, accountId, page.rows.map(toRow), openFee);
    return { ...envelope(key, page, matched.openFee), items: page.rows.map((t, i) => transactionView(t, matched.matches[i])) };
  }

  async deposits(companyId: string, accountId: string, q: StatementQuery): Promise<DepositPage> {
    const key: StatementQueryKey = { statement: 'deposit-transactions', companyId, accountId, from: q.from, to: q.to };
    const { page } = await this.page(key, q.cursor, (token, nextItemKey) => this.bank.statements.depositTransactions(token, accountId, q.from, q.to, nextItemKey));
    return { ...envelope(key, page, null), items: page.rows.map(depositView) };
  }

  /**
   * One day's whole statement (at most `maxPages` bank pages), matched as one run of rows, so a payout is
   * matched across what would be page boundaries of the API. For the payout report.
   */
  async dayMatches(companyId: string, accountId: string, date: string, maxPages: number): Promise<DayMatches> {
    await this.ownAccount(companyId, accountId);
    const rows: Row[] = [];
    let nextItemKey: string | undefined;
    let pagesRead = 0;
    do {
      if (pagesRead === maxPages) return { complete: false, pagesRead, matched: new Map() };
      const page = await withAccessToken(this.vault, companyId, (token) => this.bank.statements.transactions(token, accountId, date, date, nextItemKey));
      pagesRead++;
      rows.push(...page.rows.map(toRow));
      nextItemKey = page.nextItemKey ?? undefined;
    } while (nextItemKey !== undefined);
    const { matches } = await this.match(companyId, accountId, rows, null);
    const found = new Map<string, { withdrawalItemKey: string | null; feeItemKey: string | null }>();
    matches.forEach((m, i) => {
      if (!m) return;
      const entry = found.get(payoutKey(m)) ?? { withdrawalItemKey: null, feeItemKey: null };
      if (m.as === 'transfer') entry.withdrawalItemKey = rows[i].itemKey;
      else entry.feeItemKey = rows[i].itemKey;
      found.set(payoutKey(m), entry);
    });
    return { complete: true, pagesRead, matched: found };
  }

  /** One bank page of a statement, where the cursor (checked against the query) says; an account of the company only. */
  private async page<R>(key: StatementQueryKey, cursor: string | undefined, read: (token: string, nextItemKey: string | undefined) => Promise<StatementPage<R>>) {
    const at = cursor === undefined ? undefined : readCursor(cursor, key);
    await this.ownAccount(key.companyId, key.accountId);
    const page = await withAccessToken(this.vault, key.companyId, (token) => read(token, at?.nextItemKey));
    return { page, openFee: at?.openFee ?? null };
  }

  /** Only the company's own accounts that have statements (普通預金, yen): a key for A never reads B's. */
  private async ownAccount(companyId: string, accountId: string): Promise<void> {
    const conn = await this.connections.usable(companyId);
    if (!payingAccount(this.connections.accounts(conn), accountId)) throw new AccountNotFoundError();
  }

  private async match(companyId: string, accountId: string, rows: Row[], openFee: PayoutRef | null) {
    const dates = rows.filter((r) => r.type === 'withdrawal').map((r) => r.transactionDate).sort();
    if (dates.length === 0) return { matches: rows.map(() => null), openFee: null };
    const [from, to] = [dates[0], dates[dates.length - 1]];
    const payouts = (await Promise.all(this.sources.map((s) => s.payoutsSettling(companyId, accountId, from, to)))).flat();
    return matchRows(rows, payouts, openFee);
  }
}
