import { randomUUID } from 'node:crypto';
import type { Router } from 'express';
import { AccountService } from './accounts/accountService';
import { accountRoutes } from './accounts/routes';
import { ApiKeyService } from './apiKeys/apiKeyService';
import { createBank, type Bank } from './bank';
import { RateLimiter } from './bank/rateLimiter';
import { systemClock, type Clock } from './clock';
import type { Config } from './config';
import { ConnectionService } from './connections/connectionService';
import { ConnectionStore } from './connections/connectionStore';
import { ConnectService } from './connections/connectService';
import { AppRegistrations } from './registrations/registrations';
import type { Database } from './db/database';
import { JobLeases } from './jobs/lease';
import type { JobDefinition } from './jobs/scheduler';
import type { Logger } from './log';
import { Cipher } from './crypto/cipher';
import { Purger } from './purge/purger';
import { TokenVault } from './tokens/vault';
import { TransferPoller } from './transfers/poller';
import { TransferReconciler } from './transfers/reconciler';
import { transferRoutes } from './transfers/routes';
import { TransferSubmitter } from './transfers/submitter';
import { TransferService } from './transfers/transferService';
import { TransferStore } from './transfers/transferStore';

export interface Services {
  config: Config;
  db: Database;
  clock: Clock;
  log: Logger;
  bank: Bank;
  cipher: Cipher;
  apiKeys: ApiKeyService;
  registrations: AppRegistrations;
  vault: TokenVault;
  connect: ConnectService;
  connections: ConnectionService;
  connectionStore: ConnectionStore;
  transferStore: TransferStore;
  purger: Purger;
  accounts: AccountService;
  transfers: TransferService;
  /** the poller's per-transfer step: brings one transfer up to date with the bank */
  reconciler: TransferReconciler;
  poller: TransferPoller;
  leases: JobLeases;
  jobs: JobDefinition[];
  /** feature routers mounted under /v1/companies/:companyId */
  companyRouters: Router[];
}

export interface ServiceOverrides {
  bank?: Bank;
  instanceId?: string;
  sleep?: (ms: number) => Promise<void>;
}

/** The composition root shared by the server, the CLI and the tests. */
export function buildServices(config: Config, db: Database, clock: Clock, log: Logger, overrides: ServiceOverrides = {}): Services {
  const environment = config.bankEnv;
  const instanceId = overrides.instanceId ?? randomUUID();
  const bank =
    overrides.bank ??
    createBank({
      authUrl: config.bank.authUrl,
      apiUrl: config.bank.apiUrl,
      timeoutMs: config.bank.timeoutMs,
      // the bank counts real seconds, whatever clock the rest of the service is given
      limiter: new RateLimiter(config.bank.maxRequestsPerSecond, systemClock),
    });
  const cipher = new Cipher(config.keyRing);
  const registrations = new AppRegistrations(db, cipher, clock, environment, {
    owner: 'vendor',
    clientId: config.bank.clientId,
    clientSecret: config.bank.clientSecret,
    authMethod: config.bank.clientAuth,
    scopes: config.bank.scopes,
    pkce: config.bank.pkce,
  }, log);
  const leases = new JobLeases(db, clock, instanceId);
  const connectionStore = new ConnectionStore(db, clock, environment);
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
    refreshMarginSeconds: config.bank.refreshMarginSeconds,
    refreshTokenTtlSeconds: config.bank.refreshTokenTtlSeconds,
    leaseSeconds: Math.ceil((config.bank.timeoutMs * 2) / 1000) + 10,
    sleep: overrides.sleep,
  });
  const connect = new ConnectService({
    db,
    connections: connectionStore,
    bank,
    vault,
    registrations,
    cipher,
    clock,
    log,
    environment,
    publicBaseUrl: config.publicBaseUrl,
  });
  const connections = new ConnectionService(connectionStore, db, vault, log);
  const purger = new Purger(db, vault, connect, connectionStore, clock, log);
  const accounts = new AccountService(bank, vault, connectionStore);
  const transferStore = new TransferStore(db, clock, environment);
  const submitter = new TransferSubmitter(transferStore, bank, vault, log);
  const reconciler = new TransferReconciler(transferStore, bank, vault, submitter, clock, log);
  const transfers = new TransferService(transferStore, bank, vault, connectionStore, submitter, reconciler, clock, log);
  const poller = new TransferPoller(transferStore, reconciler, log);
  const jobs: JobDefinition[] = [
    { name: 'purge-expired-tokens', schedule: config.purgeCron, leaseSeconds: 300, run: () => purger.run() },
    { name: 'poll-transfers', schedule: config.pollCron, leaseSeconds: 600, run: () => poller.runOnce() },
    { name: 'refresh-tokens', schedule: config.refreshCron, leaseSeconds: 600, run: () => vault.refreshExpiring() },
  ];

  return {
    config,
    db,
    clock,
    log,
    bank,
    cipher,
    apiKeys: new ApiKeyService(db, clock),
    registrations,
    vault,
    connect,
    connections,
    connectionStore,
    transferStore,
    purger,
    accounts,
    transfers,
    reconciler,
    poller,
    leases,
    jobs,
    companyRouters: [accountRoutes(accounts), transferRoutes(transfers)],
  };
}
