import { createServer as createHttpServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { connect, createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { BankEgress, EgressFailure } from '../../src/bank/egress';
import { BankError } from '../../src/bank/errors';
import { BankHttpClient } from '../../src/bank/httpClient';
import { startForwardProxy, type ForwardProxy } from '../support/forwardProxy';

/**
 * BankEgress against real servers on 127.0.0.1: what an answer comes back as, and what every way of getting
 * none is classified as — above all whether the bank can have seen the request (`certainlyNotProcessed`).
 * No database: the egress knows none.
 */
const USER = 'gbi-egress';
const PASSWORD = 'pa:ss@w/rd%1';
/** for exchanges that must end by the deadline */
const SHORT_TIMEOUT_MS = 300;
/** for exchanges that must not */
const LONG_TIMEOUT_MS = 10_000;

interface Served {
  method: string;
  url: string;
  rawHeaders: string[];
  body: string;
}

/** the bank's stand-in: what each route answers, and every request it read in full */
function bankRoutes(served: Served[]) {
  return (req: IncomingMessage, res: ServerResponse) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (c: string) => (body += c));
    req.on('end', () => {
      served.push({ method: req.method ?? '', url: req.url ?? '', rawHeaders: req.rawHeaders, body });
      if (req.url?.startsWith('/chunked')) {
        // 'ア' is three bytes: the first chunk ends inside it
        const bytes = Buffer.from('\uFEFF{"name":"ア"}', 'utf8');
        res.writeHead(200, { 'content-type': 'application/json;charset=UTF-8' });
        res.write(bytes.subarray(0, 13));
        setImmediate(() => res.end(bytes.subarray(13)));
      } else if (req.url?.startsWith('/moved')) {
        res.writeHead(302, { location: `${req.url}/elsewhere` }).end();
      } else if (req.url?.startsWith('/empty')) {
        res.writeHead(204).end();
      } else {
        res.writeHead(req.method === 'POST' ? 201 : 200, { 'content-type': 'application/json' }).end(JSON.stringify({ ok: true }));
      }
    });
  };
}

/** A plain TCP server whose every connection `onSocket` handles; its sockets are destroyed on close. */
async function startRaw(onSocket: (socket: Socket) => void): Promise<{ server: Server; port: number; url: string; close(): Promise<void> }> {
  const sockets = new Set<Socket>();
  const server = createServer((s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
    s.on('error', () => undefined);
    onSocket(s);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    server,
    port,
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

async function failureOf(p: Promise<unknown>): Promise<EgressFailure> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(EgressFailure);
  return err as EgressFailure;
}
const asSeen = (f: EgressFailure) => ({ kind: f.kind, reason: f.reason, certainlyNotProcessed: f.certainlyNotProcessed });
const TIMEOUT = { kind: 'timeout', reason: 'no answer in time', certainlyNotProcessed: false };

describe('BankEgress', () => {
  const served: Served[] = [];
  let bank: ReturnType<typeof createHttpServer>;
  let bankUrl: string;
  let proxy: ForwardProxy;
  let closedPort: number;

  beforeAll(async () => {
    bank = createHttpServer(bankRoutes(served));
    await new Promise<void>((resolve) => bank.listen(0, '127.0.0.1', resolve));
    bankUrl = `http://127.0.0.1:${(bank.address() as AddressInfo).port}`;
    proxy = await startForwardProxy({ credentials: { user: USER, password: PASSWORD } });
    const spare = await startRaw(() => undefined);
    closedPort = spare.port;
    await spare.close();
  });
  afterAll(async () => {
    bank?.closeAllConnections();
    await new Promise((resolve) => bank?.close(resolve));
    await proxy?.close();
  });

  describe.each([
    ['direct', () => ({})],
    ['through BANK_PROXY_URL', () => ({ explicit: proxy.urlWith(USER, PASSWORD) })],
    ['through HTTP_PROXY', () => ({ httpProxy: proxy.urlWith(USER, PASSWORD) })],
  ])('answers %s', (_route, settings) => {
    test('a POST: its body, its headers with their names as given, the path and query; the answer’s status and text', async () => {
      const egress = new BankEgress(settings(), LONG_TIMEOUT_MS);
      const before = served.length;
      const answer = await egress.exchange(new URL(`${bankUrl}/transfer/request?a=1&b=%E3%82%A2#fragment`), {
        method: 'POST',
        headers: { Accept: 'application/json', 'x-access-token': 'token-1', 'content-type': 'application/json' },
        body: '{"amount":1000}',
      });
      expect(answer).toEqual({ status: 201, text: '{"ok":true}' });
      expect(served.slice(before)).toHaveLength(1);
      const seen = served[before];
      expect({ method: seen.method, url: seen.url, body: seen.body }).toEqual({ method: 'POST', url: '/transfer/request?a=1&b=%E3%82%A2', body: '{"amount":1000}' });
      const names = seen.rawHeaders.filter((_, i) => i % 2 === 0);
      expect(names).toEqual(expect.arrayContaining(['Accept', 'x-access-token', 'content-type', 'user-agent']));
      expect(seen.rawHeaders[seen.rawHeaders.indexOf('x-access-token') + 1]).toBe('token-1');
    });

    test('a GET without a body; an answer in several chunks is decoded as UTF-8, its BOM dropped; an empty answer is ""', async () => {
      const egress = new BankEgress(settings(), LONG_TIMEOUT_MS);
      await expect(egress.exchange(new URL(`${bankUrl}/chunked`), { method: 'GET', headers: { accept: 'application/json' } })).resolves.toEqual({
        status: 200,
        text: '{"name":"ア"}',
      });
      await expect(egress.exchange(new URL(`${bankUrl}/empty`), { method: 'GET', headers: {} })).resolves.toEqual({ status: 204, text: '' });
      expect(served[served.length - 2]).toMatchObject({ method: 'GET', body: '' });
    });
  });

  test('a redirect is not followed (the access token stays with the bank) and is no refusal: a protocol error, not certain', async () => {
    const client = new BankHttpClient(bankUrl, new BankEgress({}, LONG_TIMEOUT_MS), {});
    const before = served.length;
    const err = await client.send({ method: 'POST', path: '/moved', accessToken: 'token-1', body: { amount: '1000' } }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BankError);
    expect({ kind: (err as BankError).kind, certainlyNotProcessed: (err as BankError).certainlyNotProcessed }).toEqual({ kind: 'protocol', certainlyNotProcessed: false });
    expect(served.slice(before).map((s) => s.url)).toEqual(['/moved']);
  });

  test('the caller’s headers object is left as it was, through a proxy too', async () => {
    const headers = { accept: 'application/json' };
    await new BankEgress({ explicit: proxy.urlWith(USER, PASSWORD) }, LONG_TIMEOUT_MS).exchange(new URL(`${bankUrl}/accounts`), { method: 'GET', headers });
    expect(headers).toEqual({ accept: 'application/json' });
  });

  test('a bank nobody listens for: ECONNREFUSED, certainly not processed', async () => {
    const f = await failureOf(new BankEgress({}, LONG_TIMEOUT_MS).exchange(new URL(`http://127.0.0.1:${closedPort}/accounts`), { method: 'GET', headers: {} }));
    expect(asSeen(f)).toEqual({ kind: 'network', reason: 'ECONNREFUSED', certainlyNotProcessed: true });
  });

  test('a proxy that refuses the CONNECT (407 wrong password, 502 bank unreachable): the proxy’s answer, certainly not processed', async () => {
    const wrong = new BankEgress({ explicit: proxy.urlWith(USER, 'not-the-pa55word') }, LONG_TIMEOUT_MS);
    const before = served.length;
    expect(asSeen(await failureOf(wrong.exchange(new URL(`${bankUrl}/transfer/request`), { method: 'POST', headers: {}, body: '{}' })))).toEqual({
      kind: 'network',
      reason: 'proxy answered 407',
      certainlyNotProcessed: true,
    });
    const right = new BankEgress({ httpsProxy: proxy.urlWith(USER, PASSWORD), httpProxy: proxy.urlWith(USER, PASSWORD) }, LONG_TIMEOUT_MS);
    expect(asSeen(await failureOf(right.exchange(new URL(`http://127.0.0.1:${closedPort}/accounts`), { method: 'GET', headers: {} })))).toEqual({
      kind: 'network',
      reason: 'proxy answered 502',
      certainlyNotProcessed: true,
    });
    expect(served.length).toBe(before);
  });

  test('a dead proxy: ECONNREFUSED, certainly not processed', async () => {
    const dead = await startForwardProxy();
    await dead.close();
    const f = await failureOf(new BankEgress({ explicit: dead.url }, LONG_TIMEOUT_MS).exchange(new URL(`${bankUrl}/accounts`), { method: 'GET', headers: {} }));
    expect(asSeen(f)).toEqual({ kind: 'network', reason: 'ECONNREFUSED', certainlyNotProcessed: true });
  });

  test('a bank that resets the connection once it has the request: a network failure, not certain', async () => {
    const resetting = await startRaw((s) => s.once('data', () => s.resetAndDestroy()));
    try {
      const f = await failureOf(new BankEgress({}, LONG_TIMEOUT_MS).exchange(new URL(`${resetting.url}/transfer/request`), { method: 'POST', headers: {}, body: '{}' }));
      expect(f.kind).toBe('network');
      expect(f.certainlyNotProcessed).toBe(false);
      expect(f.reason).toMatch(/^(ECONNRESET|UND_ERR_SOCKET)$/);
    } finally {
      await resetting.close();
    }
  });

  describe('the deadline covers the whole exchange', () => {
    test('a bank that never answers: a timeout, not certain', async () => {
      const silent = await startRaw(() => undefined);
      try {
        const f = await failureOf(new BankEgress({}, SHORT_TIMEOUT_MS).exchange(new URL(`${silent.url}/transfer/request`), { method: 'POST', headers: {}, body: '{}' }));
        expect(asSeen(f)).toEqual(TIMEOUT);
      } finally {
        await silent.close();
      }
    });

    test('a bank that sends the headers and part of the body, then stalls: a timeout, not certain', async () => {
      const stalling = await startRaw((s) =>
        s.once('data', () => s.write('HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 100\r\n\r\n{"accounts":[')),
      );
      try {
        const f = await failureOf(new BankEgress({}, SHORT_TIMEOUT_MS).exchange(new URL(`${stalling.url}/accounts`), { method: 'GET', headers: {} }));
        expect(asSeen(f)).toEqual(TIMEOUT);
      } finally {
        await stalling.close();
      }
    });

    test('a proxy that never answers the CONNECT: a timeout, not certain', async () => {
      const hanging = await startRaw(() => undefined);
      try {
        const f = await failureOf(new BankEgress({ explicit: hanging.url }, SHORT_TIMEOUT_MS).exchange(new URL(`${bankUrl}/accounts`), { method: 'GET', headers: {} }));
        expect(asSeen(f)).toEqual(TIMEOUT);
      } finally {
        await hanging.close();
      }
    });

    test('a request whose tunnel opens after the deadline is never written to it', async () => {
      // a proxy that holds each CONNECT until released, then tunnels to a bank that records what it receives
      const received: Array<{ bytes: number; over: Promise<void> }> = [];
      const recorder = await startRaw((s) => {
        const seen = { bytes: 0, over: Promise.resolve() };
        // over at the first byte or at the close, whichever comes first
        seen.over = new Promise<void>((resolve) => {
          s.once('close', () => resolve());
          s.once('data', (c: Buffer) => {
            seen.bytes += c.length;
            resolve();
          });
        });
        received.push(seen);
      });
      const held: Array<() => void> = [];
      const tunnels: Socket[] = [];
      const slowProxy = createHttpServer();
      slowProxy.on('connect', (_req: IncomingMessage, client: Socket) => {
        tunnels.push(client);
        client.on('error', () => undefined);
        held.push(() => {
          const upstream = connect(recorder.port, '127.0.0.1', () => {
            client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
            client.pipe(upstream).pipe(client);
          });
          upstream.on('error', () => undefined);
          client.on('close', () => upstream.destroy());
          upstream.on('close', () => client.destroy());
        });
      });
      await new Promise<void>((resolve) => slowProxy.listen(0, '127.0.0.1', resolve));
      try {
        const egress = new BankEgress({ explicit: `http://127.0.0.1:${(slowProxy.address() as AddressInfo).port}` }, SHORT_TIMEOUT_MS);
        const f = await failureOf(egress.exchange(new URL(`http://127.0.0.1:${recorder.port}/transfer/request`), { method: 'POST', headers: {}, body: '{}' }));
        expect(asSeen(f)).toEqual(TIMEOUT);
        expect(held).toHaveLength(1);
        held[0]();
        // the tunnel reaches the bank and is closed by the client without a byte
        await waitFor(() => received.length === 1);
        await received[0].over;
        expect(received[0].bytes).toBe(0);
      } finally {
        for (const t of tunnels) t.destroy();
        await new Promise((resolve) => slowProxy.close(resolve));
        await recorder.close();
      }
    });
  });
});

/** Polls a condition a bounded number of times (a few ms apart) instead of waiting a fixed time. */
async function waitFor(condition: () => boolean): Promise<void> {
  for (let i = 0; i < 200 && !condition(); i++) await new Promise((resolve) => setTimeout(resolve, 10));
  expect(condition()).toBe(true);
}
