import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { createDocument, type ZodOpenApiContentObject, type ZodOpenApiOperationObject, type ZodOpenApiPathsObject, type ZodOpenApiResponseObject } from 'zod-openapi';
import { accountEndpoints } from '../accounts/contract';
import { SCOPE_DESCRIPTIONS, SCOPES } from '../apiKeys/scopes';
import { auditEndpoints } from '../audit/contract';
import { bulkItemSchemaOut, bulkTransferEndpoints, bulkTransferSchema } from '../bulkTransfers/contract';
import { browserEndpoints, connectionEndpoints, connectionSchema } from '../connections/contract';
import { registrationEndpoints } from '../registrations/contract';
import { reportEndpoints } from '../reports/contract';
import { statementEndpoints } from '../statements/contract';
import { transferEndpoints, transferSchema } from '../transfers/contract';
import { endpointSchema, webhookEndpoints } from '../webhooks/contract';
import { EVENT_TYPES } from '../webhooks/events';
import { UNROUTED_PROBLEMS, problemResponses, standardHeaders, type Endpoint, type ResponseSpec } from './endpoint';
import { scopeRowFor, UNLISTED_ROUTE_SCOPE } from './routeScopes';
import { serviceEndpoints } from './serviceContract';

/** Every route of the service, by feature: the document is generated from exactly these. */
export const ENDPOINTS: readonly Endpoint[] = [
  ...connectionEndpoints,
  ...accountEndpoints,
  ...statementEndpoints,
  ...transferEndpoints,
  ...reportEndpoints,
  ...bulkTransferEndpoints,
  ...registrationEndpoints,
  ...auditEndpoints,
  ...webhookEndpoints,
  ...browserEndpoints,
  ...serviceEndpoints,
];

/** The scope an operation's key needs: the one table, src/http/routeScopes.ts, read by Express pattern. */
export function requiredScope(e: Endpoint): string {
  return scopeRowFor(e.method.toUpperCase(), e.path.replace(/\{(\w+)\}/g, ':$1'))?.scope ?? UNLISTED_ROUTE_SCOPE;
}

/**
 * The events a receiver gets, one schema each (OpenAPI 3.1 `webhooks`): the envelope, with the transfer or
 * the connection as the API shows it (account numbers masked) in `data`.
 */
function webhookEvents(): ZodOpenApiPathsObject {
  const envelope = (type: string, data: z.ZodType, id: string) =>
    z
      .object({
        id: z.uuid().meta({ description: 'also the `webhook-id` header: dedupe on it (delivery is at least once)' }),
        type: z.literal(type),
        timestamp: z.iso.datetime(),
        companyId: z.string().nullable(),
        data,
      })
      .meta({ id });
  const dataOf = (type: string) =>
    type.startsWith('transfer.')
      ? transferSchema
      : type.startsWith('bulk_transfer.item_')
        ? bulkItemSchemaOut
        : type.startsWith('bulk_transfer.')
          ? bulkTransferSchema
          : type.startsWith('connection.')
            ? connectionSchema
            : z.object({ endpoint: endpointSchema });
  const name = (type: string) => `${type.split(/[._]/).map((w) => w[0].toUpperCase() + w.slice(1)).join('')}Event`;
  return Object.fromEntries(
    [...EVENT_TYPES, 'ping'].map((type) => [
      type,
      {
        post: {
          operationId: `on${name(type)}`,
          tags: ['webhooks'],
          summary: `\`${type}\``,
          description:
            'POSTed to every active endpoint that wants it, signed per Standard Webhooks (`webhook-id`, `webhook-timestamp`, `webhook-signature`: HMAC-SHA256 with the endpoint secret). Verify the signature, then dedupe on `id`.',
          requestBody: { content: { 'application/json': { schema: envelope(type, dataOf(type), name(type)) } } },
          responses: { 200: { description: 'Any 2xx answer: delivered. Anything else, or no answer in time: retried for 24 h.' } },
        },
      },
    ]),
  );
}

/** The extension member that says how a request no operation takes is answered (the API tests check it too). */
export const UNROUTED_EXTENSION = 'x-unrouted-responses';

/** the package's version, from src/http (ts-jest) or dist/src/http (the build) */
function packageVersion(): string {
  for (const up of ['../..', '../../..']) {
    const file = join(__dirname, up, 'package.json');
    if (existsSync(file)) return (JSON.parse(readFileSync(file, 'utf8')) as { version: string }).version;
  }
  throw new Error('package.json not found');
}

const DESCRIPTION = `ReCORE's bridge to **GMO Aozora Net Bank**'s corporate Open API: a store owner connects the company's bank account once, in a browser (OAuth 2.0 authorization code flow); ReCORE POS then reads the accounts and pays sellers (買取代金) by bank transfer, never twice.

**Server to server**, JSON, \`Authorization: Bearer <api key>\` (keys are created with \`gmo-bank-integrator api-key create\`). A key is scoped to one company or to all; a key scoped to company A gets **404** for anything of company B. Company ids and \`Idempotency-Key\`s are compared exactly (case matters).

**Errors** are \`application/problem+json\` (RFC 9457, schema \`Problem\`): \`status\` is always the HTTP status, \`type\` a stable URI to switch on, extension members such as \`transfer\` or \`bankError\` beside it. Each operation lists, per status, exactly the problem types it may answer. Operational failures (bank down, database down, a refresh lease held elsewhere) are specific problems with \`Retry-After\` where one helps, never a bare 500. A request that fails validation changes nothing.

**Idempotency**: \`POST /v1/companies/{companyId}/transfers\` requires an \`Idempotency-Key\` header; see that operation for the rules.

**Any other path or method** is answered with a problem from \`${UNROUTED_EXTENSION}\` (mostly 404 \`not-found\`; 401 on /v1 without a valid key), except \`OPTIONS\` on a /v1 route, which answers 200 with the route's methods in \`Allow\`.

The same document is in the repository as \`docs/openapi.json\` (\`npm run openapi\` writes it); \`/docs\` renders it.`;

function response(spec: ResponseSpec): ZodOpenApiResponseObject {
  return { description: spec.description, ...(spec.headers ? { headers: spec.headers } : {}), ...(spec.content ? { content: spec.content as unknown as ZodOpenApiContentObject } : {}) };
}

function operation(e: Endpoint): ZodOpenApiOperationObject {
  const r = e.request ?? {};
  return {
    operationId: e.operationId,
    tags: e.tags,
    summary: e.summary,
    ...(e.description ? { description: e.description } : {}),
    // OpenAPI 3.1 lets a non-OAuth requirement list the roles it needs: here the API key's scope
    security: e.auth === 'apiKey' ? [{ apiKey: [requiredScope(e)] }] : [],
    ...(r.params || r.query || r.headers ? { requestParams: { ...(r.params ? { path: r.params } : {}), ...(r.query ? { query: r.query } : {}), ...(r.headers ? { header: r.headers } : {}) } } : {}),
    ...(r.body
      ? { requestBody: { required: r.bodyRequired ?? false, content: { 'application/json': { schema: r.body, ...(r.bodyExamples ? { examples: r.bodyExamples } : {}) } } } }
      : {}),
    responses: Object.fromEntries(Object.entries(e.responses).map(([status, spec]) => [status, response(spec)])),
  };
}

/** OPTIONS on a /v1 route: Express lists the route's methods (no key: 401 first, like any /v1 request). */
const optionsAnswer: ResponseSpec = {
  description: 'OPTIONS on a /v1 route (with a valid key): the methods of that path.',
  headers: standardHeaders.extend({ Allow: z.string().meta({ description: 'the path’s methods, e.g. `GET, HEAD, POST`' }) }),
  content: { 'text/plain': { schema: z.string() } },
};

function build(): Record<string, unknown> {
  const paths: ZodOpenApiPathsObject = {};
  for (const e of ENDPOINTS) {
    paths[e.path] ??= {};
    if (paths[e.path][e.method]) throw new Error(`two contracts for ${e.method.toUpperCase()} ${e.path}`);
    paths[e.path][e.method] = operation(e);
  }
  const unrouted = { 200: optionsAnswer, ...problemResponses(UNROUTED_PROBLEMS) };
  const document = createDocument({
    openapi: '3.1.0',
    info: {
      title: 'gmo-bank-integrator',
      version: packageVersion(),
      description: DESCRIPTION,
      license: { name: 'UNLICENSED', identifier: 'UNLICENSED' },
    },
    tags: [
      { name: 'connections', description: 'Connecting a company’s bank account (server to server).' },
      { name: 'accounts', description: 'The company’s own accounts and balances, live from the bank.' },
      { name: 'transfers', description: 'Payouts by bank transfer: idempotent, reconciled, never twice.' },
      { name: 'administration', description: 'The company’s own bank app registration and the audit trail (scope `admin`).' },
      { name: 'webhooks', description: 'Endpoints that receive signed events (Standard Webhooks), and their deliveries (scope `admin`).' },
      { name: 'browser', description: 'The store owner’s browser: the connect link and the bank’s redirect back (Japanese HTML pages).' },
      { name: 'operations', description: 'Probes, metrics and this document: no API key.' },
    ],
    paths,
    webhooks: webhookEvents(),
    components: {
      securitySchemes: {
        apiKey: {
          type: 'http',
          scheme: 'bearer',
          bearerFormat: 'API key',
          description: `An API key (\`gbi_…\`) from \`gmo-bank-integrator api-key create --name NAME [--company C] [--scopes …]\`, stored as its SHA-256. A wrong, revoked, expired or missing key is 401; a key without the scope an operation lists in its security requirement is 403 \`insufficient-scope\`. Scopes: ${SCOPES.map((s) => `\`${s}\` (${SCOPE_DESCRIPTIONS[s]})`).join(', ')}.`,
        },
      },
      responses: Object.fromEntries(Object.entries(unrouted).map(([status, spec]) => [`Unrouted${status}`, response(spec)])),
    },
  }) as unknown as Record<string, unknown>;
  document[UNROUTED_EXTENSION] = Object.fromEntries(Object.keys(unrouted).map((status) => [status, { $ref: `#/components/responses/Unrouted${status}` }]));
  return document;
}

let cached: Record<string, unknown> | undefined;

/** The OpenAPI 3.1 document of the service (the same for every deployment: no server URL, no config). */
export function openApiDocument(): Record<string, unknown> {
  cached ??= build();
  return cached;
}

/** As written to docs/openapi.json and served at /openapi.json. */
export function openApiJson(): string {
  return `${JSON.stringify(openApiDocument(), null, 2)}\n`;
}
