import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import request from 'supertest';
import { parse as parseYaml } from 'yaml';
import { appRoutes } from '../../src/http/routePattern';
import { sealingAad } from '../../src/crypto/cipher';
import { BankToken } from '../../src/tokens/bankToken.entity';
import { ReauthorizationRequiredError } from '../../src/tokens/errors';
import { bearer, connectCompany } from '../support/connect';
import { DATABASES } from '../support/databases';
import { startHarness, type Harness } from '../support/harness';
import { startWebhookReceiver, type WebhookReceiver } from '../support/webhookReceiver';

interface Sample {
  labels?: Record<string, string>;
  value?: string;
}
interface MetricFamily {
  name: string;
  type: 'COUNTER' | 'GAUGE' | 'HISTOGRAM' | 'SUMMARY' | 'UNTYPED';
  metrics: Sample[];
}
// the package ships no types
const parsePrometheus: (text: string) => MetricFamily[] = require('parse-prometheus-text-format');

const DEPLOY = join(__dirname, '../../deploy');
const SECRET = `whsec_${Buffer.alloc(32, 9).toString('base64')}`;
const SELLER = { bankCode: '0005', branchCode: '001', accountType: 'ordinary', accountNumber: '2468024', name: 'ｽｽﾞｷ ﾊﾅｺ' };
const PAYING = 'METRICS-PAYING';
const REFUSED = 'METRICS-REFUSED';

/** Every PromQL expression of the dashboard and of the alert rules. */
function deployedExpressions(): string[] {
  const dashboard = JSON.parse(readFileSync(join(DEPLOY, 'grafana/dashboard.json'), 'utf8')) as { panels: Array<{ targets?: Array<{ expr: string }> }> };
  const alerts = parseYaml(readFileSync(join(DEPLOY, 'prometheus/alerts.yml'), 'utf8')) as { groups: Array<{ rules: Array<{ expr: string }> }> };
  return [...dashboard.panels.flatMap((p) => (p.targets ?? []).map((t) => t.expr)), ...alerts.groups.flatMap((g) => g.rules.map((r) => r.expr))];
}

/** The series names those expressions read (ours, the process' and Node's); label values in quotes are not names. */
function deployedSeriesNames(): string[] {
  const names = deployedExpressions().flatMap((e) => e.replace(/"[^"]*"/g, '""').match(/\b(?:gbi|process|nodejs)_[a-zA-Z0-9_]+/g) ?? []);
  return [...new Set(names)].sort();
}

/** The family a series name belongs to: itself, or a histogram's (or summary's) _bucket, _sum and _count. */
function familyOf(families: Map<string, MetricFamily>, name: string): MetricFamily | undefined {
  const exact = families.get(name);
  if (exact) return exact;
  const [, base, suffix] = /^(.*)_(bucket|sum|count)$/.exec(name) ?? [];
  const parent = base === undefined ? undefined : families.get(base);
  if (parent?.type === 'HISTOGRAM' || (parent?.type === 'SUMMARY' && suffix !== 'bucket')) return parent;
  return undefined;
}

/** A counter's or gauge's sample value. */
function valueOf(families: Map<string, MetricFamily>, name: string, labels: Record<string, string> = {}): number | undefined {
  const sample = families.get(name)?.metrics.find((m) => Object.entries(labels).every(([k, v]) => m.labels?.[k] === v));
  return sample === undefined ? undefined : Number(sample.value);
}

describe.each(DATABASES)('/metrics of a running service after real traffic, on %s', (kind) => {
  let h: Harness;
  let receiver: WebhookReceiver;
  let key: string;
  let text: string;
  let families: Map<string, MetricFamily>;
  const secrets: string[] = [];
  let wallBefore: number;
  let wallAfter: number;

  beforeAll(async () => {
    receiver = await startWebhookReceiver();
    h = await startHarness(kind, { env: { WEBHOOK_URL: receiver.url, WEBHOOK_SECRET: SECRET, WEBHOOK_TIMEOUT_MS: '1000' } });
    ({ key } = await connectCompany(h, PAYING));
    const refusedKey = (await connectCompany(h, REFUSED)).key;
    const tokens = await h.services.db.manager.find(BankToken);
    secrets.push(key, refusedKey, ...tokens.map((t) => h.services.cipher.open(t, sealingAad(t.environment, t.companyId, t.kind))));
    expect(secrets).toHaveLength(6);

    for (const idem of ['m-1', 'm-2']) {
      await request(h.app).post(`/v1/companies/${PAYING}/transfers`).set(...bearer(key)).set('idempotency-key', idem).send({ amount: 1200, beneficiary: SELLER }).expect(201);
    }
    await request(h.app).get(`/v1/companies/${PAYING}/transfers?limit=0`).set(...bearer(key)).expect(400);
    // a refresh the bank fails (5xx), then one it refuses for good: that connection needs its owner again
    h.sim.state.injectFault({ target: 'token', kind: 'error500' });
    await expect(h.services.vault.accessToken(PAYING, { minValiditySeconds: 10 ** 9 })).rejects.toThrow();
    h.sim.state.injectFault({ target: 'token', kind: 'invalid_grant' });
    await expect(h.services.vault.accessToken(REFUSED, { minValiditySeconds: 10 ** 9 })).rejects.toThrow(ReauthorizationRequiredError);

    wallBefore = Date.now() / 1000;
    h.clock.advanceSeconds(120);
    await h.services.poller.runOnce();
    await h.services.bulkPoller.runOnce();
    await h.services.purger.run();
    await h.services.dispatcher.runOnce();
    wallAfter = Date.now() / 1000;

    // over the wire, as Prometheus scrapes it
    const res = await fetch(`${h.baseUrl}/metrics`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/plain; version=0.0.4');
    text = await res.text();
    families = new Map(parsePrometheus(text).map((f) => [f.name, f]));
  });
  afterAll(async () => {
    await h?.close();
    await receiver?.close();
  });

  test('it parses, and every series the dashboard and the alert rules read is there with samples', () => {
    const names = deployedSeriesNames();
    expect(names.length).toBeGreaterThan(20);
    const missing = names.filter((n) => (familyOf(families, n)?.metrics.length ?? 0) === 0);
    expect(missing).toEqual([]);
    for (const n of ['gbi_bank_call_duration_seconds_bucket', 'gbi_http_request_duration_seconds_bucket', 'process_cpu_seconds_total', 'nodejs_eventloop_lag_p99_seconds']) {
      expect(names).toContain(n);
    }
  });

  test('the traffic is counted where it happened: requests, bank calls, refreshes, the poll pass, the purge, webhooks', () => {
    expect(valueOf(families, 'gbi_http_requests_total', { method: 'POST', route: '/v1/companies/:companyId/transfers', status: '2xx' })).toBe(2);
    // the parser folds labelled histograms into one bucket map: their counts are read from the text
    expect(text).toContain('gbi_http_request_duration_seconds_count{method="GET",route="/v1/companies/:companyId/transfers",status="4xx"} 1\n');
    expect(valueOf(families, 'gbi_bank_calls_total', { endpoint: '/transfer/request', outcome: 'ok', error: 'none' })).toBe(2);
    expect(valueOf(families, 'gbi_bank_calls_total', { endpoint: 'token', outcome: 'oauth', error: 'invalid_grant' })).toBe(1);
    expect(text).toContain('gbi_bank_call_duration_seconds_count{endpoint="/transfer/request",outcome="ok"} 2\n');
    expect(valueOf(families, 'gbi_token_refreshes_total', { outcome: 'failed' })).toBe(1);
    expect(valueOf(families, 'gbi_token_refreshes_total', { outcome: 'reauthorization_required' })).toBe(1);
    expect(valueOf(families, 'gbi_bank_connections', { status: 'connected' })).toBe(1);
    expect(valueOf(families, 'gbi_bank_connections', { status: 'reauthorization_required' })).toBe(1);
    const transfers = families.get('gbi_transfers')!.metrics.reduce((n, m) => n + Number(m.value), 0);
    expect(transfers).toBe(2);
    expect(valueOf(families, 'gbi_transfers', { status: 'unknown' })).toBe(0);
    expect(valueOf(families, 'gbi_payouts_unknown_oldest_age_seconds', { kind: 'transfers' })).toBe(0);
    expect(valueOf(families, 'gbi_poll_passes_total', { kind: 'transfers', outcome: 'succeeded' })).toBe(1);
    expect(valueOf(families, 'gbi_poll_passes_total', { kind: 'bulk_transfers', outcome: 'succeeded' })).toBe(1);
    expect(text).toContain('gbi_poll_pass_duration_seconds_count{kind="transfers"} 1\n');
    expect(valueOf(families, 'gbi_purge_runs_total', { outcome: 'succeeded' })).toBe(1);
    expect(valueOf(families, 'gbi_purge_deleted_total', { kind: 'tokens' })).toBe(0);
    expect(valueOf(families, 'gbi_webhook_attempts_total', { outcome: 'delivered' })).toBeGreaterThan(0);
    expect(valueOf(families, 'gbi_webhook_deliveries', { status: 'pending' })).toBe(0);
    expect(valueOf(families, 'gbi_metrics_scrape_errors_total', { read: 'transfers' })).toBe(0);
    // the refresh token of the one connection still holding tokens lapses in REFRESH_TOKEN_TTL (90 days), by the service's clock
    const expiry = valueOf(families, 'gbi_refresh_token_nearest_expiry_seconds')!;
    expect(expiry).toBeGreaterThan(89 * 86_400);
    expect(expiry).toBeLessThanOrEqual(90 * 86_400);
  });

  test('"last success" times are real wall-clock seconds, not the service clock, so Prometheus can compare them with time()', () => {
    for (const kind of ['transfers', 'bulk_transfers']) {
      const at = valueOf(families, 'gbi_poll_last_success_timestamp_seconds', { kind })!;
      expect(at).toBeGreaterThanOrEqual(wallBefore);
      expect(at).toBeLessThanOrEqual(wallAfter);
    }
    const purged = valueOf(families, 'gbi_purge_last_success_timestamp_seconds')!;
    expect(purged).toBeGreaterThanOrEqual(wallBefore);
    expect(purged).toBeLessThanOrEqual(wallAfter);
  });

  test('no label value carries a company id, a key, a token or a URL: routes are patterns', () => {
    const values = [...families.values()].flatMap((f) => f.metrics.flatMap((m) => Object.values(m.labels ?? {})));
    expect(values.length).toBeGreaterThan(50);
    for (const leak of [PAYING, REFUSED, ...secrets, SELLER.accountNumber]) expect(text).not.toContain(leak);
    for (const v of values) {
      expect(v).not.toMatch(/^[a-z]+:\/\//i);
      expect(v).not.toContain('?');
    }
    const patterns = new Set([...appRoutes(h.expressApp).map((r) => r.pattern), 'unmatched']);
    const routes = [...families.values()].flatMap((f) => f.metrics.map((m) => m.labels?.route)).filter((r): r is string => r !== undefined);
    expect(routes.length).toBeGreaterThan(0);
    for (const r of routes) expect(patterns).toContain(r);
  });
});

describe('MariaDB away during a scrape: /metrics answers what it has and counts the failed reads', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness('mariadb', { databaseRelay: true });
    await connectCompany(h, PAYING);
  });
  afterAll(async () => {
    await h?.close();
  });

  test('200 without the database series, then back with them once the database is', async () => {
    await request(h.app).get('/metrics').expect(200);
    h.databaseRelay!.cut();
    const down = await request(h.app).get('/metrics').expect(200);
    const downFamilies = new Map(parsePrometheus(down.text).map((f) => [f.name, f]));
    for (const read of ['transfers', 'bulk_transfers', 'connections', 'refresh_tokens', 'webhooks']) {
      expect(valueOf(downFamilies, 'gbi_metrics_scrape_errors_total', { read })).toBe(1);
    }
    for (const gone of ['gbi_transfers', 'gbi_bank_connections', 'gbi_refresh_token_nearest_expiry_seconds', 'gbi_webhook_deliveries', 'gbi_payouts_open_oldest_age_seconds']) {
      expect(downFamilies.get(gone)?.metrics ?? []).toEqual([]);
    }
    // what needs no database is still answered
    expect(valueOf(downFamilies, 'gbi_http_requests_total', { method: 'GET', route: '/metrics', status: '2xx' })).toBe(1);
    expect(downFamilies.get('process_cpu_seconds_total')?.metrics.length).toBe(1);

    h.databaseRelay!.restore();
    const up = new Map(parsePrometheus((await request(h.app).get('/metrics').expect(200)).text).map((f) => [f.name, f]));
    expect(valueOf(up, 'gbi_bank_connections', { status: 'connected' })).toBe(1);
    expect(valueOf(up, 'gbi_metrics_scrape_errors_total', { read: 'transfers' })).toBe(1);
  });
});
