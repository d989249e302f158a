import { createServer, type IncomingMessage, type Server } from 'node:http';
import { connect, type Socket } from 'node:net';

/** One request seen inside a tunnel: the bank and receivers here speak plain http, so the proxy can read it. */
export interface TunnelledRequest {
  /** host:port of the CONNECT */
  authority: string;
  method: string;
  path: string;
}

/**
 * A real forward proxy on 127.0.0.1 for egress tests: CONNECT only (what a client does for an https bank,
 * and what the service does for every bank call), optional Basic proxy authentication (407 otherwise), and
 * it can go down (port closed: connections refused) and come back on the same port. Tunnels carry plain
 * http in these tests, so it also records each request line it relays, path included, to count calls.
 */
export interface ForwardProxy {
  /** http://127.0.0.1:port, no credentials */
  url: string;
  /** the same with user:pass@, percent-encoded */
  urlWith(user: string, password: string): string;
  /** every CONNECT accepted, as host:port */
  connects: string[];
  /** CONNECTs answered 407 */
  refused: number;
  requests: TunnelledRequest[];
  down(): Promise<void>;
  up(): Promise<void>;
  close(): Promise<void>;
}

const REQUEST_LINE = /(GET|POST|PUT|PATCH|DELETE) (\/\S*) HTTP\/1\.1$/;

export async function startForwardProxy(options: { credentials?: { user: string; password: string } } = {}): Promise<ForwardProxy> {
  const connects: string[] = [];
  const requests: TunnelledRequest[] = [];
  const sockets = new Set<Socket>();
  const expected = options.credentials && `Basic ${Buffer.from(`${options.credentials.user}:${options.credentials.password}`).toString('base64')}`;
  const proxy: ForwardProxy = {
    url: '',
    urlWith: (user, password) => proxy.url.replace('http://', `http://${encodeURIComponent(user)}:${encodeURIComponent(password)}@`),
    connects,
    refused: 0,
    requests,
    down: async () => undefined,
    up: async () => undefined,
    close: async () => undefined,
  };
  const track = (s: Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
    s.on('error', () => undefined);
  };

  const onConnect = (req: IncomingMessage, client: Socket, head: Buffer) => {
    track(client);
    const authority = req.url ?? '';
    if (expected && req.headers['proxy-authorization'] !== expected) {
      proxy.refused += 1;
      client.end('HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: Basic realm="test"\r\nContent-Length: 0\r\nConnection: close\r\n\r\n');
      return;
    }
    const [host, port] = [authority.slice(0, authority.lastIndexOf(':')), Number(authority.slice(authority.lastIndexOf(':') + 1))];
    const upstream = connect(port, host);
    track(upstream);
    upstream.on('error', () => client.end('HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\nConnection: close\r\n\r\n'));
    upstream.on('connect', () => {
      connects.push(authority);
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      let partial = '';
      const sniff = (chunk: Buffer) => {
        const lines = (partial + chunk.toString('latin1')).split('\r\n');
        partial = lines.pop() ?? '';
        for (const line of lines) {
          const m = REQUEST_LINE.exec(line);
          if (m) requests.push({ authority, method: m[1], path: m[2] });
        }
      };
      sniff(head);
      upstream.write(head);
      client.on('data', sniff);
      client.pipe(upstream).pipe(client);
      client.on('close', () => upstream.destroy());
      upstream.on('close', () => client.destroy());
    });
  };

  let server: Server | undefined;
  let port = 0;
  const listen = () =>
    new Promise<void>((resolve) => {
      const s = createServer((_req, res) => res.writeHead(405, { connection: 'close' }).end('CONNECT only'));
      s.on('connect', onConnect);
      s.listen(port, '127.0.0.1', () => {
        port = (s.address() as { port: number }).port;
        server = s;
        resolve();
      });
    });
  const stop = () =>
    new Promise<void>((resolve) => {
      const s = server;
      if (!s) return resolve();
      server = undefined;
      for (const socket of sockets) socket.destroy();
      s.closeAllConnections();
      s.close(() => resolve());
    });

  await listen();
  proxy.url = `http://127.0.0.1:${port}`;
  proxy.down = stop;
  proxy.up = async () => {
    if (!server) await listen();
  };
  proxy.close = stop;
  return proxy;
}
