import { z } from 'zod';
import { accountSchema } from '../accounts/contract';
import { API_PROBLEMS, companyParams, endpoint, jsonResponse, notModified, problemResponses, standardHeaders, type ResponseSpec } from '../http/endpoint';
import type { ConnectionStatus } from './bankConnection.entity';

/**
 * The connections contract: ReCORE's server-to-server API for bank connections (/v1) and the store
 * owner's browser routes (the connect link and the bank's redirect back). The routes parse with these
 * schemas, ConnectionView is inferred from them, and the OpenAPI document is generated from them.
 */

// ------------------------------------------------------------------------------------------ API

/** The origin of an absolute http(s) URL, or undefined for anything else (never throws). */
export function originOf(value: string): string | undefined {
  try {
    const url = new URL(value);
    return url.protocol === 'https:' || url.protocol === 'http:' ? url.origin : undefined;
  } catch {
    return undefined;
  }
}

const connectSessionBodySchema = z
  .object({
    returnUrl: z
      .string({ error: 'must be an absolute https URL' })
      .max(2048, 'must be at most 2048 characters')
      .refine((u) => originOf(u) !== undefined, { message: 'must be an absolute http(s) URL', abort: true })
      .optional()
      .meta({
        description:
          'Where the store owner’s browser goes back to after connecting (with `?bankConnection=connected`), instead of our Japanese page. An absolute http(s) URL whose origin is in `RETURN_URL_ORIGINS` (else 400 naming `returnUrl`).',
        example: 'https://recore.example/settings/bank',
      }),
  })
  .strict()
  .meta({ id: 'ConnectSessionRequest' });

const connectSessionSchema = z
  .object({
    id: z.uuid(),
    url: z.url().meta({ description: 'the connect link to open in the store owner’s browser (`GET /connect/{sessionId}`)', example: 'https://integrator.example.com/connect/5b0c…' }),
    expiresAt: z.iso.datetime().meta({ description: 'the link works once, until then (24 h)' }),
  })
  .meta({ id: 'ConnectSession' });
export type ConnectSessionView = z.infer<typeof connectSessionSchema>;

const connectionStatusSchema = z.enum(['connected', 'reauthorization_required', 'disconnected']).meta({
  description:
    '`connected`; `reauthorization_required` (the bank refused the refresh token with `invalid_grant`, or every token expired: the store owner must connect again); `disconnected`. Read and payout calls on a company not `connected` answer 409 `not-connected` / `reauthorization-required`.',
});
// the contract and the stored status are the same set, checked by the compiler
type SameSet<A, B> = [A] extends [B] ? ([B] extends [A] ? true : never) : never;
const statusesMatch: SameSet<z.infer<typeof connectionStatusSchema>, ConnectionStatus> = true;
void statusesMatch;

export const connectionSchema = z
  .object({
    companyId: z.string(),
    status: connectionStatusSchema,
    statusReason: z.string().nullable().meta({ description: 'why it is not `connected` (`invalid_grant`, `disconnected_by_api`, …)' }),
    environment: z.string().meta({ description: 'the bank environment: `simulator`, `staging` or `production`' }),
    scopes: z.array(z.string()).meta({ description: 'as granted by the bank' }),
    accounts: z.array(accountSchema).meta({ description: 'the account list as last read from the bank; empty once disconnected' }),
    accessTokenExpiresAt: z.iso.datetime().nullable(),
    refreshTokenExpiresAt: z.iso.datetime().nullable(),
    connectedAt: z.iso.datetime().nullable(),
    disconnectedAt: z.iso.datetime().nullable(),
    updatedAt: z.iso.datetime(),
  })
  .meta({ id: 'Connection', description: 'What ReCORE may know of a bank connection: never a token.' });
export type ConnectionView = z.infer<typeof connectionSchema>;

const TAGS = ['connections'];

export const createConnectSession = endpoint({
  method: 'post',
  path: '/v1/companies/{companyId}/connect-sessions',
  operationId: 'createConnectSession',
  tags: TAGS,
  summary: 'Start connecting the company’s bank account',
  description:
    'Returns a one-time connect link for the store owner’s browser: it goes to GMO’s consent page (OAuth 2.0 authorization code flow) and back to `/refresh_token/{companyId}`. The body may be empty.',
  auth: 'apiKey',
  request: { params: companyParams, body: connectSessionBodySchema },
  responses: {
    201: jsonResponse('The connect link.', connectSessionSchema),
    ...problemResponses(API_PROBLEMS),
  },
});

const getConnection = endpoint({
  method: 'get',
  path: '/v1/companies/{companyId}/connection',
  operationId: 'getConnection',
  tags: TAGS,
  summary: 'The company’s bank connection',
  description: '404 before the first connect. Never a token.',
  auth: 'apiKey',
  request: { params: companyParams },
  responses: {
    200: jsonResponse('The connection.', connectionSchema),
    ...problemResponses(API_PROBLEMS),
  },
});

const deleteConnection = endpoint({
  method: 'delete',
  path: '/v1/companies/{companyId}/connection',
  operationId: 'disconnect',
  tags: TAGS,
  summary: 'Disconnect: delete the company’s bank tokens',
  description: 'The tokens are physically deleted; the connection stays, `status: "disconnected"`. 404 before the first connect.',
  auth: 'apiKey',
  request: { params: companyParams },
  responses: {
    200: jsonResponse('The connection, now disconnected.', connectionSchema),
    ...problemResponses(API_PROBLEMS),
  },
});

// ------------------------------------------------------------------------------------------ browser

export const BROWSER_COOKIE = 'gbi_connect';

const connectParams = z.object({
  sessionId: z.string().meta({ description: 'the connect session’s id (a UUID; anything else is the 404 page)', example: '5b0c2f6e-7a0d-4b8e-9f7a-0c1d2e3f4a5b' }),
});

/** Everything the bank may append is a string; anything else (arrays from repeated params) is refused. */
export const callbackQuerySchema = z.object({
  code: z.string().min(1).max(512).optional().meta({ description: 'the authorization code' }),
  state: z.string().min(1).max(256).optional().meta({ description: 'the state we sent (consumed first, whatever happens next)' }),
  error: z.string().max(64).optional().meta({ description: 'the bank’s OAuth error, e.g. `access_denied`' }),
});

const callbackParams = z.object({
  companyId: z.string().meta({ description: 'the company the connect session was for (the redirect URI registered with GMO)', example: 'C1' }),
});

const html = z.string().meta({ description: 'a Japanese HTML page' });
const noStore = z.literal('no-store');
const redirectBody = { 'text/plain': { schema: z.string() }, 'text/html': { schema: z.string() } };

/** Each failure has its own Japanese page (title, what to do, `エラーコード: <failure>`) and stores nothing. */
function pages(statuses: Record<number, string>): Record<number, ResponseSpec> {
  return Object.fromEntries(
    Object.entries(statuses).map(([status, failures]) => [
      status,
      { description: `A Japanese error page: ${failures}.`, headers: standardHeaders.extend({ 'Cache-Control': noStore }), content: { 'text/html': { schema: html } } },
    ]),
  );
}

const openConnectLink = endpoint({
  method: 'get',
  path: '/connect/{sessionId}',
  operationId: 'openConnectLink',
  tags: ['browser'],
  summary: 'The connect link (store owner’s browser)',
  description:
    'Sets a short-lived HttpOnly, SameSite=Lax cookie bound to `/refresh_token/{companyId}` and redirects to the bank’s `/authorization` with a fresh `state` (only its SHA-256 is stored). Every failure is a Japanese page.',
  auth: 'none',
  request: { params: connectParams },
  responses: {
    302: {
      description: 'To the bank’s consent page.',
      headers: standardHeaders.extend({
        Location: z.url().meta({ description: 'the bank’s /authorization URL' }),
        'Set-Cookie': z.string().meta({ description: `\`${BROWSER_COOKIE}=…; Path=/refresh_token/{companyId}; HttpOnly; SameSite=Lax\`` }),
        'Cache-Control': noStore,
      }),
      content: redirectBody,
    },
    ...pages({
      400: '`bad_request` (a malformed path)',
      404: '`session_not_found`',
      409: '`session_used`',
      410: '`session_expired`',
      500: '`internal_error`',
      503: '`temporarily_unavailable` (the database does not answer)',
    }),
  },
});

const bankCallback = endpoint({
  method: 'get',
  path: '/refresh_token/{companyId}',
  operationId: 'bankCallback',
  tags: ['browser'],
  summary: 'The bank’s redirect back (OAuth callback)',
  description:
    'Consumes the state first, whatever happens next; checks it is unexpired (10 min), of the same company and of the same browser (the cookie); exchanges the code, reads the account list and stores the tokens. Register `${PUBLIC_BASE_URL}/refresh_token/{companyId}` as redirect URI with GMO.',
  auth: 'none',
  request: { params: callbackParams, query: callbackQuerySchema },
  responses: {
    200: {
      description: 'Connected: 「銀行口座の連携が完了しました」.',
      headers: standardHeaders.extend({ 'Cache-Control': noStore }),
      content: { 'text/html': { schema: html } },
    },
    303: {
      description: 'Connected, back to the connect session’s `returnUrl` with `?bankConnection=connected`.',
      headers: standardHeaders.extend({ Location: z.url(), 'Cache-Control': noStore }),
      content: redirectBody,
    },
    ...pages({
      400: '`missing_state`, `unknown_state`, `state_expired`, `company_mismatch`, `browser_mismatch`, `access_denied`, `bank_error`, `missing_code`, `bad_request`',
      409: '`state_reused`',
      500: '`internal_error`',
      502: '`token_exchange_failed`',
      503: '`bank_unavailable`, `temporarily_unavailable`',
    }),
  },
});

export const favicon = endpoint({
  method: 'get',
  path: '/favicon.ico',
  operationId: 'favicon',
  tags: ['browser'],
  summary: 'The pages’ icon',
  auth: 'none',
  responses: { 200: { description: 'A 16×16 icon.', headers: standardHeaders, content: { 'image/x-icon': { schema: z.string().meta({ format: 'binary' }) } } }, 304: notModified },
});

const pageStylesheet = endpoint({
  method: 'get',
  path: '/assets/connect.css',
  operationId: 'pageStylesheet',
  tags: ['browser'],
  summary: 'The pages’ stylesheet (a file: the CSP forbids inline styles)',
  auth: 'none',
  responses: { 200: { description: 'CSS.', headers: standardHeaders, content: { 'text/css': { schema: z.string() } } }, 304: notModified },
});

export const connectionEndpoints = [createConnectSession, getConnection, deleteConnection];
export const browserEndpoints = [openConnectLink, bankCallback, favicon, pageStylesheet];
