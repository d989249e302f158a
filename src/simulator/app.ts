import express, { type Express } from 'express';
import helmet from 'helmet';
import { authRouter } from './auth/router';
import { controlRouter } from './control';
import { corporateRouter } from './corporate/router';
import { operationNotFound } from './errors';
import { errorHandler, requestLogger } from './http';
import { checkClients, type SimulatorOptions } from './options';
import { SimulatorState } from './state';

export type { SimulatorClient, SimulatorConfig, SimulatorOptions } from './options';
export { DEFAULT_SCOPES } from './options';
export { SimulatorState, type TransferSummary } from './state';
export type { FaultKind, FaultSpec, FaultTarget } from './faults';
export type { StatsSnapshot } from './stats';

export interface Simulator {
  app: Express;
  state: SimulatorState;
  /** clears timers and held sockets */
  close(): void;
}

/** The GMO Aozora Net Bank simulator as an express app, without listening (see server.ts for that). */
export function createSimulator(options: SimulatorOptions): Simulator {
  checkClients(options.clients);
  const state = new SimulatorState(options);
  const app = express();
  app.set('etag', false);
  // The simulator serves plain http on 127.0.0.1: no upgrade to https, no HSTS.
  app.use(helmet({ contentSecurityPolicy: { directives: { upgradeInsecureRequests: null } }, strictTransportSecurity: false }));
  app.use(requestLogger(state));
  app.use('/_sim', controlRouter(state));
  app.use('/ganb/api/auth/v1', authRouter(state));
  app.use('/ganb/api/corporation/v1', corporateRouter(state, 'ganb'));
  app.use('/corporation/v1', corporateRouter(state, 'sunabar'));
  // The gateway's answer to any route or method it does not know (observed in sunabar).
  app.use(() => {
    throw operationNotFound();
  });
  app.use(errorHandler(state));
  return { app, state, close: () => state.holds.releaseAll() };
}
