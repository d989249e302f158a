import type { Server } from 'node:http';
import { createApp } from './app';
import { Scheduler } from './jobs/scheduler';
import { bootstrap } from './runtime';

const SIMULATOR_SCOPES = ['openid', 'offline_access', 'private:account', 'private:transfer', 'private:bulk-transfer', 'private:virtual-account'];

async function main(): Promise<void> {
  const services = await bootstrap();
  const { config, log } = services;

  // In the simulator environment the bank runs in this process, registered with our redirect URI, unless
  // BANK_AUTH_URL/BANK_API_URL point at one running elsewhere (SIMULATOR_IN_PROCESS).
  // Loaded only then: a staging or production process never loads the simulator's code.
  const simulator =
    config.simulatorInProcess
      ? await (await import('./simulator/server')).startSimulator(
          {
            clients: [
              {
                clientId: config.bank.clientId,
                clientSecret: config.bank.clientSecret,
                authMethod: config.bank.clientAuth,
                redirectUris: [`${config.publicBaseUrl}/refresh_token/{companyId}`],
                scopes: [...new Set([...SIMULATOR_SCOPES, ...config.bank.scopes])],
              },
            ],
          },
          config.simulatorPort,
          '127.0.0.1',
          config.simulatorStateFile ?? undefined,
        )
      : undefined;
  if (simulator) log.info('bank simulator listening', { url: simulator.url, stateFile: config.simulatorStateFile });

  // counted by the other instances before any bank call (BANK_MAX_RPS set: one INSTANCE_HEARTBEAT_SECONDS, see instances/heartbeat.ts)
  await services.instances.join();
  const app = createApp(services);
  const server: Server = await new Promise((resolve) => {
    const s = app.listen(config.port, config.host, () => resolve(s));
  });
  // A balancer keeps connections to the instances open and reuses them: if the instance closes an idle one first
  // (Node's default: after 5 s) just as the balancer sends the next request on it, that request fails and the
  // balancer answers 502. So idle connections stay open longer than balancers keep them (60 s for AWS ALB and
  // nginx). server.close() at shutdown still closes idle connections at once.
  server.keepAliveTimeout = config.keepAliveTimeoutMs;
  server.headersTimeout = config.keepAliveTimeoutMs + 1_000;
  const scheduler = new Scheduler(services.leases, log);
  scheduler.start(services.jobs);
  log.info('gmo-bank-integrator listening', {
    port: config.port,
    publicBaseUrl: config.publicBaseUrl,
    bankEnvironment: config.bankEnv,
    database: services.db.kind,
    jobs: services.jobs.map((j) => `${j.name} (${j.schedule})`),
  });

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info('shutting down', { signal, timeoutMs: config.shutdownTimeoutMs });
    // Orchestrators kill after their grace period (Kubernetes: 30 s, Docker: 10 s): rather than wait out a slow bank
    // call, cut the connections and exit. A payout cut off there was committed in flight before the bank was called,
    // so the poller reconciles it (found at the bank and adopted, or resent with the same Idempotency-Key).
    setTimeout(() => {
      log.warn('shutdown timed out: closing open connections', { timeoutMs: config.shutdownTimeoutMs });
      server.closeAllConnections();
      process.exit(1);
    }, config.shutdownTimeoutMs).unref();
    await scheduler.stop();
    // stop accepting, let in-flight requests finish
    await new Promise<void>((resolve) => server.close(() => resolve()));
    // the others take this instance's share of the bank's rate limit at their next beat
    await services.instances.leave();
    await simulator?.stop();
    await services.db.dataSource.destroy();
    process.exit(0);
  };
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));
}

main().catch((err) => {
  process.stderr.write(`gmo-bank-integrator failed to start: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
