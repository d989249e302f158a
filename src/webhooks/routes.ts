import { Router, type Response } from 'express';
import { parse } from '../http/validate';
import {
  createWebhookEndpoint,
  deliveryQuerySchema,
  disableWebhookEndpoint,
  pingWebhookEndpoint,
  redeliverWebhook,
  rotateWebhookSecret,
} from './contract';
import type { WebhookAdmin, WebhookScope } from './webhookAdmin';

/** A company-scoped key manages only its own company's endpoints and sees only its deliveries. */
function scopeOf(res: Response): WebhookScope {
  const companyId = res.locals.apiPrincipal?.companyId ?? null;
  return companyId === null ? { allCompanies: true } : { allCompanies: false, companyId };
}

/** /v1/webhook-endpoints and /v1/webhook-deliveries (scope `admin`), parsed with the webhooks contract. */
export function webhookRoutes(admin: WebhookAdmin): Router {
  const router = Router();
  const idOf = (params: unknown) => parse(disableWebhookEndpoint.request.params, params).id;

  router.post('/webhook-endpoints', async (req, res) => {
    const body = parse(createWebhookEndpoint.request.body, req.body ?? {});
    res.status(201).json(await admin.create(scopeOf(res), body));
  });
  router.get('/webhook-endpoints', async (_req, res) => {
    res.json({ items: await admin.list(scopeOf(res)) });
  });
  router.post('/webhook-endpoints/:id/disable', async (req, res) => {
    res.json(await admin.setStatus(scopeOf(res), idOf(req.params), 'disabled'));
  });
  router.post('/webhook-endpoints/:id/enable', async (req, res) => {
    res.json(await admin.setStatus(scopeOf(res), idOf(req.params), 'active'));
  });
  router.post('/webhook-endpoints/:id/rotate-secret', async (req, res) => {
    res.json(await admin.rotateSecret(scopeOf(res), parse(rotateWebhookSecret.request.params, req.params).id));
  });
  router.post('/webhook-endpoints/:id/ping', async (req, res) => {
    res.json(await admin.ping(scopeOf(res), parse(pingWebhookEndpoint.request.params, req.params).id));
  });
  router.get('/webhook-deliveries', async (req, res) => {
    res.json({ items: await admin.deliveries(scopeOf(res), parse(deliveryQuerySchema, req.query)) });
  });
  router.post('/webhook-deliveries/:id/redeliver', async (req, res) => {
    res.status(202).json(await admin.redeliver(scopeOf(res), parse(redeliverWebhook.request.params, req.params).id));
  });
  return router;
}
