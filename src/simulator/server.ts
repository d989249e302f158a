import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createSimulator, type Simulator, type SimulatorOptions } from './app';

export interface RunningSimulator {
  /** e.g. http://127.0.0.1:3100, without a trailing slash */
  url: string;
  sim: Simulator;
  stop(): Promise<void>;
}

/** Starts the simulator on a real socket (port 0 = any free port), for tests and for the service's own start-up. */
export async function startSimulator(options: SimulatorOptions, port = 0, host = '127.0.0.1'): Promise<RunningSimulator> {
  const sim = createSimulator(options);
  const server = createServer(sim.app);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port: actualPort } = server.address() as AddressInfo;
  const hostInUrl = host.includes(':') ? `[${host}]` : host;
  return {
    url: `http://${hostInUrl}:${actualPort}`,
    sim,
    stop: () =>
      new Promise<void>((resolve, reject) => {
        sim.close();
        server.close((err) => (err ? reject(err) : resolve()));
        // Keep-alive connections would otherwise hold close() open.
        server.closeAllConnections();
      }),
  };
}
