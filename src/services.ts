import { randomUUID } from 'node:crypto';
import type { Router } from 'express';
import { ApiKeyService } from './apiKeys/apiKeyService';
import { createBank, type Bank } from './bank';
import type { Clock } from './clock';
import type { Config } from './config';
import { ConnectionService } from './connections/connectionService';
import { ConnectService } from './connections/connectService';
import { AppRegistrations } from './connections/registrations';
import type { Database } from './db/database';
import { JobLeases } from './jobs/lease';
import type { JobDefinition } from './jobs/scheduler';
import type { Logger } from './log';
import { Cipher } from './tokens/cipher';
import { Purger } from './tokens/purge';
import { TokenVault } from './tokens/vault';

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
  purger: Purger;
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
  const bank = overrides.bank ?? createBank({ authUrl: config.bank.authUrl, apiUrl: config.bank.apiUrl, timeoutMs: config.bank.timeoutMs });
  const cipher = new Cipher(config.keyRing);
  const registrations = new AppRegistrations(db, cipher, clock, environment, {
    owner: 'vendor',
    clientId: config.bank.clientId,
    clientSecret: config.bank.clientSecret,
    authMethod: config.bank.clientAuth,
    scopes: config.bank.scopes,
    pkce: config.bank.pkce,
  });
  const vault = new TokenVault({
    db,
    cipher,
    clock,
    environment,
    oauth: bank.oauth,
    registrations,
    log,
    refreshMarginSeconds: config.bank.refreshMarginSeconds,
    refreshTokenTtlSeconds: config.bank.refreshTokenTtlSeconds,
    instanceId,
    leaseSeconds: Math.ceil((config.bank.timeoutMs * 2) / 1000) + 10,
    sleep: overrides.sleep,
  });
  const connect = new ConnectService({ db, bank, vault, registrations, cipher, clock, log, environment, publicBaseUrl: config.publicBaseUrl });
  const connections = new ConnectionService(db, vault, clock, log, environment);
  const purger = new Purger(db, clock, log, environment);
  const leases = new JobLeases(db, clock, instanceId);
  const jobs: JobDefinition[] = [{ name: 'purge-expired-tokens', schedule: config.purgeCron, leaseSeconds: 300, run: () => purger.run() }];

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
    purger,
    leases,
    jobs,
    companyRouters: [],
  };
}
