import express, { Router } from 'express';
import helmet from 'helmet';
import type { Services } from './services';
import { browserRoutes } from './connections/browserRoutes';
import { connectionApiRoutes } from './connections/apiRoutes';
import { requireApiKey, requireCompanyAccess } from './http/auth';
import { jsonBody } from './http/jsonBody';
import { HttpMetrics, metricsHandler } from './http/metrics';
import { errorHandler } from './http/errorHandler';
import { notFoundHandler } from './http/problem';
import { requestContext } from './http/requestId';
import { routePatterns } from './http/routePattern';

/** The HTTP app without listen(): tests build it with their own clock, database and bank simulator. */
export function createApp(services: Services): express.Express {
  const { config, log } = services;
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', 'loopback');
  app.set('query parser', 'simple');
  app.use(helmet());
  const routeOf = routePatterns(app);
  app.use(requestContext(log, routeOf));
  const metrics = new HttpMetrics(routeOf);
  app.use(metrics.middleware);

  app.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  app.get('/readyz', async (_req, res) => {
    try {
      await services.db.ping();
      res.json({ status: 'ready', database: 'ok' });
    } catch (err) {
      log.warn('readiness check failed', { err });
      res.status(503).json({ status: 'unavailable', database: 'unreachable' });
    }
  });

  // for the scraper inside the network; no key, like the probes
  app.get('/metrics', metricsHandler(metrics, { transfers: () => services.transferStore.countByStatus(), connections: () => services.connectionStore.countByStatus() }));

  app.use(browserRoutes(services.connect, log, { secureCookies: config.publicBaseUrl.startsWith('https:') }));

  const company = Router({ mergeParams: true });
  company.use(requireCompanyAccess);
  company.use(connectionApiRoutes(services.connect, services.connections, config.returnUrlOrigins));
  for (const mount of services.companyRouters) company.use(mount);

  app.use('/v1', requireApiKey(services.apiKeys), jsonBody);
  app.use('/v1/companies/:companyId', company);

  app.use(notFoundHandler);
  app.use(errorHandler(log));
  return app;
}
