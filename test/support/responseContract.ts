import type { IncomingMessage, OutgoingHttpHeaders, RequestListener, ServerResponse } from 'node:http';
import Ajv2020, { type ValidateFunction } from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import type { Express } from 'express';
import { match } from 'path-to-regexp';
import { openApiDocument, UNROUTED_EXTENSION } from '../../src/http/openapi';

/**
 * Checks every answer the service gives against the OpenAPI document the service serves: the harness
 * puts `listener()` in front of the app, so every response the API, db, fuzz and faults suites receive
 * is recorded and checked for its route, method and status (the body against the schema, the media
 * type, the required headers), and the harness's close() fails the test file on any violation.
 *
 * A request that no documented operation takes must be answered as `x-unrouted-responses` says; one
 * that an Express route serves although the document does not list it is a violation.
 */

type Json = Record<string, unknown>;

interface HeaderSpec {
  required: boolean;
  validate: ValidateFunction;
}

interface ResponseRule {
  /** media type → body validator (null: not checked, e.g. binary) */
  content: Map<string, ValidateFunction | null> | null;
  headers: Map<string, HeaderSpec>;
}

interface Operation {
  method: string;
  template: string;
  params: number;
  matches: (path: string) => boolean;
  responses: Map<string, ResponseRule>;
}

export interface Exchange {
  method: string;
  url: string;
  status: number;
  headers: OutgoingHttpHeaders;
  body: Buffer;
}

interface Finding {
  count: number;
  example: string;
}

const DOC_ID = 'https://gmo-bank-integrator/openapi.json';
const HTTP_METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'];

/** Express 5's own path matching (router: not strict, not case-sensitive), so both sides agree on which path is which. */
function pathMatcher(template: string): (path: string) => boolean {
  const fn = match(template.replace(/\{(\w+)\}/g, ':$1'), { decode: false, trailing: true, sensitive: false });
  return (path) => fn(path) !== false;
}

interface Layer {
  rawPath?: unknown;
  route?: { path: string; methods: Record<string, boolean> };
  handle?: { stack?: Layer[] };
}

/** The app's own routes (as src/http/routePattern.ts reads them): method + pattern. */
export function expressRoutes(app: Express): Array<{ methods: Set<string>; pattern: string; matches: (path: string) => boolean }> {
  const out: Array<{ methods: Set<string>; pattern: string; matches: (path: string) => boolean }> = [];
  const collect = (stack: Layer[], prefix: string) => {
    for (const layer of stack) {
      if (layer.route) {
        const pattern = `${prefix}${layer.route.path}`;
        const fn = match(pattern, { decode: false, trailing: true, sensitive: false });
        out.push({ pattern, methods: new Set(Object.keys(layer.route.methods).map((m) => m.toUpperCase())), matches: (p) => fn(p) !== false });
      } else if (layer.handle?.stack) {
        const mount = typeof layer.rawPath === 'string' && layer.rawPath !== '/' ? layer.rawPath : '';
        collect(layer.handle.stack, `${prefix}${mount}`);
      }
    }
  };
  collect((app as unknown as { router: { stack: Layer[] } }).router.stack, '');
  return out;
}

const headerValue = (headers: OutgoingHttpHeaders, name: string): string | undefined => {
  const v = headers[name.toLowerCase()];
  return v === undefined ? undefined : Array.isArray(v) ? v.join(', ') : String(v);
};

const isJsonMedia = (media: string) => media === 'application/json' || media.endsWith('+json');

function preview(body: Buffer): string {
  const s = body.toString('utf8');
  return s.length > 300 ? `${s.slice(0, 300)}… (${body.length} bytes)` : s;
}

/** The document's operations with their compiled validators: built once per test process (a few hundred ms). */
class CompiledDocument {
  readonly document: Json = openApiDocument();
  readonly ajv = new Ajv2020({ allErrors: true, strict: false });
  readonly operations: Operation[] = [];
  readonly unrouted: Map<string, ResponseRule>;
  private readonly compiled = new Map<string, ValidateFunction>();

  constructor() {
    addFormats(this.ajv);
    this.ajv.addFormat('binary', true);
    const components = this.document.components as Json;
    this.ajv.addSchema({ $id: DOC_ID, components: { schemas: this.relink(components.schemas) } });
    for (const [template, item] of Object.entries(this.document.paths as Record<string, Json>)) {
      for (const method of HTTP_METHODS) {
        const op = item[method] as Json | undefined;
        if (!op) continue;
        this.operations.push({
          method: method.toUpperCase(),
          template,
          params: (template.match(/\{/g) ?? []).length,
          matches: pathMatcher(template),
          responses: this.rules(op.responses as Json),
        });
      }
    }
    // concrete paths before templated ones, as OpenAPI matches them
    this.operations.sort((a, b) => a.params - b.params);
    this.unrouted = this.rules(this.document[UNROUTED_EXTENSION] as Json);
  }

  /** `#/components/…` refs of a schema taken out of the document point into the document registered with Ajv */
  private relink(schema: unknown): unknown {
    if (Array.isArray(schema)) return schema.map((s) => this.relink(s));
    if (!schema || typeof schema !== 'object') return schema;
    return Object.fromEntries(
      Object.entries(schema).map(([k, v]) => [k, k === '$ref' && typeof v === 'string' && v.startsWith('#/') ? `${DOC_ID}${v}` : this.relink(v)]),
    );
  }

  private compile(schema: unknown): ValidateFunction {
    const relinked = this.relink(schema) as Json;
    const key = JSON.stringify(relinked);
    let validate = this.compiled.get(key);
    if (!validate) {
      validate = this.ajv.compile(relinked);
      this.compiled.set(key, validate);
    }
    return validate;
  }

  private resolve(value: Json): Json {
    const ref = value.$ref;
    if (typeof ref !== 'string') return value;
    return ref
      .slice(2)
      .split('/')
      .reduce<Json>((node, key) => node[key] as Json, this.document);
  }

  private rules(responses: Json): Map<string, ResponseRule> {
    const out = new Map<string, ResponseRule>();
    for (const [status, raw] of Object.entries(responses)) {
      const response = this.resolve(raw as Json);
      const content = response.content as Record<string, Json> | undefined;
      const headers = new Map<string, HeaderSpec>();
      for (const [name, h] of Object.entries((response.headers ?? {}) as Record<string, Json>)) {
        const header = this.resolve(h);
        headers.set(name, { required: header.required === true, validate: this.compile(header.schema ?? {}) });
      }
      out.set(status, {
        content: content
          ? new Map(
              Object.entries(content).map(([media, m]) => {
                const schema = m.schema as Json | undefined;
                const checked = schema && (isJsonMedia(media) || media.startsWith('text/'));
                return [media, checked ? this.compile(schema) : null];
              }),
            )
          : null,
        headers,
      });
    }
    return out;
  }

  operationFor(method: string, path: string): Operation | undefined {
    const m = method === 'HEAD' ? 'GET' : method;
    return this.operations.find((op) => op.method === m && op.matches(path));
  }

  documentedMethods(path: string): Set<string> {
    const methods = new Set(this.operations.filter((op) => op.matches(path)).map((op) => op.method));
    if (methods.has('GET')) methods.add('HEAD');
    return methods;
  }
}

let compiledDocument: CompiledDocument | undefined;

export class ResponseContract {
  private readonly doc = (compiledDocument ??= new CompiledDocument());
  readonly document = this.doc.document;
  private readonly routes: ReturnType<typeof expressRoutes> | undefined;
  private readonly findings = new Map<string, Finding>();
  checked = 0;

  /** `app`: its Express routes, so an answer from a route the document does not list is a violation */
  constructor(app?: Express) {
    this.routes = app ? expressRoutes(app) : undefined;
  }

  /** The violations of one exchange (empty when it conforms). */
  check(x: Exchange): string[] {
    return this.inspect(x).map((v) => (v.evidence ? `${v.violation}; ${v.evidence}` : v.violation));
  }

  /** Each violation, and the body that shows it (kept apart so violations of one kind group together). */
  private inspect(x: Exchange): Array<{ violation: string; evidence?: string }> {
    this.checked++;
    // the path as Express routes it (parseurl: a '#' ends it like a '?')
    const path = x.url.split(/[?#]/)[0];
    const op = this.doc.operationFor(x.method, path);
    const status = String(x.status);
    const problems: Array<{ violation: string; evidence?: string }> = [];
    const fail = (violation: string, evidence?: string) => problems.push({ violation, evidence });
    let rule: ResponseRule | undefined;
    let where: string;
    if (op) {
      where = `${op.method} ${op.template}`;
      rule = op.responses.get(status) ?? op.responses.get(`${status[0]}XX`) ?? op.responses.get('default');
      if (!rule) return [{ violation: `${where}: status ${status} is not documented for this operation`, evidence: `body was ${preview(x.body)}` }];
    } else {
      where = `(no operation) ${x.method}`;
      const served = this.routes?.find((r) => r.matches(path) && (r.methods.has(x.method) || (x.method === 'HEAD' && r.methods.has('GET'))));
      if (served) return [{ violation: `${x.method} ${served.pattern}: an Express route the document does not list` }];
      rule = this.doc.unrouted.get(status);
      if (!rule) return [{ violation: `${where}: status ${status} is not in ${UNROUTED_EXTENSION}`, evidence: `body was ${preview(x.body)}` }];
      if (x.method === 'OPTIONS' && x.status === 200) {
        const allow = new Set((headerValue(x.headers, 'allow') ?? '').split(',').map((m) => m.trim()).filter(Boolean));
        const documented = this.doc.documentedMethods(path);
        if (documented.size === 0 || [...allow].sort().join(',') !== [...documented].sort().join(',')) {
          fail(`OPTIONS answered Allow: ${[...allow].join(', ') || '(none)'}, the document lists ${[...documented].join(', ') || 'no operation'} for this path`);
        }
      }
    }

    for (const [name, spec] of rule.headers) {
      const value = headerValue(x.headers, name);
      if (value === undefined) {
        if (spec.required) fail(`header ${name} is required but missing`);
      } else if (!spec.validate(value)) {
        fail(`header ${name}: ${this.doc.ajv.errorsText(spec.validate.errors, { dataVar: name })}`, `it was ${JSON.stringify(value)}`);
      }
    }

    const contentType = headerValue(x.headers, 'content-type');
    const media = contentType?.split(';')[0].trim().toLowerCase();
    const hasBody = x.body.length > 0;
    if (!rule.content) {
      if (hasBody) fail(`a body (${contentType ?? 'no Content-Type'}) where the document describes none`, `body was ${preview(x.body)}`);
    } else if (media === undefined) {
      if (hasBody || x.method !== 'HEAD') fail(`no Content-Type; the document says ${[...rule.content.keys()].join(' or ')}`);
    } else if (!rule.content.has(media)) {
      fail(`Content-Type ${contentType}; the document says ${[...rule.content.keys()].join(' or ')}`);
    } else if (x.method !== 'HEAD') {
      const validate = rule.content.get(media);
      if (validate) {
        let body: unknown = x.body.toString('utf8');
        let parsed = true;
        if (isJsonMedia(media)) {
          try {
            body = JSON.parse(body as string);
          } catch {
            parsed = false;
            fail('the body is not JSON', `body was ${preview(x.body)}`);
          }
        }
        const problemType = parsed && media === 'application/problem+json' ? String((body as { type?: unknown }).type).split('/').pop() : undefined;
        if (parsed && !validate(body)) {
          fail(`body${problemType ? ` (problem ${problemType})` : ''}: ${this.doc.ajv.errorsText(validate.errors, { dataVar: 'body', separator: '; ' })}`, `body was ${preview(x.body)}`);
        }
        if (problemType && (body as { status?: unknown }).status !== x.status) {
          fail(`problem status ${String((body as { status?: unknown }).status)} is not the HTTP status`);
        }
      }
    }
    return problems.map((p) => ({ ...p, violation: `${where} → ${status}: ${p.violation}` }));
  }

  /** Records a violation (grouped by its text without the concrete path, first example kept). */
  record(x: Exchange): void {
    for (const { violation, evidence } of this.inspect(x)) {
      const finding = this.findings.get(violation);
      if (finding) finding.count++;
      else this.findings.set(violation, { count: 1, example: `${x.method} ${x.url.length > 200 ? `${x.url.slice(0, 200)}…` : x.url}${evidence ? `, ${evidence}` : ''}` });
    }
  }

  get violations(): string[] {
    return [...this.findings].map(([violation, f]) => `${violation}\n    ${f.count}× e.g. ${f.example}`);
  }

  /** A request listener that serves with `app` and records every response it gives. */
  listener(app: RequestListener): RequestListener {
    return (req: IncomingMessage, res: ServerResponse) => {
      const method = req.method ?? 'GET';
      const url = req.url ?? '/';
      const chunks: Buffer[] = [];
      const keep = (chunk: unknown, encoding?: unknown) => {
        if (chunk === undefined || chunk === null || typeof chunk === 'function') return;
        chunks.push(Buffer.isBuffer(chunk) ? chunk : typeof chunk === 'string' ? Buffer.from(chunk, typeof encoding === 'string' ? (encoding as BufferEncoding) : 'utf8') : Buffer.from(chunk as Uint8Array));
      };
      const write = res.write.bind(res) as (...args: unknown[]) => boolean;
      const end = res.end.bind(res) as (...args: unknown[]) => ServerResponse;
      res.write = ((chunk: unknown, ...rest: unknown[]) => {
        keep(chunk, rest[0]);
        return write(chunk, ...rest);
      }) as ServerResponse['write'];
      res.end = ((chunk?: unknown, ...rest: unknown[]) => {
        keep(chunk, rest[0]);
        return end(chunk, ...rest);
      }) as ServerResponse['end'];
      res.on('finish', () => this.record({ method, url, status: res.statusCode, headers: res.getHeaders(), body: Buffer.concat(chunks) }));
      app(req, res);
    };
  }

  /** Throws when any response did not conform: route, status and the schema error, each with a count and an example. */
  assertConforms(): void {
    const list = this.violations;
    if (list.length > 0) {
      throw new Error(`${list.length} kind(s) of response do not conform to the OpenAPI document (docs/openapi.json, src/*/contract.ts):\n  ${list.join('\n  ')}`);
    }
  }
}
