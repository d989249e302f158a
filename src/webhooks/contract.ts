import { z } from 'zod';
import { API_PROBLEMS, companyIdSchema, endpoint, jsonResponse, problemResponses, type ResponseSpec } from '../http/endpoint';
import { EVENT_TYPES } from './events';

/**
 * The webhooks contract (scope `admin`): endpoints that receive events, and their deliveries. The routes
 * parse with these schemas and the OpenAPI document shows them. A key scoped to one company sees and
 * changes only that company's endpoints and deliveries.
 */

const TAGS = ['webhooks'];
const idParams = z.object({ id: z.uuid('is not an id this API returned') });

const eventTypeSchema = z.enum(EVENT_TYPES, { error: `must be one of ${EVENT_TYPES.join(', ')}` });

const endpointBodySchema = z
  .object({
    url: z.string({ error: 'is required' }).max(2048, 'must be at most 2048 characters').meta({
      description:
        'Where events are POSTed: https (plain http only on loopback, or in the simulator environment); never a private or reserved address unless `WEBHOOK_ALLOW_PRIVATE_NETWORKS=true`.',
      example: 'https://recore.example/hooks/bank',
    }),
    companyId: companyIdSchema.nullable().optional().meta({ description: 'only this company’s events (forced to the key’s company for a company-scoped key); absent or null: every company' }),
    eventTypes: z.array(eventTypeSchema).min(1).max(EVENT_TYPES.length).nullable().optional().meta({ description: 'only these event types; absent or null: every type' }),
  })
  .strict()
  .meta({ id: 'WebhookEndpointRequest' });

export const endpointSchema = z
  .object({
    id: z.uuid(),
    url: z.string(),
    companyId: z.string().nullable(),
    eventTypes: z.array(z.string()).nullable(),
    status: z.enum(['active', 'disabled']),
    previousSecretUntil: z.iso.datetime().nullable().meta({ description: 'after a rotation, the old secret also signs until then' }),
    createdAt: z.iso.datetime(),
    updatedAt: z.iso.datetime(),
  })
  .meta({ id: 'WebhookEndpoint', description: 'A receiver of events. Its signing secret is never shown again after it is issued.' });

const endpointWithSecretSchema = z
  .object({
    endpoint: endpointSchema,
    secret: z.string().meta({ description: 'the Standard Webhooks signing secret (`whsec_…`), shown this once: store it now', example: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw' }),
  })
  .meta({ id: 'WebhookEndpointSecret' });

const endpointListSchema = z.object({ items: z.array(endpointSchema) }).meta({ id: 'WebhookEndpointList' });

const deliverySchema = z
  .object({
    id: z.uuid(),
    eventId: z.uuid().meta({ description: 'the `webhook-id` header and the envelope’s `id`: dedupe on it' }),
    eventType: z.string(),
    endpointId: z.string().meta({ description: 'a webhook endpoint id, or `default` for `WEBHOOK_URL`' }),
    status: z.enum(['pending', 'delivered', 'failed']),
    attempts: z.number().int(),
    attemptLog: z.array(z.object({ at: z.iso.datetime(), status: z.number().int().optional(), error: z.string().optional(), ms: z.number() })).meta({ description: 'the last attempts, oldest first' }),
    lastError: z.string().nullable(),
    nextAttemptAt: z.iso.datetime().nullable(),
    deliveredAt: z.iso.datetime().nullable(),
    createdAt: z.iso.datetime(),
  })
  .meta({ id: 'WebhookDelivery' });

const deliveryListSchema = z.object({ items: z.array(deliverySchema) }).meta({ id: 'WebhookDeliveryList' });

export const deliveryQuerySchema = z
  .object({
    status: z.enum(['pending', 'delivered', 'failed'], { error: 'must be pending, delivered or failed' }).optional(),
    endpointId: z.string().max(36).optional(),
    eventType: z.string().max(48).optional(),
    limit: z.coerce.number({ error: 'must be an integer from 1 to 200' }).int('must be an integer from 1 to 200').min(1, 'must be an integer from 1 to 200').max(200, 'must be an integer from 1 to 200').default(50),
  })
  .strict();

const ENDPOINT_PROBLEMS = [...API_PROBLEMS, 'receiver-not-allowed'] as const;
const ok = (description: string, schema: z.ZodType): Record<number, ResponseSpec> => ({ 200: jsonResponse(description, schema) });

export const createWebhookEndpoint = endpoint({
  method: 'post',
  path: '/v1/webhook-endpoints',
  operationId: 'createWebhookEndpoint',
  tags: TAGS,
  summary: 'Add an endpoint that receives events',
  description:
    'Events are POSTed as JSON `{ id, type, timestamp, companyId, data }` (data: the resource as the API shows it, account numbers masked), signed per Standard Webhooks (`webhook-id`, `webhook-timestamp`, `webhook-signature`). A 2xx answer is delivered; anything else or no answer within `WEBHOOK_TIMEOUT_MS` is retried with exponential backoff and jitter (30 s doubling to 1 h) for 24 h, then `failed`. Delivery is at least once: dedupe on the event id.',
  auth: 'apiKey',
  request: { body: endpointBodySchema, bodyRequired: true },
  responses: { 201: jsonResponse('Added; the secret is shown this once.', endpointWithSecretSchema), ...problemResponses(ENDPOINT_PROBLEMS) },
});

const listWebhookEndpoints = endpoint({
  method: 'get',
  path: '/v1/webhook-endpoints',
  operationId: 'listWebhookEndpoints',
  tags: TAGS,
  summary: 'The endpoints (never their secrets)',
  auth: 'apiKey',
  responses: { ...ok('The endpoints.', endpointListSchema), ...problemResponses(API_PROBLEMS) },
});

const endpointAction = (action: 'disable' | 'enable', summary: string) =>
  endpoint({
    method: 'post',
    path: `/v1/webhook-endpoints/{id}/${action}`,
    operationId: `${action}WebhookEndpoint`,
    tags: TAGS,
    summary,
    auth: 'apiKey',
    request: { params: idParams },
    responses: { ...ok('The endpoint.', endpointSchema), ...problemResponses(API_PROBLEMS) },
  });
export const disableWebhookEndpoint = endpointAction('disable', 'Stop sending to an endpoint (its pending deliveries fail)');
const enableWebhookEndpoint = endpointAction('enable', 'Send to an endpoint again');

export const rotateWebhookSecret = endpoint({
  method: 'post',
  path: '/v1/webhook-endpoints/{id}/rotate-secret',
  operationId: 'rotateWebhookSecret',
  tags: TAGS,
  summary: 'Issue a new signing secret (the old one also signs for 24 h)',
  description: 'During the 24 h both secrets sign every event (two signatures in `webhook-signature`), so the receiver can switch without missing one.',
  auth: 'apiKey',
  request: { params: idParams },
  responses: { ...ok('The new secret, shown this once.', endpointWithSecretSchema), ...problemResponses(API_PROBLEMS) },
});

export const pingWebhookEndpoint = endpoint({
  method: 'post',
  path: '/v1/webhook-endpoints/{id}/ping',
  operationId: 'pingWebhookEndpoint',
  tags: TAGS,
  summary: 'Send a test event (`ping`) now',
  description: 'Answers with the delivery after its first attempt: `delivered`, or `pending` with the error (it is then retried like any event).',
  auth: 'apiKey',
  request: { params: idParams },
  responses: { ...ok('The delivery after its first attempt.', deliverySchema), ...problemResponses(API_PROBLEMS) },
});

const listWebhookDeliveries = endpoint({
  method: 'get',
  path: '/v1/webhook-deliveries',
  operationId: 'listWebhookDeliveries',
  tags: TAGS,
  summary: 'Deliveries with their attempts and last error, newest first',
  auth: 'apiKey',
  request: { query: deliveryQuerySchema },
  responses: { ...ok('Deliveries.', deliveryListSchema), ...problemResponses(API_PROBLEMS) },
});

export const redeliverWebhook = endpoint({
  method: 'post',
  path: '/v1/webhook-deliveries/{id}/redeliver',
  operationId: 'redeliverWebhook',
  tags: TAGS,
  summary: 'Send a delivery again (a failed one, or once more)',
  auth: 'apiKey',
  request: { params: idParams },
  responses: { 202: jsonResponse('Queued: the next dispatch sends it.', deliverySchema), ...problemResponses(API_PROBLEMS) },
});

export const webhookEndpoints = [
  createWebhookEndpoint,
  listWebhookEndpoints,
  disableWebhookEndpoint,
  enableWebhookEndpoint,
  rotateWebhookSecret,
  pingWebhookEndpoint,
  listWebhookDeliveries,
  redeliverWebhook,
];
