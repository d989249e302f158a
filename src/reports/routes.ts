import { Router } from 'express';
import { companyIdOf } from '../http/auth';
import { parse } from '../http/validate';
import { payoutReport } from './contract';
import { payoutReportCsv } from './csv';
import type { PayoutReportService } from './payoutReportService';

/** Every request is parsed with the reports contract (./contract.ts), the shapes the OpenAPI document shows. */
export function reportRoutes(reports: PayoutReportService): Router {
  const router = Router({ mergeParams: true });
  router.get('/reports/payouts', async (req, res) => {
    const { date, format } = parse(payoutReport.request.query, req.query);
    const report = await reports.day(companyIdOf(req), date);
    // `format` wins; otherwise the Accept header (JSON when it prefers JSON, names neither, or is absent)
    const csv = format ? format === 'csv' : req.accepts(['application/json', 'text/csv']) === 'text/csv';
    res.vary('Accept');
    if (!csv) {
      res.json(report);
      return;
    }
    res.setHeader('Content-Disposition', `attachment; filename="payouts-${date}.csv"`);
    res.type('text/csv; charset=utf-8').send(payoutReportCsv(report));
  });
  return router;
}
