import { z } from 'zod';
import { CompanyIdPattern } from '../db/columns';
import { PROBLEM_MEDIA_TYPE, PROBLEM_TYPES, problemExample, problemSchema, problemTypeUri, type ProblemInfo, type ProblemType } from './problemSchema';

/**
 * What a feature's contract is made of: one Endpoint per route, with the zod schemas of its request (path,
 * query, headers, body) and of each answer. Routes parse with these schemas, types are inferred from them,
 * and src/http/openapi.ts turns them into the OpenAPI document; nothing describes a shape twice.
 */
type Method = 'get' | 'post' | 'put' | 'patch' | 'delete';

interface MediaSpec {
  schema: z.ZodType;
  /** `id`: registered once in components.examples and referenced */
  examples?: Record<string, { id?: string; summary?: string; description?: string; value: unknown }>;
}

export interface ResponseSpec {
  description: string;
  /** media type → schema; absent: the answer has no body worth describing */
  content?: Record<string, MediaSpec>;
  /** response headers (z.object keyed by header name; optional members are optional headers) */
  headers?: z.ZodObject;
}

export interface Endpoint {
  method: Method;
  /** OpenAPI path template: `/v1/companies/{companyId}/transfers/{id}` */
  path: string;
  operationId: string;
  tags: string[];
  summary: string;
  description?: string;
  /** `apiKey`: `Authorization: Bearer <api key>`; `none`: no key (probes, browser routes, the document) */
  auth: 'apiKey' | 'none';
  request?: {
    params?: z.ZodObject;
    query?: z.ZodObject;
    headers?: z.ZodObject;
    body?: z.ZodType;
    bodyRequired?: boolean;
    bodyExamples?: MediaSpec['examples'];
  };
  responses: Record<number, ResponseSpec>;
}

/** Keeps each endpoint's literal types (for z.infer at the route) while checking it is an Endpoint. */
export const endpoint = <const E extends Endpoint>(e: E): E => e;

const JSON_MEDIA_TYPE = 'application/json';

const requestIdHeader = z
  .string()
  .meta({ description: 'The request id (the caller’s `X-Request-Id` when it is 8–64 of `A-Za-z0-9._-`, else a new UUID); logs carry it.', header: { id: 'X-Request-Id' } });

/** sent with every 503 but `token-key-missing`, and with 409 `request-in-flight` */
const retryAfterHeader = z
  .string()
  .regex(/^\d+$/)
  .optional()
  .meta({ description: 'Seconds to wait before trying again.', example: '5', header: { id: 'Retry-After' } });

/** Company ids are compared exactly (case matters); requireCompanyAccess checks them before any route runs. */
export const companyIdSchema = z
  .string()
  .regex(CompanyIdPattern, 'must be 1-64 characters of A-Z a-z 0-9 _ -')
  .meta({ description: 'ReCORE’s company id, 1–64 of `A-Za-z0-9_-`, case-sensitive. A key scoped to another company gets 404.', example: 'C1' });
export const companyParams = z.object({ companyId: companyIdSchema });

/** every answer carries X-Request-Id */
export const standardHeaders = z.object({ 'X-Request-Id': requestIdHeader });

/** A conditional GET (If-None-Match / If-Modified-Since) of something the client has: browsers send them for pages and assets. */
export const notModified: ResponseSpec = { description: 'Not modified: the copy the client has is current.', headers: standardHeaders };

export function jsonResponse(description: string, schema: z.ZodType, options: { headers?: z.ZodObject; examples?: MediaSpec['examples'] } = {}): ResponseSpec {
  return {
    description,
    headers: options.headers ? standardHeaders.extend(options.headers.shape) : standardHeaders,
    content: { [JSON_MEDIA_TYPE]: { schema, ...(options.examples ? { examples: options.examples } : {}) } },
  };
}

// ------------------------------------------------------------------------------------------ problems


/** What any /v1 route may answer before or beside its own work: the key, the company, the body, the database. */
export const API_PROBLEMS = [
  'validation-error',
  'malformed-json',
  'bad-request',
  'unauthorized',
  'insufficient-scope',
  'not-found',
  'payload-too-large',
  'unsupported-media-type',
  'unsupported-content-encoding',
  'internal-error',
  'database-unavailable',
] as const satisfies readonly ProblemType[];

/** What a route that calls the bank through the company's tokens may answer besides. */
export const BANK_PROBLEMS = ['not-connected', 'reauthorization-required', 'bank-error', 'bank-unavailable', 'try-again', 'token-key-missing'] as const satisfies readonly ProblemType[];

/** A request no documented operation takes (another path or method) is answered with one of these (no route: no scope to lack). */
export const UNROUTED_PROBLEMS = API_PROBLEMS.filter((type) => type !== 'insufficient-scope');

const SHARED_EXAMPLES = new Map<ProblemType, NonNullable<MediaSpec['examples']>[string]>();

interface ProblemOptions {
  /** the problem schema (default `Problem`; `TransferProblem` where a `transfer` member may come) */
  schema?: z.ZodObject;
  /** more extension members for a type's example (e.g. its `transfer`) */
  examples?: Partial<Record<ProblemType, Record<string, unknown>>>;
  /** more response headers, by status */
  headers?: Partial<Record<number, z.ZodObject>>;
}

/**
 * The problem answers of an operation, one response per status: the schema (with `type` restricted to the
 * types listed for that status), a line per type saying when, an example per type, and Retry-After on 503s.
 */
export function problemResponses(types: readonly ProblemType[], options: ProblemOptions = {}): Record<number, ResponseSpec> {
  const schema = options.schema ?? problemSchema;
  const byStatus = new Map<number, ProblemType[]>();
  for (const type of new Set(types)) {
    const { status } = PROBLEM_TYPES[type];
    byStatus.set(status, [...(byStatus.get(status) ?? []), type]);
  }
  const out: Record<number, ResponseSpec> = {};
  for (const [status, list] of [...byStatus].sort(([a], [b]) => a - b)) {
    const infos = list.map((type) => [type, PROBLEM_TYPES[type] as ProblemInfo] as const);
    const retry = infos.some(([, info]) => info.retryAfter !== undefined);
    const uris = list.map(problemTypeUri) as [string, ...string[]];
    const headers = retry ? standardHeaders.extend({ 'Retry-After': retryAfterHeader }) : standardHeaders;
    const more = options.headers?.[status];
    out[status] = {
      description: infos.map(([type, info]) => `\`${type}\`: ${info.when}`).join('; '),
      headers: more ? headers.extend(more.shape) : headers,
      content: {
        [PROBLEM_MEDIA_TYPE]: {
          // the problem schema, and a `type` that is one of this status's types for this operation
          schema: z.intersection(schema, z.looseObject({ type: z.enum(uris) })),
          examples: Object.fromEntries(
            infos.map(([type, info]) => {
              const own = options.examples?.[type];
              if (own) return [type, { summary: info.when, value: problemExample(status, type, info.title, info.detail, { ...info.extra, ...own }) }];
              // the same example everywhere: one object, so the document has it once (components.examples) and refers to it
              let shared = SHARED_EXAMPLES.get(type);
              if (!shared) {
                shared = { id: `problem-${type}`, summary: info.when, value: problemExample(status, type, info.title, info.detail, info.extra) };
                SHARED_EXAMPLES.set(type, shared);
              }
              return [type, shared];
            }),
          ),
        },
      },
    };
  }
  return out;
}
