import { AuthStore, type TokenFilter } from './auth/store';
import { Bank, type Clock } from './bank/bank';
import type { Deposit } from './bank/deposits';
import type { LedgerRow } from './bank/ledger';
import { STATUS_NAMES, type ItemOutcome, type Transfer, type TransferStatus } from './bank/transfers';
import { FaultQueue, SocketHolds, type FaultContext, type FaultSpec, type QueuedFault } from './faults';
import { resolveConfig, type SimulatorClient, type SimulatorConfig, type SimulatorOptions } from './options';
import { Counters, type StatsSnapshot } from './stats';

const systemClock: Clock = { now: () => new Date() };

/** What /_sim/transfers and /_sim/bulktransfers show of a transfer; amounts are numbers here, unlike the bank's strings. */
export interface TransferSummary {
  applyNo: string;
  accountId: string;
  userId: string;
  companyId?: string;
  status: TransferStatus;
  statusName: string;
  transferDesignatedDate: string;
  remitterName: string;
  /** 総合振込 only */
  transferDataName?: string;
  /** sum of the items */
  amount: number;
  fee: number;
  /** the first item's beneficiary and EDI: the whole story for the usual single-item transfer */
  beneficiary: { bankCode: string; branchCode: string; accountTypeCode: string; accountNumber: string; name: string };
  ediInfo?: string;
  items: Array<{
    itemId: string;
    amount: number;
    fee: number;
    ediInfo?: string;
    beneficiaryBankCode: string;
    beneficiaryBranchCode: string;
    accountTypeCode: string;
    accountNumber: string;
    beneficiaryName: string;
    /** 総合振込 only: an item that failed or came back */
    outcome?: ItemOutcome;
  }>;
  idempotencyKey?: string;
  acceptNo?: string;
  createdAt: string;
}

function summarise(t: Transfer): TransferSummary {
  const [first] = t.items;
  return {
    applyNo: t.applyNo,
    accountId: t.accountId,
    userId: t.userId,
    companyId: t.companyId,
    status: t.status,
    statusName: STATUS_NAMES[t.status],
    transferDesignatedDate: t.designatedDate,
    remitterName: t.remitterName,
    transferDataName: t.transferDataName,
    amount: t.amount,
    fee: t.fee,
    beneficiary: {
      bankCode: first.bankCode,
      branchCode: first.branchCode,
      accountTypeCode: first.accountTypeCode,
      accountNumber: first.accountNumber,
      name: first.beneficiaryName,
    },
    ediInfo: first.ediInfo,
    items: t.items.map((i) => ({
      itemId: i.itemId,
      amount: i.amount,
      fee: i.fee,
      ediInfo: i.ediInfo,
      beneficiaryBankCode: i.bankCode,
      beneficiaryBranchCode: i.branchCode,
      accountTypeCode: i.accountTypeCode,
      accountNumber: i.accountNumber,
      beneficiaryName: i.beneficiaryName,
      outcome: i.outcome,
    })),
    idempotencyKey: t.idempotencyKey,
    acceptNo: t.acceptNo,
    createdAt: t.createdAt.toISOString(),
  };
}

/** What /_sim/…/deposits show of a deposit they made. */
export interface DepositSummary {
  accountId: string;
  vaId?: string;
  itemKey: string;
  transactionDate: string;
  amount: number;
  remarks: string;
}

function depositSummary(accountId: string, row: LedgerRow): DepositSummary {
  const { itemKey, transactionDate, amount, remarks } = row;
  return { accountId, vaId: row.arrival?.vaId, itemKey, transactionDate, amount, remarks };
}

/**
 * Everything the simulator knows, and the control operations /_sim exposes, callable in-process too.
 * Routes always go through `state.auth` / `state.bank` at request time, because reset() replaces them.
 */
export class SimulatorState implements FaultContext {
  readonly clock: Clock;
  readonly clients: readonly SimulatorClient[];
  /** One object shared with the stores, so configure() takes effect everywhere at once. */
  readonly config: SimulatorConfig;
  readonly faults = new FaultQueue();
  readonly holds = new SocketHolds();
  auth!: AuthStore;
  bank!: Bank;
  counters!: Counters;

  constructor(private readonly options: SimulatorOptions) {
    this.clock = options.clock ?? systemClock;
    this.clients = options.clients;
    this.config = resolveConfig(options);
    this.init();
  }

  hangMs(): number {
    return this.config.hangMs;
  }

  log(entry: Record<string, unknown>): void {
    this.options.logger?.(JSON.stringify({ ts: new Date().toISOString(), component: 'gmo-simulator', ...entry }));
  }

  injectFault(spec: FaultSpec): QueuedFault[] {
    this.faults.add(spec);
    return this.faults.list();
  }

  pendingFaults(): QueuedFault[] {
    return this.faults.list();
  }

  clearFaults(): void {
    this.faults.clear();
  }

  /** Makes matching tokens lapse now; companyId omitted = every company. Returns how many were affected. */
  expireTokens(filter: TokenFilter & { kind: 'access' | 'refresh' | 'all' }): number {
    return this.auth.expire(filter, this.clock.now());
  }

  revokeTokens(filter: { companyId?: string } = {}): number {
    return this.auth.revoke(filter);
  }

  configure(patch: Partial<SimulatorConfig>): SimulatorConfig {
    Object.assign(this.config, patch);
    return { ...this.config };
  }

  stats(): StatsSnapshot {
    return this.counters.snapshot({ transferRequests: this.bank.all('transfer').length, bulkTransferRequests: this.bank.all('bulk').length });
  }

  /** 振込 only; 総合振込 are in bulkTransfers() */
  transfers(): TransferSummary[] {
    return this.bank.all('transfer').map(summarise);
  }

  bulkTransfers(): TransferSummary[] {
    return this.bank.all('bulk').map(summarise);
  }

  /** A 振込 or a 総合振込 awaiting approval (manual mode). */
  approveTransfer(applyNo: string): TransferSummary {
    return summarise(this.bank.approve(applyNo));
  }

  /** A status, or with itemIds (総合振込) those items' outcome: see Bank.force. */
  forceTransferStatus(applyNo: string, status: TransferStatus, itemIds?: string[]): TransferSummary {
    return summarise(this.bank.force(applyNo, status, itemIds));
  }

  /** An incoming 振込 from another bank into one of the simulated accounts, `count` times. */
  receiveDeposit(accountId: string, deposit: Deposit, count = 1): DepositSummary[] {
    return this.bank.receive(accountId, deposit, count).map((row) => depositSummary(accountId, row));
  }

  /** An incoming 振込 into a virtual account, credited to its 入金口座, `count` times. */
  depositToVirtualAccount(vaId: string, deposit: Deposit, count = 1): DepositSummary[] {
    const { va, rows } = this.bank.payIntoVirtualAccount(vaId, deposit, count);
    return rows.map((row) => depositSummary(va.raId, row));
  }

  /** Back to the state at creation: seed balances, no tokens or transfers, no faults, the original config. */
  reset(): void {
    Object.assign(this.config, resolveConfig(this.options));
    this.faults.clear();
    this.init();
  }

  private init(): void {
    this.auth = new AuthStore(this.config);
    this.bank = new Bank(this.clock, this.config);
    this.counters = new Counters();
  }
}
