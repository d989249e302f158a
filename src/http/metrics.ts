import type { Request, RequestHandler } from 'express';

/** Requests by route pattern and status class; the pattern, never the URL (it carries company ids, codes). */
export class HttpMetrics {
  private readonly counts = new Map<string, number>();

  constructor(private readonly routeOf: (req: Request) => string) {}

  readonly middleware: RequestHandler = (req, res, next) => {
    res.on('finish', () => {
      const route = this.routeOf(req);
      const key = `method="${req.method}",route="${route}",status="${Math.floor(res.statusCode / 100)}xx"`;
      this.counts.set(key, (this.counts.get(key) ?? 0) + 1);
    });
    next();
  };

  lines(): string[] {
    return [...this.counts].map(([labels, n]) => `gbi_http_requests_total{${labels}} ${n}`);
  }
}

type StatusCounts = () => Promise<Array<{ status: string; n: number }>>;

/** Prometheus text exposition: HTTP counters plus transfer, bulk transfer and connection counts from their stores. */
export function metricsHandler(
  http: HttpMetrics,
  counts: { transfers: StatusCounts; bulkTransfers: StatusCounts; connections: StatusCounts; webhooks: () => Promise<{ byStatus: Array<{ status: string; n: number }>; oldestPendingSeconds: number }> },
): RequestHandler {
  return async (_req, res) => {
    const [transfers, bulkTransfers, connections, webhooks] = await Promise.all([counts.transfers(), counts.bulkTransfers(), counts.connections(), counts.webhooks()]);
    const body = [
      '# HELP gbi_http_requests_total HTTP requests by route and status class.',
      '# TYPE gbi_http_requests_total counter',
      ...http.lines(),
      '# HELP gbi_transfers Transfers by status.',
      '# TYPE gbi_transfers gauge',
      ...transfers.map((r) => `gbi_transfers{status="${r.status}"} ${r.n}`),
      '# HELP gbi_bulk_transfers Bulk transfers (総合振込) by status.',
      '# TYPE gbi_bulk_transfers gauge',
      ...bulkTransfers.map((r) => `gbi_bulk_transfers{status="${r.status}"} ${r.n}`),
      '# HELP gbi_bank_connections Bank connections by status.',
      '# TYPE gbi_bank_connections gauge',
      ...connections.map((r) => `gbi_bank_connections{status="${r.status}"} ${r.n}`),
      '# HELP gbi_webhook_deliveries Webhook deliveries by status (failed: given up after 24 h).',
      '# TYPE gbi_webhook_deliveries gauge',
      ...webhooks.byStatus.map((r) => `gbi_webhook_deliveries{status="${r.status}"} ${r.n}`),
      '# HELP gbi_webhook_oldest_pending_seconds Age of the oldest undelivered webhook.',
      '# TYPE gbi_webhook_oldest_pending_seconds gauge',
      `gbi_webhook_oldest_pending_seconds ${webhooks.oldestPendingSeconds}`,
    ];
    res.type('text/plain; version=0.0.4').send(`${body.join('\n')}\n`);
  };
}
