import { z } from 'zod';
import { API_PROBLEMS, companyParams, endpoint, jsonResponse, problemResponses, standardHeaders } from '../http/endpoint';

/**
 * The contract of a company's own GMO app registration (admin scope): the route parses with these
 * schemas and the OpenAPI document is generated from them. The rules themselves (offline_access, the
 * forms of id, secret and scopes) are AppRegistrations' (registrationIssues), the same for the CLI.
 */

const printable = /^[\x21-\x7e]+$/;

export const registrationBodySchema = z
  .object({
    clientId: z
      .string({ error: 'is required' })
      .min(1, 'is required')
      .max(128, 'must be at most 128 characters')
      .regex(printable, 'must be printable ASCII without spaces')
      .meta({ description: "the client id GMO issued for this company's app", example: 'own-client-of-shop' }),
    clientSecret: z
      .string({ error: 'is required' })
      .min(1, 'is required')
      .max(1024, 'must be at most 1024 characters')
      .meta({ description: 'Write-only: sealed (AES-256-GCM) at once and never returned by any call.', example: 'the-client-secret', writeOnly: true }),
    authMethod: z
      .enum(['post', 'basic'], { error: 'must be post or basic' })
      .default('post')
      .meta({ description: 'client authentication at the token endpoint: `post` = パラメーター認証 (client_secret_post), `basic` = ベーシック認証' }),
    scopes: z
      .array(z.string().regex(printable, 'must be a scope name without spaces'), { error: 'must be an array of scope names' })
      .min(1, 'must name at least one scope')
      .optional()
      .meta({ description: 'the scopes to ask for; must include `offline_access` (else no refresh token). Default: `BANK_SCOPES`.', example: ['openid', 'offline_access', 'private:account', 'private:transfer'] }),
    pkce: z.boolean({ error: 'must be true or false' }).default(false).meta({ description: 'send a PKCE S256 challenge' }),
  })
  .strict()
  .meta({ id: 'BankRegistrationRequest' });

const registrationSchema = z
  .object({
    companyId: z.string(),
    environment: z.string().meta({ description: 'the bank environment it is for' }),
    clientId: z.string(),
    authMethod: z.enum(['post', 'basic']),
    scopes: z.array(z.string()),
    pkce: z.boolean(),
    createdAt: z.iso.datetime(),
    updatedAt: z.iso.datetime(),
  })
  .meta({ id: 'BankRegistration', description: "A company's own GMO app registration: never the client secret." });

const TAGS = ['administration'];
const AFTER =
  'The company uses it from its next connect session on; a company connected under another registration must connect again (its refresh fails with `reauthorization-required`, `registration_changed`).';

const getBankRegistration = endpoint({
  method: 'get',
  path: '/v1/companies/{companyId}/bank-registration',
  operationId: 'getBankRegistration',
  tags: TAGS,
  summary: "The company's own GMO app registration",
  description: 'Scope `admin`. 404 when the company has none (it uses the vendor’s registration). Never the client secret.',
  auth: 'apiKey',
  request: { params: companyParams },
  responses: {
    200: jsonResponse('The registration.', registrationSchema),
    ...problemResponses(API_PROBLEMS),
  },
});

const putBankRegistration = endpoint({
  method: 'put',
  path: '/v1/companies/{companyId}/bank-registration',
  operationId: 'putBankRegistration',
  tags: TAGS,
  summary: "Store or replace the company's own GMO app registration",
  description: `Scope \`admin\`. Where GMO issued the company its own client, it replaces the vendor’s for that company. The same rules as \`registration set\` of the CLI; an invalid field is a 400 naming it and stores nothing. The client secret is write-only. ${AFTER}`,
  auth: 'apiKey',
  request: { params: companyParams, body: registrationBodySchema, bodyRequired: true },
  responses: {
    200: jsonResponse('Replaced.', registrationSchema),
    201: jsonResponse('Stored.', registrationSchema),
    ...problemResponses(API_PROBLEMS),
  },
});

const deleteBankRegistration = endpoint({
  method: 'delete',
  path: '/v1/companies/{companyId}/bank-registration',
  operationId: 'deleteBankRegistration',
  tags: TAGS,
  summary: "Remove the company's own registration: the vendor's applies again",
  description: `Scope \`admin\`. 404 when the company has none. ${AFTER}`,
  auth: 'apiKey',
  request: { params: companyParams },
  responses: {
    204: { description: 'Removed.', headers: standardHeaders },
    ...problemResponses(API_PROBLEMS),
  },
});

export const registrationEndpoints = [getBankRegistration, putBankRegistration, deleteBankRegistration];
