import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { HttpsProxyAgent } from 'https-proxy-agent';
import { Webhook } from 'standardwebhooks';
import type { Clock } from '../clock';
import { eachConcurrently } from '../jobs/eachConcurrently';
import type { Logger } from '../log';
import type { Instruments } from '../metrics/instruments';
import type { WebhookEndpoints } from './endpoints';
import type { Outbox } from './outbox';
import { checkReceiverUrl, guardedLookup, type ReceiverPolicy } from './receiverAddress';
import type { WebhookDelivery } from './webhookDelivery.entity';

interface DispatchResult {
  attempted: number;
  delivered: number;
  retrying: number;
  failed: number;
}

const BATCH = 50;
const CONCURRENCY = 8;
const ROUNDS = 10;

/** The receiver's answer to one POST, or why there was none. */
interface Answer {
  status?: number;
  error?: string;
}

/**
 * Sends due deliveries. Runs on every instance: each delivery is claimed with a short row lease, so an
 * attempt is never made twice; a slow or dead receiver costs one bounded slot for the timeout, never the
 * API or the poller. Signed per Standard Webhooks (webhook-id, webhook-timestamp, webhook-signature).
 */
export class WebhookDispatcher {
  /** WEBHOOK_PROXY_URL's tunnel (CONNECT, for http and https receivers alike); never the bank's proxy */
  private readonly proxyAgent?: HttpsProxyAgent<string>;

  constructor(
    private readonly outbox: Outbox,
    private readonly endpoints: WebhookEndpoints,
    private readonly clock: Clock,
    /** the wire's clock: receivers check webhook-timestamp against real time, whatever clock the service runs on */
    private readonly wallClock: Clock,
    private readonly log: Logger,
    private readonly metrics: Instruments,
    private readonly options: { instanceId: string; timeoutMs: number; policy: ReceiverPolicy; proxyUrl?: string | null },
  ) {
    if (options.proxyUrl) this.proxyAgent = new HttpsProxyAgent(options.proxyUrl);
  }

  /**
   * Sends what is due, round after round while rounds make progress (a delivery held back behind an
   * earlier one of the same resource goes out in the next round), at most ROUNDS rounds per tick.
   */
  async runOnce(): Promise<DispatchResult> {
    const result: DispatchResult = { attempted: 0, delivered: 0, retrying: 0, failed: 0 };
    for (let round = 0; round < ROUNDS; round++) {
      const due = await this.outbox.due(BATCH);
      if (due.length === 0) break;
      let progressed = 0;
      await eachConcurrently(due, CONCURRENCY, async (d) => {
        const status = await this.attemptIsolated(d);
        if (!status) return;
        result.attempted += 1;
        result[status === 'delivered' ? 'delivered' : status === 'failed' ? 'failed' : 'retrying'] += 1;
        if (status === 'delivered') progressed += 1;
      });
      if (progressed === 0) break;
    }
    if (result.attempted > 0) this.log.info('webhook deliveries attempted', result);
    return result;
  }

  /** Claims and sends one delivery at once (a test ping); undefined when another sender holds it. */
  async attemptNow(d: WebhookDelivery) {
    return this.attemptIsolated(d);
  }

  /** One delivery's failure (a bad row, the database for a moment) never stops the others. */
  private async attemptIsolated(d: WebhookDelivery) {
    try {
      if (!(await this.outbox.claim(d, this.options.instanceId, this.options.timeoutMs * 2 + 5000))) return undefined;
      return await this.attempt(d);
    } catch (err) {
      this.log.error('webhook delivery attempt failed', { deliveryId: d.id, err });
      return undefined;
    }
  }

  /** Sends one delivery now (claimed by the caller) and records the attempt. */
  private async attempt(d: WebhookDelivery) {
    const started = Date.now();
    const [target, event] = await Promise.all([this.endpoints.target(d.endpointId), this.outbox.event(d.eventId)]);
    let answer: Answer;
    if (!target || !event) answer = { error: 'the endpoint or the event no longer exists' };
    else if (!target.active) answer = { error: 'the endpoint is disabled' };
    else answer = await this.checkedPost(target.url, target.secrets, event.id, event.payload);
    const delivered = answer.status !== undefined && answer.status >= 200 && answer.status < 300;
    const status = await this.outbox.attempted(d, { at: this.clock.now().toISOString(), ...answer, ms: Date.now() - started }, delivered, this.options.instanceId);
    this.metrics.webhookAttempt(status);
    if (status === 'failed') {
      this.log.error('webhook delivery failed for good', { deliveryId: d.id, eventId: d.eventId, eventType: d.eventType, endpointId: d.endpointId, lastError: answer.error ?? answer.status });
    } else if (!delivered) {
      this.log.warn('webhook delivery will be retried', { deliveryId: d.id, eventType: d.eventType, endpointId: d.endpointId, status: answer.status, error: answer.error });
    }
    return status;
  }

  /** The URL is checked again at send time (WEBHOOK_URL, or a policy that changed since it was stored). */
  private async checkedPost(url: string, secrets: string[], eventId: string, payload: string): Promise<Answer> {
    try {
      checkReceiverUrl(url, this.options.policy);
    } catch (err) {
      return { error: `receiver refused: ${(err as Error).message}` };
    }
    return this.post(url, secrets, eventId, payload);
  }

  private post(url: string, secrets: string[], eventId: string, payload: string): Promise<Answer> {
    const timestamp = this.wallClock.now();
    const signature = secrets.map((s) => new Webhook(s).sign(eventId, timestamp, payload)).join(' ');
    const target = new URL(url);
    const send = target.protocol === 'https:' ? httpsRequest : httpRequest;
    return new Promise<Answer>((resolve) => {
      const req = send(
        target,
        {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            'user-agent': 'gmo-bank-integrator-webhooks',
            'webhook-id': eventId,
            'webhook-timestamp': String(Math.floor(timestamp.getTime() / 1000)),
            'webhook-signature': signature,
            'content-length': Buffer.byteLength(payload),
          },
          // through a proxy the proxy resolves the receiver's name, so the connect-time address guard cannot run
          // here: checkReceiverUrl (scheme, literal addresses) still does, and the proxy's own rules do the rest
          ...(this.proxyAgent ? { agent: this.proxyAgent } : { lookup: guardedLookup(this.options.policy) }),
          // the whole exchange, not only idle time: a receiver that drips its answer cannot outlive the claim
          signal: AbortSignal.timeout(this.options.timeoutMs),
          timeout: this.options.timeoutMs,
        },
        (res: IncomingMessage) => {
          res.resume();
          res.on('end', () => resolve({ status: res.statusCode }));
          res.on('error', () => resolve({ status: res.statusCode }));
        },
      );
      req.on('timeout', () => req.destroy(new Error(`no answer in ${this.options.timeoutMs} ms`)));
      req.on('error', (err: Error & { code?: string }) => resolve({ error: (err.code ? `${err.code}: ` : '') + err.message }));
      req.end(payload);
    });
  }
}
