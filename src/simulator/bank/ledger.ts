import { jstDate, jstStamp } from '../jst';
import { SEED_USERS, type SeedAccount } from '../seed';

/** Who sent the money of an incoming 振込: what 振込入金明細 (PaymentArrival) and the VA statements show. */
export interface Arrival {
  applicantName: string;
  paymentBankName: string;
  paymentBranchName: string;
  ediInfo?: string;
  /** set when it was paid into a virtual account of this account */
  vaId?: string;
}

export interface LedgerRow {
  transactionDate: string;
  valueDate: string;
  transactionType: '1' | '2';
  amount: number;
  remarks: string;
  /** balance after this row */
  balance: number;
  itemKey: string;
  arrival?: Arrival;
}

interface Book {
  account: SeedAccount;
  ownerId: string;
  rows: LedgerRow[];
}

/** Balances are never stored: they are the opening balance plus the rows, so they cannot drift. */
export class Ledger {
  private readonly books = new Map<string, Book>();
  /** branch code + account number → accountId: where a transfer to GMO Aozora lands */
  private readonly byNumber = new Map<string, string>();
  private lastItemKey = 0n;

  constructor() {
    for (const user of SEED_USERS) {
      for (const account of user.accounts) {
        this.books.set(account.accountId, { account, ownerId: user.id, rows: [] });
        this.byNumber.set(`${account.branchCode}${account.accountNumber}`, account.accountId);
      }
    }
  }

  has(accountId: string): boolean {
    return this.books.has(accountId);
  }

  account(accountId: string): SeedAccount {
    return this.book(accountId).account;
  }

  /** The account a transfer to GMO Aozora with this branch and number reaches, if the bank holds it. */
  accountAt(branchCode: string, accountNumber: string): string | undefined {
    return this.byNumber.get(`${branchCode}${accountNumber}`);
  }

  accountsOf(userId: string): SeedAccount[] {
    return [...this.books.values()].filter((b) => b.ownerId === userId).map((b) => b.account);
  }

  /** The account when it belongs to this user; someone else's account is as unknown as a missing one. */
  ownedAccount(userId: string, accountId: string): SeedAccount | undefined {
    const book = this.books.get(accountId);
    return book?.ownerId === userId ? book.account : undefined;
  }

  rows(accountId: string): readonly LedgerRow[] {
    return this.book(accountId).rows;
  }

  balance(accountId: string): number {
    const { rows, account } = this.book(accountId);
    return rows.length > 0 ? rows[rows.length - 1].balance : account.openingBalance;
  }

  /** The closing balance of the day before `date` (previousDayBalance, previousMonthBalance). */
  balanceBefore(accountId: string, date: string): number {
    const { rows, account } = this.book(accountId);
    for (let i = rows.length - 1; i >= 0; i--) {
      if (rows[i].transactionDate < date) return rows[i].balance;
    }
    return account.openingBalance;
  }

  post(accountId: string, at: Date, transactionType: '1' | '2', amount: number, remarks: string, arrival?: Arrival): LedgerRow {
    const balance = this.balance(accountId) + (transactionType === '1' ? amount : -amount);
    const date = jstDate(at);
    const row: LedgerRow = { transactionDate: date, valueDate: date, transactionType, amount, remarks, balance, itemKey: this.nextItemKey(at), arrival };
    this.book(accountId).rows.push(row);
    return row;
  }

  /** "明細データtimestamp（μs）": 20 digits, strictly increasing even when the injected clock stands still. */
  private nextItemKey(at: Date): string {
    const candidate = BigInt(`${jstStamp(at)}000`);
    this.lastItemKey = candidate > this.lastItemKey ? candidate : this.lastItemKey + 1n;
    return this.lastItemKey.toString();
  }

  private book(accountId: string): Book {
    const book = this.books.get(accountId);
    if (!book) throw new Error(`unknown account ${accountId}`);
    return book;
  }
}
