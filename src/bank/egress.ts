import { Agent, EnvHttpProxyAgent, fetch, ProxyAgent, type Dispatcher } from 'undici';

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

  /** One exchange, the answer's body read in full, all within the bank timeout. Never retries. */
  async exchange(url: URL, req: EgressRequest): Promise<EgressAnswer> {
    const signal = AbortSignal.timeout(this.timeoutMs);
    try {
      const response = await fetch(url, { method: req.method, headers: req.headers, body: req.body, signal, dispatcher: this.dispatcher });
      return { status: response.status, text: await response.text() };
    } catch (err) {
      throw failure(err);
    }
  }
}

function failure(err: unknown): EgressFailure {
  const e = err as { name?: string };
  const chain = causes(err);
  const tunnel = chain.map((c) => TUNNEL_REFUSED.exec(c.message ?? '')).find(Boolean);
  // the proxy refused the CONNECT (407, 502, 503…): the bank never saw a byte
  if (tunnel) return new EgressFailure('network', `proxy answered ${tunnel[1]}`, true);
  // the time ran out with the request possibly at the bank: a timeout is never "certainly not processed"
  if (e.name === 'TimeoutError' || e.name === 'AbortError') return new EgressFailure('timeout', 'no answer in time', false);
  const code = chain.map((c) => c.code).find((c): c is string => typeof c === 'string') ?? 'UNKNOWN';
  return new EgressFailure('network', code, NEVER_CONNECTED.has(code));
}

/** fetch's TypeError wraps undici's error, sometimes through a DOMException: the chain, a few links deep. */
function causes(err: unknown): Array<{ code?: unknown; message?: string }> {
  const out: Array<{ code?: unknown; message?: string; cause?: unknown }> = [];
  for (let c = (err as { cause?: unknown })?.cause; c && typeof c === 'object' && out.length < 4; c = (c as { cause?: unknown }).cause) {
    out.push(c as { code?: unknown; message?: string });
  }
  return out;
}
