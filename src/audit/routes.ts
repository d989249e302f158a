import { Router } from 'express';
import { problems } from '../http/problem';
import { parse } from '../http/validate';
import { auditEventView, type AuditLog } from './auditLog';
import { auditQuerySchema, encodeAuditCursor, type AuditEventList } from './contract';

/** GET /v1/audit-events (scope `admin`; mounted on /v1 behind the key and scope checks). */
export function auditRoutes(audit: AuditLog): Router {
  const router = Router();
  router.get('/audit-events', async (req, res) => {
    const query = parse(auditQuerySchema, req.query);
    const principal = res.locals.apiPrincipal!;
    // a key of one company sees that company only; asking for another is as if it did not exist
    if (principal.companyId !== null && query.companyId !== undefined && query.companyId !== principal.companyId) throw problems.notFound('No such company.');
    const page = await audit.list({
      companyId: principal.companyId ?? query.companyId,
      action: query.action,
      from: query.from,
      to: query.to,
      limit: query.limit,
      beforeId: query.cursor,
    });
    const list: AuditEventList = { items: page.items.map(auditEventView), nextCursor: page.nextCursor === null ? null : encodeAuditCursor(page.nextCursor) };
    res.json(list);
  });
  return router;
}
