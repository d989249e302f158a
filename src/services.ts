import { randomUUID } from 'node:crypto';
import type { Router } from 'express';
import { AccountService } from './accounts/accountService';
import { accountRoutes } from './accounts/routes';
import { ApiKeyService } from './apiKeys/apiKeyService';
import type { BulkTransfer } from './bulkTransfers/bulkTransfer.entity';
import { BulkTransferService } from './bulkTransfers/bulkTransferService';
import { BulkTransferStore } from './bulkTransfers/bulkTransferStore';
import { BulkReconciler } from './bulkTransfers/reconciler';
import { bulkTransferRoutes } from './bulkTransfers/routes';
import { BulkSubmitter } from './bulkTransfers/submitter';
import { AuditLog } from './audit/auditLog';
import { createBank, type Bank } from './bank';
import { RateLimiter } from './bank/rateLimiter';
import { systemClock, type Clock } from './clock';
import type { Config } from './config';
import { ConnectionService } from './connections/connectionService';
import { ConnectionStore } from './connections/connectionStore';
import { ConsentFlow } from './connections/consentFlow';
import { AppRegistrations } from './registrations/registrations';
import type { Database } from './db/database';
import { JobLeases } from './jobs/lease';
import { InstanceHeartbeat } from './instances/heartbeat';
import { InstanceRegistry } from './instances/instanceRegistry';
import type { JobDefinition } from './jobs/scheduler';
import type { Logger } from './log';
import { Cipher } from './crypto/cipher';
import { createMetrics, type Metrics } from './metrics/registry';
import { registerStoreGauges } from './metrics/storeGauges';
import { Purger } from './purge/purger';
import { BulkItemLines, TransferLines } from './reports/payoutLines';
import { PayoutReportService } from './reports/payoutReportService';
import { reportRoutes } from './reports/routes';
import { statementRoutes } from './statements/routes';
import { StatementService } from './statements/statementService';
import { BulkPayouts } from './statements/bulkPayouts';
import { TransferPayouts } from './statements/transferPayouts';
import { TokenVault } from './tokens/vault';
import { Poller } from './transfers/poller';
import { TransferReconciler, type StatusSnapshot } from './transfers/reconciler';
import { transferRoutes } from './transfers/routes';
import { TransferSubmitter } from './transfers/submitter';
import { TransferService } from './transfers/transferService';
import type { Transfer } from './transfers/transfer.entity';
import { TransferStore } from './transfers/transferStore';
import { WebhookDispatcher } from './webhooks/dispatcher';
import { WebhookEndpoints } from './webhooks/endpoints';
import { Outbox } from './webhooks/outbox';
import { WebhookAdmin } from './webhooks/webhookAdmin';
import { ConnectionExpiryWatch } from './connections/expiryWatch';

export interface Services {
  config: Config;
  db: Database;
  clock: Clock;
  log: Logger;
  bank: Bank;
  cipher: Cipher;
  /** this instance's Prometheus registry (/metrics) and the instruments the services update */
  metrics: Metrics;
  apiKeys: ApiKeyService;
  /** the audit trail (audit_events): every state-changing call records one event here */
  audit: AuditLog;
  registrations: AppRegistrations;
  vault: TokenVault;
  connect: ConsentFlow;
  connections: ConnectionService;
  connectionStore: ConnectionStore;
  transferStore: TransferStore;
  webhookEndpoints: WebhookEndpoints;
  outbox: Outbox;
  dispatcher: WebhookDispatcher;
  webhookAdmin: WebhookAdmin;
  purger: Purger;
  accounts: AccountService;
  /** an account's statements, live from the bank, with our payouts matched */
  statements: StatementService;
  /** one day's payouts for the shop's accountant */
  reports: PayoutReportService;
  transfers: TransferService;
  /** the poller's per-transfer step: brings one transfer up to date with the bank */
  reconciler: TransferReconciler;
  poller: Poller<Transfer, StatusSnapshot>;
  bulkTransferStore: BulkTransferStore;
  bulkTransfers: BulkTransferService;
  /** the bulk poller's per-batch step */
  bulkReconciler: BulkReconciler;
  bulkPoller: Poller<BulkTransfer>;
  leases: JobLeases;
  /** this process's share of BANK_MAX_RPS: join before calling the bank, leave on the way out */
  instances: InstanceHeartbeat;
  jobs: JobDefinition[];
  /** feature routers mounted under /v1/companies/:companyId */
  companyRouters: Router[];
}

interface ServiceOverrides {
  bank?: Bank;
  instanceId?: string;
  sleep?: (ms: number) => Promise<void>;
}

/** The composition root shared by the server, the CLI and the tests. */
export function buildServices(config: Config, db: Database, clock: Clock, log: Logger, overrides: ServiceOverrides = {}): Services {
  const environment = config.bankEnv;
  const instanceId = overrides.instanceId ?? randomUUID();
  // "last success" times are compared with Prometheus' time(): real seconds, whatever clock the service is given
  const metrics = createMetrics(systemClock, () => db.statementsSent);
  // the bank counts real seconds, whatever clock the rest of the service is given
  const limiter = new RateLimiter(config.bank.maxRequestsPerSecond, systemClock);
  const instances = new InstanceHeartbeat(new InstanceRegistry(db, clock, environment, instanceId, config.bank.heartbeatSeconds), limiter, clock, log, {
    maxRequestsPerSecond: config.bank.maxRequestsPerSecond,
    intervalSeconds: config.bank.heartbeatSeconds,
  });
  const bank =
    overrides.bank ??
    createBank({
      authUrl: config.bank.authUrl,
      apiUrl: config.bank.apiUrl,
      browserAuthUrl: config.bank.browserAuthUrl,
      timeoutMs: config.bank.timeoutMs,
      proxy: config.bank.proxy,
      log,
      limiter,
      observer: metrics.instruments.bankCall,
    });
  const cipher = new Cipher(config.keyRing);
  const audit = new AuditLog(db, clock, environment, log);
  const registrations = new AppRegistrations(db, cipher, clock, environment, {
    owner: 'vendor',
    clientId: config.bank.clientId,
    clientSecret: config.bank.clientSecret,
    authMethod: config.bank.clientAuth,
    scopes: config.bank.scopes,
    pkce: config.bank.pkce,
  }, log, audit);
  const leases = new JobLeases(db, clock, instanceId);
  const receiverPolicy = { requireHttps: environment !== 'simulator', allowPrivateNetworks: config.webhooks.allowPrivateNetworks };
  const webhookEndpoints = new WebhookEndpoints(db, cipher, clock, environment, receiverPolicy, config.webhooks.defaultEndpoint, log, config.webhooks.endpointCacheSeconds * 1000);
  const outbox = new Outbox(db, webhookEndpoints, clock, environment);
  const dispatcher = new WebhookDispatcher(outbox, webhookEndpoints, clock, systemClock, log, metrics.instruments, {
    instanceId,
    timeoutMs: config.webhooks.timeoutMs,
    policy: receiverPolicy,
    proxyUrl: config.webhooks.proxyUrl,
  });
  const connectionStore = new ConnectionStore(db, clock, environment, outbox);
  const vault = new TokenVault({
    db,
    cipher,
    clock,
    environment,
    oauth: bank.oauth,
    registrations,
    connections: connectionStore,
    leases,
    log,
    metrics: metrics.instruments,
    refreshMarginSeconds: config.bank.refreshMarginSeconds,
    refreshTokenTtlSeconds: config.bank.refreshTokenTtlSeconds,
    leaseSeconds: Math.ceil((config.bank.timeoutMs * 2) / 1000) + 10,
    sleep: overrides.sleep,
  });
  const connect = new ConsentFlow({
    db,
    connections: connectionStore,
    bank,
    vault,
    registrations,
    cipher,
    clock,
    log,
    audit,
    environment,
    publicBaseUrl: config.publicBaseUrl,
  });
  const connections = new ConnectionService(connectionStore, db, vault, log, audit);
  // 100 rows per DELETE (a short hold of SQLite's write lock, which stalls the service's writes while it lasts),
  // then a rest of 10 ms or as long as the DELETE took, for at most 60 s a run (the default PURGE_CRON runs every
  // 10 minutes): about 7,000 rows a second. Issue 12's bench: 500 rows a DELETE tripled POST p99 during a purge
  const purger = new Purger(db, vault, connect, connectionStore, clock, log, audit, metrics.instruments, {
    batch: 100,
    pauseMs: 10,
    budgetMs: 60_000,
    elapsedMs: () => performance.now(),
    sleep: overrides.sleep ?? ((ms) => new Promise((r) => setTimeout(r, ms))),
  });
  const accounts = new AccountService(bank, vault, connectionStore);
  const transferStore = new TransferStore(db, clock, environment, outbox);
  const submitter = new TransferSubmitter(transferStore, bank, vault, log);
  const reconciler = new TransferReconciler(transferStore, bank, vault, submitter, clock, log, config.webhooks.unknownAfterMinutes * 60_000);
  const transfers = new TransferService(transferStore, bank, vault, connectionStore, submitter, reconciler, clock, log, audit);
  // a pass stops taking batches after 45 s, inside the default one-minute POLL_CRON; the rest is due next tick
  const poller = new Poller({ noun: 'transfer', idField: 'transferId', batch: 500, concurrency: 8, budgetMs: 45_000, metrics: { kind: 'transfers', instruments: metrics.instruments } }, (n) => transferStore.due(n), reconciler, log);
  const bulkTransferStore = new BulkTransferStore(db, clock, environment, outbox);
  const bulkSubmitter = new BulkSubmitter(bulkTransferStore, bank, vault, log);
  const bulkReconciler = new BulkReconciler(bulkTransferStore, bank, vault, bulkSubmitter, clock, log, config.webhooks.unknownAfterMinutes * 60_000);
  const bulkTransfers = new BulkTransferService(bulkTransferStore, bank, vault, connectionStore, bulkSubmitter, bulkReconciler, clock, log, audit);
  // a batch's look may page 20 item pages: fewer batches at a time than transfers
  const bulkPoller = new Poller({ noun: 'bulk transfer', idField: 'bulkTransferId', batch: 50, concurrency: 2, budgetMs: 45_000, metrics: { kind: 'bulk_transfers', instruments: metrics.instruments } }, (n) => bulkTransferStore.due(n), bulkReconciler, log);
  const statements = new StatementService(bank, vault, connectionStore, [new TransferPayouts(transferStore), new BulkPayouts(bulkTransferStore)]);
  const reports = new PayoutReportService([new TransferLines(transferStore), new BulkItemLines(bulkTransferStore)], statements, clock, log);
  const expiryWatch = new ConnectionExpiryWatch(db, connectionStore, clock, log, environment, config.webhooks.connectionExpiringDays);
  registerStoreGauges(metrics.registry, {
    transfers: () => transferStore.countByStatus(),
    bulkTransfers: () => bulkTransferStore.countByStatus(),
    connections: () => connectionStore.countByStatus(),
    nearestRefreshTokenExpiry: () => vault.nearestRefreshTokenExpiry(),
    webhooks: () => outbox.backlog(),
  }, clock, log);
  const jobs: JobDefinition[] = [
    { name: 'purge-expired-tokens', schedule: config.purgeCron, leaseSeconds: 300, run: (stopping) => purger.run(stopping) },
    { name: 'poll-transfers', schedule: config.pollCron, leaseSeconds: 600, run: (stopping) => poller.runOnce(stopping) },
    { name: 'poll-bulk-transfers', schedule: config.pollCron, leaseSeconds: 600, run: (stopping) => bulkPoller.runOnce(stopping) },
    { name: 'refresh-tokens', schedule: config.refreshCron, leaseSeconds: 600, run: () => vault.refreshExpiring() },
    { name: 'watch-connection-expiry', schedule: config.webhooks.expiryWatchCron, leaseSeconds: 600, run: () => expiryWatch.runOnce() },
    // every instance delivers: each delivery is claimed with its own row lease
    { name: 'deliver-webhooks', schedule: config.webhooks.cron, leaseSeconds: 'everyInstance', run: () => dispatcher.runOnce() },
  ];

  return {
    config,
    db,
    clock,
    log,
    bank,
    cipher,
    metrics,
    apiKeys: new ApiKeyService(db, clock, audit, config.apiKeyCacheSeconds * 1000),
    audit,
    registrations,
    vault,
    connect,
    connections,
    connectionStore,
    transferStore,
    webhookEndpoints,
    outbox,
    dispatcher,
    webhookAdmin: new WebhookAdmin(db, webhookEndpoints, outbox, dispatcher, audit),
    purger,
    accounts,
    statements,
    reports,
    transfers,
    reconciler,
    poller,
    bulkTransferStore,
    bulkTransfers,
    bulkReconciler,
    bulkPoller,
    leases,
    instances,
    jobs,
    // the payouts first: a request passes the routes of every router before its own
    companyRouters: [transferRoutes(transfers), bulkTransferRoutes(bulkTransfers), accountRoutes(accounts), statementRoutes(statements), reportRoutes(reports)],
  };
}
