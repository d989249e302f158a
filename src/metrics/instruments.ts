import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import type { BankCall, BankCallObserver } from '../bank/observer';
import type { Clock } from '../clock';

/** The two pollers, as the metrics name them. */
const POLL_KINDS = ['transfers', 'bulk_transfers'] as const;
export type PollKind = (typeof POLL_KINDS)[number];

/** How a refresh of a company's bank tokens ended. */
const REFRESH_OUTCOMES = ['succeeded', 'failed', 'reauthorization_required'] as const;
export type RefreshOutcome = (typeof REFRESH_OUTCOMES)[number];

/** One webhook attempt as the outbox recorded it: `pending` is a retry to come. */
type AttemptStatus = 'delivered' | 'pending' | 'failed';

const LATENCY_BUCKETS = [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

/** A GMO error code or an OAuth error is a short identifier; anything else is not a label value. */
function errorCodeLabel(code: string | undefined): string {
  if (code === undefined || code === '') return 'none';
  return /^[A-Za-z0-9_.-]{1,40}$/.test(code) ? code : 'other';
}

/**
 * The counters and histograms the code that knows updates as things happen (a request answered, a bank call
 * ended, a refresh, a poll pass, a purge, a webhook attempt). Never a company id, a token or a URL in a label.
 *
 * Durations are measured by the callers with the monotonic timer; the "last success" gauges are real
 * wall-clock seconds (`wallClock`), whatever clock the service runs on, because Prometheus compares them
 * with its own `time()`. Until the first success they hold the moment these instruments were made, so a
 * job that never succeeds alerts as one that stopped.
 */
export class Instruments {
  private readonly httpRequests: Counter<'method' | 'route' | 'status'>;
  private readonly httpDuration: Histogram<'method' | 'route' | 'status'>;
  private readonly bankCalls: Counter<'endpoint' | 'outcome' | 'error'>;
  private readonly bankDuration: Histogram<'endpoint' | 'outcome'>;
  private readonly refreshes: Counter<'outcome'>;
  private readonly pollPasses: Counter<'kind' | 'outcome'>;
  private readonly pollDuration: Histogram<'kind'>;
  private readonly pollRows: Counter<'kind' | 'outcome'>;
  private readonly pollLastSuccess: Gauge<'kind'>;
  private readonly purgeRuns: Counter<'outcome'>;
  private readonly purged: Counter<'kind'>;
  private readonly purgeFlagged: Counter;
  private readonly purgeLastSuccess: Gauge;
  private readonly webhookAttempts: Counter<'outcome'>;

  constructor(
    registers: Registry,
    private readonly wallClock: Clock,
  ) {
    const registry = [registers];
    this.httpRequests = new Counter({ name: 'gbi_http_requests_total', help: 'HTTP requests by route pattern and status class.', labelNames: ['method', 'route', 'status'], registers: registry });
    this.httpDuration = new Histogram({ name: 'gbi_http_request_duration_seconds', help: 'HTTP request duration by route pattern and status class.', labelNames: ['method', 'route', 'status'], buckets: LATENCY_BUCKETS, registers: registry });
    this.bankCalls = new Counter({ name: 'gbi_bank_calls_total', help: 'Calls to the bank by endpoint, outcome (ok or the failure kind) and GMO/OAuth error code.', labelNames: ['endpoint', 'outcome', 'error'], registers: registry });
    this.bankDuration = new Histogram({ name: 'gbi_bank_call_duration_seconds', help: 'Duration of calls to the bank by endpoint and outcome.', labelNames: ['endpoint', 'outcome'], buckets: LATENCY_BUCKETS, registers: registry });
    this.refreshes = new Counter({ name: 'gbi_token_refreshes_total', help: 'Bank token refreshes by how they ended (succeeded, failed, reauthorization_required).', labelNames: ['outcome'], registers: registry });
    this.pollPasses = new Counter({ name: 'gbi_poll_passes_total', help: 'Poll passes by kind and outcome (failed: the pass itself could not run).', labelNames: ['kind', 'outcome'], registers: registry });
    this.pollDuration = new Histogram({ name: 'gbi_poll_pass_duration_seconds', help: 'Duration of a poll pass by kind.', labelNames: ['kind'], buckets: [0.1, 0.5, 1, 5, 10, 30, 60, 120, 300], registers: registry });
    this.pollRows = new Counter({ name: 'gbi_poll_rows_total', help: 'Payouts looked at by the pollers, by kind and what came of it.', labelNames: ['kind', 'outcome'], registers: registry });
    this.pollLastSuccess = new Gauge({ name: 'gbi_poll_last_success_timestamp_seconds', help: 'Wall-clock time of the last poll pass that ran to its end (the instance start until then).', labelNames: ['kind'], registers: registry });
    this.purgeRuns = new Counter({ name: 'gbi_purge_runs_total', help: 'Expiry purge runs by outcome.', labelNames: ['outcome'], registers: registry });
    this.purged = new Counter({ name: 'gbi_purge_deleted_total', help: 'Rows physically deleted by the expiry purge (tokens, connect_sessions).', labelNames: ['kind'], registers: registry });
    this.purgeFlagged = new Counter({ name: 'gbi_purge_connections_flagged_total', help: 'Connections the purge found without tokens and flagged as needing consent.', registers: registry });
    this.purgeLastSuccess = new Gauge({ name: 'gbi_purge_last_success_timestamp_seconds', help: 'Wall-clock time of the last purge with every step done (the instance start until then).', registers: registry });
    this.webhookAttempts = new Counter({ name: 'gbi_webhook_attempts_total', help: 'Webhook delivery attempts by outcome (delivered, retrying, failed: given up after 24 h).', labelNames: ['outcome'], registers: registry });

    // every known series from the start: increase() misses a counter's first step when its series is new
    const started = this.wallSeconds();
    for (const kind of POLL_KINDS) {
      this.pollLastSuccess.set({ kind }, started);
      for (const outcome of ['succeeded', 'failed']) this.pollPasses.inc({ kind, outcome }, 0);
    }
    this.purgeLastSuccess.set(started);
    for (const outcome of ['succeeded', 'failed']) this.purgeRuns.inc({ outcome }, 0);
    for (const kind of ['tokens', 'connect_sessions']) this.purged.inc({ kind }, 0);
    for (const outcome of REFRESH_OUTCOMES) this.refreshes.inc({ outcome }, 0);
    for (const outcome of ['delivered', 'retrying', 'failed']) this.webhookAttempts.inc({ outcome }, 0);
  }

  private wallSeconds(): number {
    return this.wallClock.now().getTime() / 1000;
  }

  /** One answered request, by route pattern (never the URL) and status class. */
  httpRequest(method: string, route: string, statusCode: number, seconds: number): void {
    const labels = { method, route, status: `${Math.floor(statusCode / 100)}xx` };
    this.httpRequests.inc(labels);
    this.httpDuration.observe(labels, seconds);
  }

  /** The bank client's observer: GMO's paths carry no ids, so the endpoint is a safe label. */
  readonly bankCall: BankCallObserver = (call: BankCall) => {
    this.bankCalls.inc({ endpoint: call.endpoint, outcome: call.outcome, error: errorCodeLabel(call.errorCode) });
    this.bankDuration.observe({ endpoint: call.endpoint, outcome: call.outcome }, call.durationSeconds);
  };

  tokenRefresh(outcome: RefreshOutcome): void {
    this.refreshes.inc({ outcome });
  }

  /** A pass that ran to its end, with what came of each row, or one that could not run (`failed`). */
  pollPass(kind: PollKind, seconds: number, rows: Record<string, number> | 'failed'): void {
    this.pollDuration.observe({ kind }, seconds);
    this.pollPasses.inc({ kind, outcome: rows === 'failed' ? 'failed' : 'succeeded' });
    if (rows === 'failed') return;
    for (const [outcome, n] of Object.entries(rows)) if (outcome !== 'checked' && n > 0) this.pollRows.inc({ kind, outcome }, n);
    this.pollLastSuccess.set({ kind }, this.wallSeconds());
  }

  /** A purge run: what it deleted (counted even when a later step failed) and whether every step was done. */
  purgeRun(counts: { tokens: number; connectSessions: number; connectionsNeedingConsent: number }, complete: boolean): void {
    this.purgeRuns.inc({ outcome: complete ? 'succeeded' : 'failed' });
    this.purged.inc({ kind: 'tokens' }, counts.tokens);
    this.purged.inc({ kind: 'connect_sessions' }, counts.connectSessions);
    this.purgeFlagged.inc(counts.connectionsNeedingConsent);
    if (complete) this.purgeLastSuccess.set(this.wallSeconds());
  }

  webhookAttempt(status: AttemptStatus): void {
    this.webhookAttempts.inc({ outcome: status === 'pending' ? 'retrying' : status });
  }
}
