import { z } from 'zod';
import { AUDIT_ACTIONS } from './auditLog';
import { API_PROBLEMS, companyIdSchema, endpoint, jsonResponse, problemResponses } from '../http/endpoint';

/** The audit trail's API contract (admin scope): the route parses with these, the document shows them. */

const instant = z.iso.datetime({ offset: true, error: 'must be an ISO 8601 date-time with an offset' });

/** The cursor is the id of the last event of the previous page, base64url-encoded. */
export function encodeAuditCursor(id: number): string {
  return Buffer.from(`a${id}`, 'utf8').toString('base64url');
}

const auditCursorSchema = z
  .string()
  .max(40)
  .transform((value, ctx) => {
    const m = /^a([1-9][0-9]{0,15})$/.exec(Buffer.from(value, 'base64url').toString('utf8'));
    if (!m) {
      ctx.addIssue({ code: 'custom', message: 'is not a cursor this API returned' });
      return z.NEVER;
    }
    return Number(m[1]);
  });

export const auditQuerySchema = z
  .object({
    companyId: companyIdSchema.optional().meta({ description: 'only this company’s events (a key scoped to one company sees only its own, always)' }),
    action: z.enum(AUDIT_ACTIONS, { error: 'is not an audit action' }).optional().meta({ description: 'only this action' }),
    from: instant.transform((v) => new Date(v)).optional().meta({ description: '`occurredAt` ≥ this instant' }),
    to: instant.transform((v) => new Date(v)).optional().meta({ description: '`occurredAt` < this instant' }),
    limit: z.coerce.number({ error: 'must be an integer from 1 to 200' }).int('must be an integer from 1 to 200').min(1, 'must be an integer from 1 to 200').max(200, 'must be an integer from 1 to 200').default(50).meta({ description: 'page size' }),
    cursor: auditCursorSchema.optional().meta({ description: '`nextCursor` of the previous page' }),
  })
  .strict();

const auditEventSchema = z
  .object({
    id: z.number().int().meta({ description: 'increasing in the order events were written' }),
    occurredAt: z.iso.datetime(),
    actor: z
      .object({
        type: z.enum(['api_key', 'operator', 'browser', 'system']).meta({
          description: '`api_key` (the API), `operator` (the CLI: `--operator` or `$USER`), `browser` (the store owner at the bank’s redirect back), `system` (a scheduled job)',
        }),
        id: z.string().nullable().meta({ description: 'the API key’s id, the operator’s name, or `scheduler`' }),
        name: z.string().nullable().meta({ description: 'the API key’s name' }),
      })
      .meta({ id: 'AuditActor' }),
    action: z.string().meta({ description: `one of ${AUDIT_ACTIONS.map((a) => `\`${a}\``).join(', ')}` }),
    companyId: z.string().nullable(),
    resourceId: z.string().nullable().meta({ description: 'the transfer, connect session, API key, registration or webhook endpoint it was about' }),
    outcome: z.enum(['succeeded', 'failed']),
    reason: z.string().nullable().meta({ description: 'a short code: the error, the callback failure (`state_expired`…), the submission outcome (`accepted`…)' }),
    clientIp: z.string().nullable(),
    requestId: z.string().nullable().meta({ description: 'the X-Request-Id of the call, for the logs' }),
    details: z.record(z.string(), z.unknown()).nullable().meta({ description: 'counts and names (never a secret)' }),
  })
  .meta({ id: 'AuditEvent', description: 'One state-changing call: who, what, when, from where, and how it ended.' });

const auditListSchema = z
  .object({ items: z.array(auditEventSchema), nextCursor: z.string().nullable().meta({ description: 'pass as `cursor` for the next page; null on the last' }) })
  .meta({ id: 'AuditEventList' });
export type AuditEventList = z.infer<typeof auditListSchema>;

const listAuditEvents = endpoint({
  method: 'get',
  path: '/v1/audit-events',
  operationId: 'listAuditEvents',
  tags: ['administration'],
  summary: 'The audit trail, newest first',
  description:
    'Scope `admin`. Every state-changing call (transfers created and cancelled, connect sessions, the bank’s redirect back, disconnects, API keys, registrations, key re-encryption, purges, webhook endpoints) with its actor, client address, request id and outcome. A key scoped to one company sees only that company’s events (another `companyId` is a 404).',
  auth: 'apiKey',
  request: { query: auditQuerySchema },
  responses: {
    200: jsonResponse('A page of events.', auditListSchema),
    ...problemResponses(API_PROBLEMS),
  },
});

export const auditEndpoints = [listAuditEvents];
