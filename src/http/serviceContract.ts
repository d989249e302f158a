import { z } from 'zod';
import { endpoint, jsonResponse, notModified, problemResponses, standardHeaders } from './endpoint';

/**
 * The service's own routes, without an API key: the probes, the Prometheus scrape, this document and its
 * reference UI. (The probes' bodies are built in app.ts; the API tests check them against these schemas.)
 */

const healthSchema = z.object({ status: z.literal('ok') }).meta({ id: 'Health' });
const readinessSchema = z
  .object({ status: z.enum(['ready', 'unavailable']), database: z.enum(['ok', 'unreachable']) })
  .meta({ id: 'Readiness', description: '`ready`/`ok`, or `unavailable`/`unreachable` when the database does not answer.' });

const TAGS = ['operations'];

export const healthz = endpoint({
  method: 'get',
  path: '/healthz',
  operationId: 'healthz',
  tags: TAGS,
  summary: 'Liveness probe',
  description: 'No key. 200 while the process serves HTTP.',
  auth: 'none',
  responses: { 200: jsonResponse('Alive.', healthSchema) },
});

export const readyz = endpoint({
  method: 'get',
  path: '/readyz',
  operationId: 'readyz',
  tags: TAGS,
  summary: 'Readiness probe',
  description: 'No key. 503 when the database does not answer; the service recovers by itself when it returns.',
  auth: 'none',
  responses: {
    200: jsonResponse('Ready.', readinessSchema, { examples: { ready: { value: { status: 'ready', database: 'ok' } } } }),
    503: jsonResponse('The database does not answer.', readinessSchema, { examples: { unavailable: { value: { status: 'unavailable', database: 'unreachable' } } } }),
  },
});

export const metrics = endpoint({
  method: 'get',
  path: '/metrics',
  operationId: 'metrics',
  tags: TAGS,
  summary: 'Prometheus metrics',
  description:
    'No key: keep it inside the network. `gbi_http_requests_total{method,route,status}` by route pattern (`unmatched` when no route exists; never a company id) and status class; `gbi_transfers{status}` and `gbi_bank_connections{status}` gauges read from the database.',
  auth: 'none',
  responses: {
    200: {
      description: 'Prometheus text exposition format 0.0.4.',
      headers: standardHeaders,
      content: {
        'text/plain': {
          schema: z.string(),
          examples: {
            scrape: {
              value:
                '# HELP gbi_http_requests_total HTTP requests by route and status class.\n# TYPE gbi_http_requests_total counter\ngbi_http_requests_total{method="POST",route="/v1/companies/:companyId/transfers",status="2xx"} 3\n# HELP gbi_transfers Transfers by status.\n# TYPE gbi_transfers gauge\ngbi_transfers{status="completed"} 3\n',
            },
          },
        },
      },
    },
    ...problemResponses(['database-unavailable', 'internal-error']),
  },
});

export const openApiDocument = endpoint({
  method: 'get',
  path: '/openapi.json',
  operationId: 'openApiDocument',
  tags: TAGS,
  summary: 'This OpenAPI 3.1 document',
  description: 'No key. The same document as `docs/openapi.json` in the repository (`npm run openapi` writes it).',
  auth: 'none',
  responses: { 200: jsonResponse('The document.', z.looseObject({ openapi: z.string(), info: z.looseObject({}), paths: z.looseObject({}) })), 304: notModified },
});

const docsPage = endpoint({
  method: 'get',
  path: '/docs',
  operationId: 'docs',
  tags: TAGS,
  summary: 'Reference UI for people (Swagger UI, served locally)',
  description: 'No key. `/docs` redirects to `/docs/`, which renders this document; its scripts and styles are served from `/docs/…`.',
  auth: 'none',
  responses: {
    200: { description: 'The reference UI page.', headers: standardHeaders, content: { 'text/html': { schema: z.string() } } },
    304: notModified,
    301: {
      description: 'To `/docs/` (the page loads its assets relative to it).',
      headers: standardHeaders.extend({ Location: z.string() }),
      content: { 'text/html': { schema: z.string() } },
    },
  },
});

const docsAsset = endpoint({
  method: 'get',
  path: '/docs/{asset}',
  operationId: 'docsAsset',
  tags: TAGS,
  summary: 'Reference UI assets',
  auth: 'none',
  request: { params: z.object({ asset: z.string().meta({ example: 'swagger-ui-bundle.js' }) }) },
  responses: {
    200: {
      description: 'A script, a stylesheet or an icon of the reference UI.',
      headers: standardHeaders,
      content: {
        'application/javascript': { schema: z.string() },
        'text/javascript': { schema: z.string() },
        'text/css': { schema: z.string() },
        'image/png': { schema: z.string().meta({ format: 'binary' }) },
      },
    },
    304: notModified,
    ...problemResponses(['not-found']),
  },
});

export const serviceEndpoints = [healthz, readyz, metrics, openApiDocument, docsPage, docsAsset];
