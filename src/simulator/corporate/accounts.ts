import type { Request, Response, Router } from 'express';
import { z } from 'zod';
import type { BalanceFigures } from '../bank/bank';
import type { Arrival, LedgerRow } from '../bank/ledger';
import { operationNotFound } from '../errors';
import { baseDateTime, jstDate } from '../jst';
import { inPeriod, pageFromKey, period } from '../listing';
import { findUser, type SeedAccount } from '../seed';
import { accountIdSchema, dateSchema, digits, optional, parseOrReject, required } from '../validation';
import { ownedAccount, principal, type CorporateContext } from './context';

const ACCOUNT_TYPE_NAMES = { '01': '普通預金（有利息）', '02': '普通預金（決済用）' } as const;
const PRIMARY_ACCOUNT_NAMES = { '1': '代表口座', '2': '追加口座' } as const;
const JPY = { currencyCode: 'JPY', currencyName: '日本円' } as const;

function accountView(a: SeedAccount) {
  return {
    accountId: a.accountId,
    branchCode: a.branchCode,
    branchName: a.branchName,
    accountTypeCode: a.accountTypeCode,
    accountTypeName: ACCOUNT_TYPE_NAMES[a.accountTypeCode],
    accountNumber: a.accountNumber,
    primaryAccountCode: a.primaryAccountCode,
    primaryAccountCodeName: PRIMARY_ACCOUNT_NAMES[a.primaryAccountCode],
    accountName: a.accountName,
    accountNameKana: a.accountNameKana,
    ...JPY,
    transferLimitAmount: String(a.transferLimitAmount),
  };
}

function balanceView(a: SeedAccount, figures: BalanceFigures, now: Date) {
  return {
    accountId: a.accountId,
    accountTypeCode: a.accountTypeCode,
    accountTypeName: ACCOUNT_TYPE_NAMES[a.accountTypeCode],
    balance: String(figures.balance),
    ...baseDateTime(now),
    withdrawableAmount: String(figures.withdrawable),
    previousDayBalance: String(figures.previousDayBalance),
    previousMonthBalance: String(figures.previousMonthBalance),
    ...JPY,
  };
}

function transactionView(row: LedgerRow) {
  return {
    transactionDate: row.transactionDate,
    valueDate: row.valueDate,
    transactionType: row.transactionType,
    amount: String(row.amount),
    remarks: row.remarks,
    balance: String(row.balance),
    itemKey: row.itemKey,
  };
}

/** PaymentArrival: an incoming 振込 ("常に1=入金のみ"). */
function arrivalView(row: LedgerRow, arrival: Arrival) {
  return {
    transactionDate: row.transactionDate,
    valueDate: row.valueDate,
    transactionType: '1',
    remarks: row.remarks,
    amount: String(row.amount),
    applicantName: arrival.applicantName,
    paymentBankName: arrival.paymentBankName,
    paymentBranchName: arrival.paymentBranchName,
    ediInfo: arrival.ediInfo,
    itemKey: row.itemKey,
  };
}

const balancesQuery = z.object({ accountId: optional(accountIdSchema) });

const statementQuery = z.object({
  accountId: required(accountIdSchema),
  dateFrom: optional(dateSchema),
  dateTo: optional(dateSchema),
  nextItemKey: optional(digits(1, 24)),
});

/**
 * /accounts/transactions and /accounts/deposit-transactions: the same query, 対象期間 table and paging over the
 * account's ledger, `pick` choosing the rows. One page, and the response's header fields (`afterAccountId` in the
 * spec's place).
 */
function statementPage(ctx: CorporateContext, req: Request, res: Response, pick: (row: LedgerRow) => boolean, afterAccountId = {}) {
  const { state } = ctx;
  const q = parseOrReject(statementQuery, req.query);
  // sunabar answers 405 WG_ERR_019 unless both dates are sent (observed); production follows the 対象期間 table.
  if (ctx.flavour === 'sunabar' && !(q.dateFrom && q.dateTo)) throw operationNotFound();
  ownedAccount(state, res, q.accountId);
  const now = state.clock.now();
  const range = period(q.dateFrom, q.dateTo, jstDate(now));
  const rows = state.bank.transactions(q.accountId).filter((r) => pick(r) && inPeriod(r.transactionDate, range));
  const listed = pageFromKey(rows, q.nextItemKey, (r) => r.itemKey);
  return {
    rows: listed.items,
    header: {
      accountId: q.accountId,
      ...afterAccountId,
      dateFrom: range.from ?? rows[0]?.transactionDate ?? range.to,
      dateTo: range.to,
      ...baseDateTime(now),
      hasNext: listed.hasNext,
      nextItemKey: listed.nextItemKey,
      count: String(listed.items.length),
    },
  };
}

export function accountRoutes(router: Router, ctx: CorporateContext): void {
  const { state } = ctx;

  router.get('/accounts', ...ctx.guard('accounts', 'private:account'), (_req, res) => {
    res.json({
      ...baseDateTime(state.clock.now()),
      accounts: state.bank.ledger.accountsOf(principal(res).userId).map(accountView),
    });
  });

  router.get('/accounts/balances', ...ctx.guard('balances', 'private:account'), (req, res) => {
    const { accountId } = parseOrReject(balancesQuery, req.query);
    const accounts = accountId ? [ownedAccount(state, res, accountId)] : state.bank.ledger.accountsOf(principal(res).userId);
    const now = state.clock.now();
    res.json({ balances: accounts.map((a) => balanceView(a, state.bank.balances(a.accountId), now)) });
  });

  router.get('/accounts/transactions', ...ctx.guard('transactions', 'private:account'), (req, res) => {
    const { rows, header } = statementPage(ctx, req, res, () => true, JPY);
    res.json({ ...header, transactions: rows.map(transactionView) });
  });

  router.get('/accounts/deposit-transactions', ...ctx.guard('deposit-transactions', 'private:account'), (req, res) => {
    // [O] Personal accounts have no 振込入金明細: the gateway answers as for an unknown operation.
    if (findUser(principal(res).userId)?.kind === 'personal') throw operationNotFound();
    const { rows, header } = statementPage(ctx, req, res, (r) => r.arrival !== undefined);
    res.json({ ...header, paymentArrivals: rows.flatMap((r) => (r.arrival ? [arrivalView(r, r.arrival)] : [])) });
  });
}
