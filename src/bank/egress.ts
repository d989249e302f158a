import { Agent, EnvHttpProxyAgent, ProxyAgent, type Dispatcher } from 'undici';

/** Which proxy the bank's calls take, as the configuration read it. */
export interface BankProxySettings {
  /** BANK_PROXY_URL: every bank call goes through it, whatever HTTPS_PROXY, HTTP_PROXY or NO_PROXY say */
  explicit?: string;
  /** HTTPS_PROXY, HTTP_PROXY, NO_PROXY (lower-case forms first), used when there is no BANK_PROXY_URL */
  httpsProxy?: string;
  httpProxy?: string;
  noProxy?: string;
}

export interface EgressRequest {
  method: 'GET' | 'POST';
  headers: Record<string, string>;
  body?: string;
}

export interface EgressAnswer {
  status: number;
  text: string;
}

/** No answer came back; whether the bank can have acted on the request is decided here, once for both clients. */
export class EgressFailure extends Error {
  constructor(
    readonly kind: 'timeout' | 'network',
    /** a code or a short reason (`ECONNREFUSED`, `proxy answered 407`), never a URL */
    readonly reason: string,
    readonly certainlyNotProcessed: boolean,
  ) {
    super(reason);
  }
}

/** No connection to the bank (or to the proxy) was ever made, so nothing was sent. */
const NEVER_CONNECTED = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'UND_ERR_CONNECT_TIMEOUT']);
/** undici's only sign of a CONNECT the proxy refused (the version is pinned; test/api/proxyEgress.test.ts covers it) */
const TUNNEL_REFUSED = /^Proxy response \((\d{3})\) !== 200 when HTTP Tunneling/;

/** A proxy URL fit for a log line: the user and password replaced. */
function redactProxyUrl(raw: string): string {
  try {
    const u = new URL(raw);
    return `${u.protocol}//${u.username || u.password ? '***@' : ''}${u.host}`;
  } catch {
    return '(not a URL)';
  }
}

/**
 * The one outbound HTTP stack to the bank, for the token endpoint and the corporate API alike: which proxy
 * (BANK_PROXY_URL, else the standard proxy variables), the time limit of a whole exchange, and TLS (undici's
 * defaults: the system's CAs plus NODE_EXTRA_CA_CERTS). A proxy's credentials from its URL become
 * Proxy-Authorization: Basic and never appear in a message.
 */
export class BankEgress {
  private readonly dispatcher: Dispatcher;

  constructor(
    private readonly proxy: BankProxySettings,
    private readonly timeoutMs: number,
  ) {
    this.dispatcher = proxy.explicit
      ? new ProxyAgent({ uri: proxy.explicit })
      : proxy.httpsProxy || proxy.httpProxy
        ? // '' rather than undefined: undici would otherwise read process.env behind the configuration's back
          new EnvHttpProxyAgent({ httpsProxy: proxy.httpsProxy ?? '', httpProxy: proxy.httpProxy ?? '', noProxy: proxy.noProxy ?? '' })
        : new Agent();
  }

  /** How the bank is reached, for the start-up log line. */
  describe(): { route: string; proxy?: string; noProxy?: string } {
    const { explicit, httpsProxy, httpProxy, noProxy } = this.proxy;
    if (explicit) return { route: 'BANK_PROXY_URL', proxy: redactProxyUrl(explicit) };
    if (httpsProxy || httpProxy) {
      return {
        route: 'HTTPS_PROXY/HTTP_PROXY',
        proxy: [httpsProxy && `https: ${redactProxyUrl(httpsProxy)}`, httpProxy && `http: ${redactProxyUrl(httpProxy)}`].filter(Boolean).join(', '),
        ...(noProxy ? { noProxy } : {}),
      };
    }
    return { route: 'direct' };
  }

  /**
   * One exchange, the answer's body read in full, all within the bank timeout. Never retries, never follows a
   * redirect. undici's dispatch API rather than fetch: fetch's Request/Headers/AbortSignal machinery cost several
   * times the CPU of the exchange itself.
   */
  exchange(url: URL, req: EgressRequest): Promise<EgressAnswer> {
    return new Promise((resolve, reject) => {
      const exchange = new Exchange(resolve, reject, this.timeoutMs);
      try {
        this.dispatcher.dispatch(
          // a copy: ProxyAgent writes `host` into the headers it is given
          { origin: url.origin, path: url.pathname + url.search, method: req.method, headers: { 'user-agent': USER_AGENT, ...req.headers }, body: req.body },
          exchange,
        );
      } catch (err) {
        exchange.onResponseError(undefined, err as Error);
      }
    });
  }
}

/** What fetch sent: a gateway that refuses a request without a User-Agent sees no change. */
const USER_AGENT = 'undici';
const UTF8 = new TextDecoder();

/**
 * undici's handler of one exchange and the deadline over all of it: queueing, connecting (the proxy's CONNECT
 * included), the request, the answer's headers and its whole body. undici's own timeouts bound each phase
 * separately, so the deadline is a timer of ours; a request still waiting for its connection when it fires is
 * aborted as soon as undici hands it one, before a byte of it is written.
 */
class Exchange implements Dispatcher.DispatchHandler {
  private controller?: Dispatcher.DispatchController;
  private settled = false;
  private status = 0;
  private chunks: Buffer[] = [];
  private readonly timer: NodeJS.Timeout;

  constructor(
    private readonly resolve: (answer: EgressAnswer) => void,
    private readonly reject: (failure: EgressFailure) => void,
    timeoutMs: number,
  ) {
    this.timer = setTimeout(timedOut, timeoutMs, this);
  }

  onRequestStart(controller: Dispatcher.DispatchController): void {
    this.controller = controller;
    if (this.settled) controller.abort(timeout());
  }

  onResponseStart(_controller: Dispatcher.DispatchController, statusCode: number): void {
    // an informational 1xx is followed by the real answer
    this.status = statusCode;
  }

  onResponseData(_controller: Dispatcher.DispatchController, chunk: Buffer): void {
    this.chunks.push(chunk);
  }

  onResponseEnd(): void {
    if (this.settle()) {
      const { chunks } = this;
      // fetch's text(): UTF-8, a leading BOM dropped, malformed bytes replaced
      this.resolve({ status: this.status, text: chunks.length === 0 ? '' : UTF8.decode(chunks.length === 1 ? chunks[0] : Buffer.concat(chunks)) });
    }
  }

  onResponseError(_controller: Dispatcher.DispatchController | undefined, err: Error): void {
    if (this.settle()) this.reject(failure(err));
  }

  expire(): void {
    if (this.settled) return;
    this.settled = true;
    const failure = timeout();
    this.controller?.abort(failure);
    this.reject(failure);
  }

  /** true for the first outcome only: whatever undici reports after the deadline (or after an answer) is moot */
  private settle(): boolean {
    if (this.settled) return false;
    this.settled = true;
    clearTimeout(this.timer);
    return true;
  }
}

function timedOut(exchange: Exchange): void {
  exchange.expire();
}

/** the time ran out with the request possibly at the bank: a timeout is never "certainly not processed" */
const timeout = () => new EgressFailure('timeout', 'no answer in time', false);

function failure(err: unknown): EgressFailure {
  const chain = withCauses(err);
  const tunnel = chain.map((c) => TUNNEL_REFUSED.exec(c.message ?? '')).find(Boolean);
  // the proxy refused the CONNECT (407, 502, 503…): the bank never saw a byte
  if (tunnel) return new EgressFailure('network', `proxy answered ${tunnel[1]}`, true);
  const code = chain.map((c) => c.code).find((c): c is string => typeof c === 'string') ?? 'UNKNOWN';
  return new EgressFailure('network', code, NEVER_CONNECTED.has(code));
}

/** undici hands over its own error or the socket's; a TLS failure at the proxy comes wrapped (its `cause`). */
function withCauses(err: unknown): Array<{ code?: unknown; message?: string }> {
  const out: Array<{ code?: unknown; message?: string }> = [];
  for (let c = err; c && typeof c === 'object' && out.length < 4; c = (c as { cause?: unknown }).cause) {
    out.push(c as { code?: unknown; message?: string });
  }
  return out;
}
