import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { compileErrors, validate } from '@readme/openapi-parser';
import Ajv2020 from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import express from 'express';
import request from 'supertest';
import { SCOPES } from '../../src/apiKeys/scopes';
import { openApiDocument, openApiJson, UNROUTED_EXTENSION } from '../../src/http/openapi';
import { OPENAPI_FILE } from '../../src/http/openapiScript';
import { bearer, connectCompany } from '../support/connect';
import { startHarness, type Harness } from '../support/harness';
import { expressRoutes, ResponseContract, type Exchange } from '../support/responseContract';

type Json = Record<string, unknown>;
const doc = openApiDocument() as Json & { paths: Record<string, Record<string, Json>>; components: Json };
const METHODS = ['get', 'post', 'put', 'patch', 'delete'];
const operations = () =>
  Object.entries(doc.paths).flatMap(([path, item]) => METHODS.filter((m) => item[m]).map((m) => ({ path, method: m, op: item[m] as Json })));

describe('the OpenAPI document', () => {
  test(`${OPENAPI_FILE} is the document the service serves (run \`npm run openapi\` when this fails)`, () => {
    const file = readFileSync(join(__dirname, '..', '..', OPENAPI_FILE), 'utf8');
    // a stale file fails with the first line that differs, not a 300 KB diff
    if (file !== openApiJson()) {
      const a = file.split('\n');
      const b = openApiJson().split('\n');
      const line = a.findIndex((l, i) => l !== b[i]);
      throw new Error(`${OPENAPI_FILE} is stale: run npm run openapi (first difference at line ${line + 1}: ${JSON.stringify(a[line])} ≠ ${JSON.stringify(b[line])})`);
    }
  });

  test('is a valid OpenAPI 3.1 document (@readme/openapi-parser)', async () => {
    const result = await validate(structuredClone(doc) as never);
    if (!result.valid) throw new Error(compileErrors(result));
    expect(result.warnings).toEqual([]);
    expect(doc.openapi).toBe('3.1.0');
  });

  test('covers every /v1 route, the browser routes, the probes, /metrics, the document and its UI', () => {
    const listed = operations().map(({ path, method }) => `${method.toUpperCase()} ${path}`);
    expect(listed).toEqual(
      expect.arrayContaining([
        'POST /v1/companies/{companyId}/connect-sessions',
        'GET /v1/companies/{companyId}/connection',
        'DELETE /v1/companies/{companyId}/connection',
        'GET /v1/companies/{companyId}/accounts',
        'GET /v1/companies/{companyId}/accounts/{accountId}/balance',
        'POST /v1/companies/{companyId}/transfers/fee-quote',
        'POST /v1/companies/{companyId}/transfers',
        'GET /v1/companies/{companyId}/transfers',
        'GET /v1/companies/{companyId}/transfers/{id}',
        'POST /v1/companies/{companyId}/transfers/{id}/cancel',
        'GET /connect/{sessionId}',
        'GET /refresh_token/{companyId}',
        'GET /favicon.ico',
        'GET /assets/connect.css',
        'GET /healthz',
        'GET /readyz',
        'GET /metrics',
        'GET /openapi.json',
        'GET /docs',
        'GET /docs/{asset}',
      ]),
    );
  });

  test('every /v1 operation needs the Bearer API key; the others none', () => {
    expect(doc.components.securitySchemes).toEqual({ apiKey: expect.objectContaining({ type: 'http', scheme: 'bearer' }) });
    for (const { path, op } of operations()) {
      expect([path, op.security]).toEqual([path, path.startsWith('/v1/') ? [{ apiKey: [expect.stringMatching(new RegExp(`^(${SCOPES.join('|')})$`))] }] : []]);
      if (path.startsWith('/v1/')) expect([path, Object.keys(op.responses as Json)]).toEqual([path, expect.arrayContaining(['400', '401', '404', '500', '503'])]);
    }
  });

  test('POST /transfers documents the Idempotency-Key header and its semantics', () => {
    const op = doc.paths['/v1/companies/{companyId}/transfers'].post as Json & { parameters: Json[]; responses: Record<string, Json> };
    expect(op.parameters).toContainEqual(expect.objectContaining({ in: 'header', name: 'Idempotency-Key', required: true, schema: expect.objectContaining({ maxLength: 128 }) }));
    for (const rule of ['Idempotent-Replayed: true', 'idempotency-key-reused', 'request-in-flight', '202', 'committed **before** the bank is called']) {
      expect(op.description).toContain(rule);
    }
    expect(Object.keys(op.responses)).toEqual(expect.arrayContaining(['201', '202', '409', '422', '503']));
    expect(op.responses['201'].headers).toHaveProperty('Idempotent-Replayed');
  });

  test('the problem schema is RFC 9457 with the extension members the API uses, and every problem answer uses it', () => {
    const schemas = doc.components.schemas as Record<string, Json & { properties: Json; required: string[] }>;
    expect(Object.keys(schemas.Problem.properties)).toEqual(
      expect.arrayContaining(['type', 'title', 'status', 'detail', 'errors', 'requestId', 'transferId', 'bankError', 'bankErrorCode', 'reason']),
    );
    expect(schemas.Problem.required.sort()).toEqual(['status', 'title', 'type']);
    expect(Object.keys(schemas.TransferProblem.properties)).toContain('transfer');
    for (const { path, method, op } of operations()) {
      for (const [status, response] of Object.entries(op.responses as Record<string, Json>)) {
        const content = (response.content ?? {}) as Record<string, Json>;
        if (path.startsWith('/v1/') && Number(status) >= 400 && !content['application/problem+json']) throw new Error(`${method} ${path} ${status}: an error that is not a problem`);
        const problem = content['application/problem+json'];
        if (problem) expect(Object.keys(problem.examples as Json).length).toBeGreaterThan(0);
      }
    }
  });

  test('every example in the document conforms to its schema', () => {
    const ajv = new Ajv2020({ allErrors: true, strict: false });
    addFormats(ajv);
    ajv.addFormat('binary', true);
    ajv.addSchema({ $id: 'https://doc.test/openapi.json', components: doc.components });
    const relink = (s: unknown): unknown =>
      Array.isArray(s)
        ? s.map(relink)
        : s && typeof s === 'object'
          ? Object.fromEntries(Object.entries(s).map(([k, v]) => [k, k === '$ref' && typeof v === 'string' ? `https://doc.test/openapi.json${v}` : relink(v)]))
          : s;
    let checked = 0;
    const media = (where: string, m: Json) => {
      if (!m.schema) return;
      const validate = ajv.compile(relink(m.schema) as Json);
      const examples = Object.entries((m.examples ?? {}) as Record<string, { value?: unknown; $ref?: string }>).map(([name, e]) => {
        // a shared example is a component: #/components/examples/<id>
        const example = e.$ref ? (doc.components.examples as Record<string, { value: unknown }>)[e.$ref.split('/').pop()!] : e;
        if (example?.value === undefined) throw new Error(`${where} example ${name}: no value`);
        return [name, example.value] as const;
      });
      for (const [name, value] of examples) {
        checked++;
        if (!validate(value)) throw new Error(`${where} example ${name}: ${ajv.errorsText(validate.errors)}`);
      }
    };
    for (const { path, method, op } of operations()) {
      const body = (op.requestBody as Json | undefined)?.content as Record<string, Json> | undefined;
      for (const [type, m] of Object.entries(body ?? {})) media(`${method} ${path} request ${type}`, m);
      for (const [status, response] of Object.entries(op.responses as Record<string, Json>)) {
        for (const [type, m] of Object.entries((response.content ?? {}) as Record<string, Json>)) media(`${method} ${path} ${status} ${type}`, m);
      }
    }
    for (const [name, schema] of Object.entries(doc.components.schemas as Record<string, Json>)) {
      if (schema.example === undefined) continue;
      checked++;
      const validate = ajv.compile(relink(schema) as Json);
      if (!validate(schema.example)) throw new Error(`schema ${name} example: ${ajv.errorsText(validate.errors)}`);
    }
    expect(checked).toBeGreaterThan(50);
  });

  test(`says how requests no operation takes are answered (${UNROUTED_EXTENSION})`, () => {
    expect(Object.keys(doc[UNROUTED_EXTENSION] as Json).sort()).toEqual(['200', '400', '401', '404', '413', '415', '500', '503']);
  });
});

describe('the response checker the harness installs', () => {
  const contract = new ResponseContract();
  const problem = (status: number, slug: string) =>
    Buffer.from(JSON.stringify({ type: `https://gmo-bank-integrator/problems/${slug}`, title: 'x', status, detail: 'd', requestId: 'r' }));
  const x = (over: Partial<Exchange>): Exchange => ({
    method: 'GET',
    url: '/healthz',
    status: 200,
    headers: { 'content-type': 'application/json; charset=utf-8', 'x-request-id': 'abcdefgh' },
    body: Buffer.from('{"status":"ok"}'),
    ...over,
  });
  const problemHeaders = { 'content-type': 'application/problem+json; charset=utf-8', 'x-request-id': 'abcdefgh' };

  test('a conforming answer passes', () => {
    expect(contract.check(x({}))).toEqual([]);
    expect(contract.check(x({ method: 'GET', url: '/v1/companies/C1/transfers/nope', status: 400, headers: problemHeaders, body: problem(400, 'validation-error') }))).toEqual([]);
    expect(contract.check(x({ method: 'PUT', url: '/v1/companies/C1/nothing', status: 404, headers: problemHeaders, body: problem(404, 'not-found') }))).toEqual([]);
  });

  test('a body that does not match the schema, with route, status and the schema error', () => {
    expect(contract.check(x({ body: Buffer.from('{"status":"fine"}') }))).toEqual([expect.stringMatching(/^GET \/healthz → 200: body: body\/status must be equal to constant/)]);
    expect(contract.check(x({ body: Buffer.from('{"status":"ok","extra":1}') }))).toEqual([expect.stringContaining('must NOT have additional properties')]);
  });

  test('a status, a problem type or a media type the operation does not list', () => {
    expect(contract.check(x({ status: 201 }))).toEqual([expect.stringMatching(/^GET \/healthz: status 201 is not documented for this operation; body was /)]);
    expect(contract.check(x({ url: '/v1/companies/C1/transfers', status: 409, headers: problemHeaders, body: problem(409, 'not-connected') }))).toEqual([
      expect.stringMatching(/^GET \/v1\/companies\/\{companyId\}\/transfers: status 409 is not documented for this operation/),
    ]);
    expect(contract.check(x({ url: '/v1/companies/C1/transfers', status: 400, headers: problemHeaders, body: problem(400, 'bank-error') }))).toEqual([
      expect.stringContaining('→ 400: body (problem bank-error): body/type must be equal to one of the allowed values'),
    ]);
    expect(contract.check(x({ headers: { 'content-type': 'text/html', 'x-request-id': 'abcdefgh' } }))).toEqual([
      'GET /healthz → 200: Content-Type text/html; the document says application/json',
    ]);
    expect(contract.check(x({ url: '/v1/companies/C1/transfers', status: 400, headers: problemHeaders, body: problem(404, 'validation-error') }))).toEqual([
      'GET /v1/companies/{companyId}/transfers → 400: problem status 404 is not the HTTP status',
    ]);
  });

  test('a required header missing', () => {
    expect(contract.check(x({ headers: { 'content-type': 'application/json' } }))).toEqual(['GET /healthz → 200: header X-Request-Id is required but missing']);
  });

  test('an Express route the document does not list, and an OPTIONS answer that lists other methods', () => {
    const app = express();
    app.get('/v1/secret', (_req, res) => {
      res.json({});
    });
    const withRoute = new ResponseContract(app);
    expect(withRoute.check(x({ url: '/v1/secret', body: Buffer.from('{}') }))).toEqual(['GET /v1/secret: an Express route the document does not list']);
    const options = (allow: string) =>
      contract.check(x({ method: 'OPTIONS', url: '/v1/companies/C1/transfers', headers: { 'content-type': 'text/plain', 'x-request-id': 'abcdefgh', allow }, body: Buffer.from(allow) }));
    expect(options('GET, HEAD, POST')).toEqual([]);
    expect(options('GET, HEAD, POST, DELETE')).toEqual([expect.stringContaining('OPTIONS answered Allow: GET, HEAD, POST, DELETE')]);
  });
});

describe('served by the service', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness('sqlite');
  });
  afterAll(async () => {
    await h?.close();
  });

  test('every route of the app is an operation of the document, and every operation a route of the app', () => {
    const template = (pattern: string) => pattern.replace(/:(\w+)/g, '{$1}').replace(/(.)\/$/, '$1');
    const routes = expressRoutes(h.expressApp).flatMap((r) => [...r.methods].filter((m) => m !== '_ALL').map((m) => `${m} ${template(r.pattern)}`));
    const documented = operations().map(({ path, method }) => `${method.toUpperCase()} ${path}`);
    expect(routes.filter((r) => !documented.includes(r))).toEqual([]);
    // /docs/{asset} is swagger-ui-dist's files, served by a static middleware rather than a route
    expect(documented.filter((d) => !routes.includes(d))).toEqual(['GET /docs/{asset}']);
  });

  test('GET /openapi.json without a key: the same document', async () => {
    const res = await request(h.app).get('/openapi.json').expect(200).expect('content-type', /application\/json/);
    expect(res.text).toBe(openApiJson());
  });

  test('GET /docs renders Swagger UI from local assets, under a CSP that loads nothing from elsewhere', async () => {
    const redirect = await request(h.app).get('/docs').expect(301);
    expect(redirect.headers.location).toBe('/docs/');
    const page = await request(h.app).get('/docs/').expect(200).expect('content-type', /text\/html/);
    expect(page.text).toContain('<div id="swagger-ui"></div>');
    const csp = page.headers['content-security-policy'];
    expect(csp).toContain("default-src 'self'");
    expect(csp).toContain("script-src 'self'");
    const assets = [...page.text.matchAll(/(?:src|href)="\.\/([^"]+)"/g)].map((m) => m[1]);
    expect(assets).toEqual(expect.arrayContaining(['swagger-ui.css', 'swagger-ui-bundle.js', 'swagger-ui-standalone-preset.js', 'swagger-ui-init.js']));
    for (const asset of assets) {
      const res = await request(h.app).get(`/docs/${asset}`).expect(200);
      expect(res.headers['content-type']).toMatch(/javascript|css|image\/png/);
    }
    const init = await request(h.app).get('/docs/swagger-ui-init.js').expect(200);
    expect(init.text).toContain('"swaggerUrl": "../openapi.json"');
    expect(init.text).toContain('"validatorUrl": null');
    // nothing else of swagger-ui-dist (its own index.html loads the petstore from the internet)
    await request(h.app).get('/docs/index.html').expect(404).expect('content-type', /application\/problem\+json/);
    await request(h.app).get('/docs/package.json').expect(404);
  });

  test('the harness checks every answer: probes, /metrics, /v1 and browser routes, unknown paths', async () => {
    const before = h.contract.checked;
    await request(h.app).get('/healthz').expect(200);
    await request(h.app).get('/readyz').expect(200);
    await request(h.app).get('/metrics').expect(200);
    await request(h.app).get('/favicon.ico').expect(200);
    await request(h.app).get('/assets/connect.css').expect(200);
    await request(h.app).get('/nowhere').expect(404);
    await request(h.app).head('/healthz').expect(200);
    const { key } = await connectCompany(h, 'DOCS');
    await request(h.app).get('/v1/companies/DOCS/connection').set(...bearer(key)).expect(200);
    await request(h.app).options('/v1/companies/DOCS/transfers').set(...bearer(key)).expect(200);
    await request(h.app).get('/connect/not-a-session').expect(404);
    expect(h.contract.checked - before).toBeGreaterThanOrEqual(12);
    expect(h.contract.violations).toEqual([]);
  });
});
