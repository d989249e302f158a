import express, { Router } from 'express';
import helmet from 'helmet';
import type { Services } from './services';
import { auditRoutes } from './audit/routes';
import { registrationRoutes } from './registrations/routes';
import { webhookRoutes } from './webhooks/routes';
import { browserRoutes } from './connections/browserRoutes';
import { connectionApiRoutes } from './connections/apiRoutes';
import { requireApiKey, requireCompanyAccess, requireScope } from './http/auth';
import { jsonBody } from './http/jsonBody';
import { errorHandler } from './http/errorHandler';
import { openApiRoutes } from './http/openapiRoutes';
import { notFoundHandler } from './http/problem';
import { requestContext } from './http/requestId';
import { appRoutes, routePatterns } from './http/routePattern';
import { routeResolver } from './http/routeScopes';
import { httpMetrics, metricsHandler } from './metrics/http';

/** The HTTP app without listen(): tests build it with their own clock, database and bank simulator. */
export function createApp(services: Services): express.Express {
  const { config, log } = services;
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', 'loopback');
  app.set('query parser', 'simple');
  // answers are live (transfers, connections): no ETag, so no 304 the contract does not describe
  app.set('etag', false);
  app.use(helmet());
  const routeOf = routePatterns(app);
  app.use(requestContext(log, routeOf));
  app.use(httpMetrics(services.metrics.instruments, routeOf));

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
  app.get('/metrics', metricsHandler(services.metrics.registry));

  const company = Router({ mergeParams: true });
  company.use(requireCompanyAccess);
  company.use(connectionApiRoutes(services.connect, services.connections, config.returnUrlOrigins));
  for (const mount of services.companyRouters) company.use(mount);
  company.use(registrationRoutes(services.registrations, config.bank.scopes));

  // the key, then the scope its route needs (one table: http/routeScopes.ts), then the body
  app.use('/v1', requireApiKey(services.apiKeys), requireScope(routeResolver(() => appRoutes(app))), jsonBody);
  app.use('/v1', auditRoutes(services.audit));
  app.use('/v1', webhookRoutes(services.webhookAdmin));
  app.use('/v1/companies/:companyId', company);

  // after the API: Express tries every route of a router mounted at / for each request that reaches it, and the
  // API's requests (the many) never need these
  // the OpenAPI document and its reference UI (/docs), no key
  app.use(openApiRoutes());
  app.use(browserRoutes(services.connect, log, { secureCookies: config.publicBaseUrl.startsWith('https:') }));

  app.use(notFoundHandler);
  app.use(errorHandler(log));
  return app;
}
