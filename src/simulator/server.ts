import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createSimulator, type Simulator, type SimulatorOptions } from './app';
import { StateFile } from './persistence';

export interface RunningSimulator {
  /** e.g. http://127.0.0.1:3100, without a trailing slash */
  url: string;
  sim: Simulator;
  stop(): Promise<void>;
}

/**
 * Starts the simulator on a real socket (port 0 = any free port), for tests and for the service's own start-up.
 * With `stateFile` its state is loaded from that SQLite file and saved back after requests and on stop;
 * without, it lives in memory only.
 */
export async function startSimulator(options: SimulatorOptions, port = 0, host = '127.0.0.1', stateFile?: string): Promise<RunningSimulator> {
  const sim = createSimulator(options);
  const persisted = stateFile ? StateFile.open(stateFile, sim.state) : undefined;
  const server = createServer(sim.app);
  // every request may have changed something (a login begun, a token issued, a transfer booked)
  if (persisted) server.on('request', (_req, res) => res.once('close', () => persisted.changed()));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  }).catch((err: unknown) => {
    persisted?.close();
    throw err;
  });
  const { port: actualPort } = server.address() as AddressInfo;
  const hostInUrl = host.includes(':') ? `[${host}]` : host;
  return {
    url: `http://${hostInUrl}:${actualPort}`,
    sim,
    stop: () =>
      new Promise<void>((resolve, reject) => {
        sim.close();
        server.close((err) => {
          persisted?.close();
          if (err) reject(err);
          else resolve();
        });
        // Keep-alive connections would otherwise hold close() open.
        server.closeAllConnections();
      }),
  };
}
