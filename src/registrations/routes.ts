import { Router } from 'express';
import { companyIdOf } from '../http/auth';
import { problems } from '../http/problem';
import { parse } from '../http/validate';
import { registrationBodySchema } from './contract';
import type { AppRegistrations } from './registrations';

/**
 * GET/PUT/DELETE /v1/companies/:companyId/bank-registration (scope `admin`, mounted in the company router
 * behind the key, scope and company checks). The client secret goes in on PUT and never comes out.
 */
export function registrationRoutes(registrations: AppRegistrations, defaultScopes: string[]): Router {
  const router = Router({ mergeParams: true });
  const none = () => problems.notFound("This company has no registration of its own: it uses the vendor's.");

  router.get('/bank-registration', async (req, res) => {
    const view = await registrations.view(companyIdOf(req));
    if (!view) throw none();
    res.json(view);
  });

  router.put('/bank-registration', async (req, res) => {
    const body = parse(registrationBodySchema, req.body ?? {});
    const result = await registrations.upsert(companyIdOf(req), { ...body, scopes: body.scopes ?? defaultScopes });
    res.status(result.created ? 201 : 200).json(result.registration);
  });

  router.delete('/bank-registration', async (req, res) => {
    if (!(await registrations.remove(companyIdOf(req)))) throw none();
    res.status(204).end();
  });

  return router;
}
