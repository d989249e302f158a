import type { Request, RequestHandler } from 'express';
import { BankConnection } from '../connections/bankConnection.entity';
import type { Database } from '../db/database';
import { Transfer } from '../transfers/transfer.entity';

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

/** Prometheus text exposition: HTTP counters plus transfer and connection counts read from the database. */
export function metricsHandler(db: Database, http: HttpMetrics, environment: string): RequestHandler {
  return async (_req, res) => {
    const group = async (entity: typeof Transfer | typeof BankConnection) =>
      db.manager
        .createQueryBuilder(entity, 'x')
        .select('x.status', 'status')
        .addSelect('COUNT(*)', 'n')
        .where('x.environment = :environment', { environment })
        .groupBy('x.status')
        .getRawMany<{ status: string; n: string | number }>();
    const [transfers, connections] = await Promise.all([group(Transfer), group(BankConnection)]);
    const body = [
      '# HELP gbi_http_requests_total HTTP requests by route and status class.',
      '# TYPE gbi_http_requests_total counter',
      ...http.lines(),
      '# HELP gbi_transfers Transfers by status.',
      '# TYPE gbi_transfers gauge',
      ...transfers.map((r) => `gbi_transfers{status="${r.status}"} ${Number(r.n)}`),
      '# HELP gbi_bank_connections Bank connections by status.',
      '# TYPE gbi_bank_connections gauge',
      ...connections.map((r) => `gbi_bank_connections{status="${r.status}"} ${Number(r.n)}`),
    ];
    res.type('text/plain; version=0.0.4').send(`${body.join('\n')}\n`);
  };
}
