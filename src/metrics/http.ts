import type { Request, RequestHandler } from 'express';
import type { Registry } from 'prom-client';
import type { Instruments } from './instruments';

/** Times every request and counts it by route pattern (never the URL: it carries company ids, codes). */
export function httpMetrics(instruments: Instruments, routeOf: (req: Request) => string): RequestHandler {
  return (req, res, next) => {
    const started = performance.now();
    res.on('finish', () => instruments.httpRequest(req.method, routeOf(req), res.statusCode, (performance.now() - started) / 1000));
    next();
  };
}

/** Prometheus text exposition of the registry; a failed database read only leaves its series out (see StoreGauges). */
export function metricsHandler(registry: Registry): RequestHandler {
  return async (_req, res) => {
    const body = await registry.metrics();
    res.set('content-type', registry.contentType).send(body);
  };
}
