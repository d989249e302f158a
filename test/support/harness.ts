import { createServer, type RequestListener, type Server } from 'node:http';
import { Writable } from 'node:stream';
import type { Express } from 'express';
import { createApp } from '../../src/app';
import { loadConfig, type Config } from '../../src/config';
import { createLogger } from '../../src/log';
import { buildServices, type Services } from '../../src/services';
import { startSimulator } from '../../src/simulator/server';
import type { SimulatorClient, SimulatorOptions } from '../../src/simulator/app';
import { ManualClock } from './clock';
import { openTestDatabase, type TestDatabase, type TestDatabaseKind } from './databases';
import { ResponseContract } from './responseContract';
import { startTcpRelay, type TcpRelay } from './tcpRelay';

export const TEST_KEYS = 'k2:' + Buffer.alloc(32, 2).toString('base64') + ',k1:' + Buffer.alloc(32, 1).toString('base64');
export const SIM_CLIENT = { clientId: 'sim-client', clientSecret: 'sim-secret' };
export const ALL_SCOPES = ['openid', 'offline_access', 'private:account', 'private:transfer', 'private:bulk-transfer', 'private:virtual-account'];

export interface HarnessOptions {
  env?: Record<string, string>;
  simulator?: Partial<SimulatorOptions>;
  /** more client registrations at the simulator (a company's own), with our redirect URI */
  extraClients?: Array<Omit<SimulatorClient, 'redirectUris'>>;
  /** MariaDB: the database's default character set, e.g. 'latin1' */
  databaseCharset?: string;
  /** MariaDB: the service reaches the database through a TCP relay the test can cut (`h.databaseRelay`) */
  databaseRelay?: boolean;
}

/**
 * A real service on 127.0.0.1 with its own migrated database, a manual clock shared with a real
 * bank simulator, and captured log lines (so tests can assert that no secret was logged).
 */
export interface Harness {
  kind: TestDatabaseKind;
  clock: ManualClock;
  config: Config;
  services: Services;
  /** the app behind the response checker: every answer it gives is checked against the OpenAPI document */
  app: RequestListener;
  /** the app itself */
  expressApp: Express;
  /** records every answer and its violations of the document; close() fails on any */
  contract: ResponseContract;
  baseUrl: string;
  simUrl: string;
  sim: Awaited<ReturnType<typeof startSimulator>>['sim'];
  database: TestDatabase;
  databaseRelay?: TcpRelay;
  logs: string[];
  apiKey(companyId: string | null): Promise<string>;
  /** the same database and bank, another process-like instance (its own vault, lease holder id) */
  anotherInstance(): Services;
  close(): Promise<void>;
}

export async function startHarness(kind: TestDatabaseKind, options: HarnessOptions = {}): Promise<Harness> {
  const clock = new ManualClock();
  const server: Server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  const baseUrl = `http://127.0.0.1:${port}`;

  const simulator = await startSimulator({
    clock,
    clients: [{ ...SIM_CLIENT, authMethod: 'post' as const, scopes: ALL_SCOPES }, ...(options.extraClients ?? [])].map((c) => ({
      ...c,
      redirectUris: [`${baseUrl}/refresh_token/{companyId}`],
    })),
    ...options.simulator,
  });
  let databaseRelay: TcpRelay | undefined;
  const throughRelay = async (url: string) => {
    const u = new URL(url);
    databaseRelay = await startTcpRelay(u.hostname, Number(u.port));
    u.port = String(databaseRelay.port);
    return u.toString();
  };
  const database = await openTestDatabase(kind, options.databaseCharset, options.databaseRelay && kind === 'mariadb' ? throughRelay : undefined);
  const config = loadConfig({
    BANK_ENV: 'simulator',
    BANK_AUTH_URL: `${simulator.url}/ganb/api/auth/v1`,
    BANK_API_URL: `${simulator.url}/ganb/api/corporation/v1`,
    BANK_CLIENT_ID: SIM_CLIENT.clientId,
    BANK_CLIENT_SECRET: SIM_CLIENT.clientSecret,
    PUBLIC_BASE_URL: baseUrl,
    DATABASE_URL: database.url,
    TOKEN_ENCRYPTION_KEYS: TEST_KEYS,
    BANK_TIMEOUT_MS: '3000',
    RETURN_URL_ORIGINS: 'https://recore.example',
    LOG_LEVEL: 'debug',
    ...options.env,
  });
  const logs: string[] = [];
  const stream = new Writable({
    write(chunk, _enc, done) {
      logs.push(String(chunk).trim());
      done();
    },
  });
  const log = createLogger({ level: 'debug', stream });
  const services = buildServices(config, database.db, clock, log, { instanceId: 'instance-a' });
  const expressApp = createApp(services);
  const contract = new ResponseContract(expressApp);
  const app = contract.listener(expressApp);
  server.on('request', app);
  let instances = 0;

  return {
    kind,
    clock,
    config,
    services,
    app,
    expressApp,
    contract,
    baseUrl,
    simUrl: simulator.url,
    sim: simulator.sim,
    database,
    databaseRelay,
    logs,
    apiKey: async (companyId) => (await services.apiKeys.create('test', companyId)).key,
    anotherInstance: () => buildServices(config, database.db, clock, log, { instanceId: `instance-${++instances}` }),
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await simulator.stop();
      databaseRelay?.restore();
      await database.close();
      await databaseRelay?.close();
      // every answer this harness gave must be one the OpenAPI document describes
      contract.assertConforms();
    },
  };
}
