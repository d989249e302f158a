import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createApp } from '../src/app';
import { systemClock } from '../src/clock';
import { loadConfig, SIMULATOR_CLIENT_ID, SIMULATOR_CLIENT_SECRET } from '../src/config';
import { openDatabase } from '../src/schema';
import { createLogger } from '../src/log';
import { buildServices, type Services } from '../src/services';
import { DEFAULT_SCOPES, type Simulator } from '../src/simulator/app';
import { startSimulator } from '../src/simulator/server';
import { consent } from './consent';

/** The real service and the real bank simulator on 127.0.0.1, with one company already connected. */
export interface Stack {
  baseUrl: string;
  services: Services;
  sim: Simulator;
  companyId: string;
  apiKey: string;
  /** e.g. "sqlite 3.50.4 (temp file)" */
  database: string;
  close(): Promise<void>;
}

async function listen(server: ReturnType<typeof createServer>): Promise<string> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

async function connectCompany(baseUrl: string, companyId: string, apiKey: string): Promise<void> {
  const session = await fetch(`${baseUrl}/v1/companies/${companyId}/connect-sessions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' },
    body: '{}',
  });
  if (session.status !== 201) throw new Error(`connect session: HTTP ${session.status} ${await session.text()}`);
  const { url } = (await session.json()) as { url: string };
  const done = await consent(url);
  if (done.status !== 200) throw new Error(`consent ended on ${done.url} with HTTP ${done.status}`);
}

/**
 * `databaseUrl` unset: a migrated SQLite file in a temp dir, removed by close(). `webhook`: the default
 * webhook receiver (every state change then records an event and a delivery in its transaction).
 */
export async function startStack(databaseUrl: string | undefined, webhook?: { url: string; secret: string }): Promise<Stack> {
  const tempDir = databaseUrl ? undefined : mkdtempSync(join(tmpdir(), 'gbi-bench-'));
  const url = databaseUrl ?? `sqlite:${join(tempDir!, 'bench.sqlite')}`;

  // The bank's redirect URI must name the service's port, so the socket is opened before the app exists.
  const server = createServer();
  const baseUrl = await listen(server);
  const simulator = await startSimulator({
    clients: [
      {
        clientId: SIMULATOR_CLIENT_ID,
        clientSecret: SIMULATOR_CLIENT_SECRET,
        authMethod: 'post',
        redirectUris: [`${baseUrl}/refresh_token/{companyId}`],
        scopes: DEFAULT_SCOPES,
      },
    ],
  });
  const config = loadConfig({
    BANK_ENV: 'simulator',
    BANK_AUTH_URL: `${simulator.url}/ganb/api/auth/v1`,
    BANK_API_URL: `${simulator.url}/ganb/api/corporation/v1`,
    PUBLIC_BASE_URL: baseUrl,
    DATABASE_URL: url,
    LOG_LEVEL: 'error',
    ...(webhook ? { WEBHOOK_URL: webhook.url, WEBHOOK_SECRET: webhook.secret } : {}),
  });
  const db = await openDatabase(url, { migrate: true });
  const services = buildServices(config, db, systemClock, createLogger({ level: 'error' }));
  server.on('request', createApp(services));

  // A fresh company per run, so runs against the same MariaDB database never see each other's rows.
  const companyId = `bench-${randomBytes(4).toString('hex')}`;
  const { key: apiKey } = await services.apiKeys.create('bench', companyId);
  await connectCompany(baseUrl, companyId, apiKey);

  const [{ version }] = (await db.dataSource.query(db.kind === 'sqlite' ? 'SELECT sqlite_version() AS version' : 'SELECT VERSION() AS version')) as {
    version: string;
  }[];

  return {
    baseUrl,
    services,
    sim: simulator.sim,
    companyId,
    apiKey,
    database: `${db.kind} ${version}${tempDir ? ' (temp file)' : ''}`,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await simulator.stop();
      await db.dataSource.destroy();
      if (tempDir) rmSync(tempDir, { recursive: true, force: true });
    },
  };
}
