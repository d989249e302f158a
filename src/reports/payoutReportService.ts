import { BankError, BankOAuthError } from '../bank/errors';
import type { Clock } from '../clock';
import { DomainError } from '../domain/errors';
import { maskAccountId, type Logger } from '../log';
import { payoutKey, type DayMatches, type StatementService } from '../statements/statementService';
import { TRANSFER_STATUSES, type TransferStatus } from '../transfers/lifecycle';
import type { PayoutReport, PayoutReportLine } from './contract';
import type { PayoutLine, PayoutLineSource } from './payoutLines';

/** Bank pages of statements one report may read, over all the days its payouts settle on. */
export const STATEMENT_PAGES_PER_REPORT = 20;

const DAY_MS = 86_400_000;

type StatementMatch = PayoutReportLine['statementMatch'];

/** Why a statement could not be read, in a note: an error's kind, never its details (no account, no token). */
function reason(err: DomainError): string {
  if (err instanceof BankError) return `the bank answered ${err.kind}${err.options.errorCode ? ` ${err.options.errorCode}` : ''}`;
  if (err instanceof BankOAuthError) return `the bank's token endpoint answered ${err.kind}`;
  return err.name;
}

/**
 * One JST day's payouts for the shop's accountant: the lines every source created that day, each with its
 * rows in the account's statement where the payout was debited. A statement that cannot be read leaves
 * the lines without a match and a note, never a failed report.
 */
export class PayoutReportService {
  constructor(
    private readonly sources: readonly PayoutLineSource[],
    private readonly statements: StatementService,
    private readonly clock: Clock,
    private readonly log: Logger,
  ) {}

  async day(companyId: string, date: string): Promise<PayoutReport> {
    const from = new Date(`${date}T00:00:00+09:00`);
    const to = new Date(from.getTime() + DAY_MS);
    const lines = (await Promise.all(this.sources.map((s) => s.linesCreatedBetween(companyId, from, to))))
      .flat()
      .sort((a, b) => a.createdAt.localeCompare(b.createdAt) || a.id.localeCompare(b.id));
    const notes: string[] = [];
    const matchOf = await this.statementMatches(companyId, lines, notes);

    const countByStatus = Object.fromEntries(TRANSFER_STATUSES.map((s) => [s, 0])) as Record<TransferStatus, number>;
    let totalAmount = 0;
    let totalFee = 0;
    for (const l of lines) {
      countByStatus[l.status] += 1;
      if (l.debitedAs) {
        totalAmount += l.amount;
        totalFee += l.fee ?? 0;
      }
    }
    return {
      companyId,
      date,
      generatedAt: this.clock.now().toISOString(),
      lines: lines.map(({ debitedAs, ...line }) => ({ ...line, statementMatch: matchOf(debitedAs, line) })),
      totals: { count: lines.length, countByStatus, totalAmount, totalFee, totalDebit: totalAmount + totalFee },
      notes,
    };
  }

  /**
   * Reads the statement of each (account, day) the debited lines settle on, within the page budget. The first
   * failure stops the reading: the bank or the connection is down for the others too.
   */
  private async statementMatches(companyId: string, lines: PayoutLine[], notes: string[]) {
    const days = new Map<string, { accountId: string; date: string }>();
    for (const l of lines) if (l.debitedAs) days.set(`${l.accountId}|${l.settlementDate}`, { accountId: l.accountId, date: l.settlementDate });

    const read = new Map<string, DayMatches>();
    let budget = STATEMENT_PAGES_PER_REPORT;
    for (const [key, { accountId, date }] of days) {
      const where = `account ${maskAccountId(accountId)} on ${date}`;
      if (budget === 0) {
        notes.push(`The statement of ${where} was not read (a report reads at most ${STATEMENT_PAGES_PER_REPORT} pages of statements); statementMatch is null for its payouts.`);
        continue;
      }
      let day: DayMatches;
      try {
        day = await this.statements.dayMatches(companyId, accountId, date, budget);
      } catch (err) {
        if (!(err instanceof DomainError)) throw err;
        this.log.warn('payout report: statement not readable', { companyId, date, err });
        notes.push(`The statements could not be read (${reason(err)}); statementMatch is null for the payouts of the days not read.`);
        break;
      }
      budget -= day.pagesRead;
      if (day.complete) read.set(key, day);
      else notes.push(`The statement of ${where} is longer than the pages left to read (a report reads at most ${STATEMENT_PAGES_PER_REPORT}); statementMatch is null for its payouts.`);
    }

    return (debitedAs: PayoutLine['debitedAs'], line: Pick<PayoutLine, 'accountId' | 'settlementDate'>): StatementMatch => {
      const day = debitedAs ? read.get(`${line.accountId}|${line.settlementDate}`) : undefined;
      if (!debitedAs || !day) return null;
      return day.matched.get(payoutKey(debitedAs)) ?? { withdrawalItemKey: null, feeItemKey: null };
    };
  }
}
