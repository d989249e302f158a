import { Agent, createServer, request, type IncomingMessage, type ServerResponse } from 'node:http';

/**
 * A load balancer reduced to what several-instance tests need: a real HTTP listener on 127.0.0.1 that
 * hands each request to the next upstream in turn, whatever the path, so a browser's redirect back or a
 * retried payout may land on any instance. No failover: a request to an upstream that is down is answered
 * 502, as a balancer that has not yet noticed the instance died would.
 */
export interface RoundRobin {
  url: string;
  /** requests handed to each upstream, in the order of `upstreams` */
  forwarded: number[];
  close(): Promise<void>;
}

export async function startRoundRobin(upstreams: string[]): Promise<RoundRobin> {
  const targets = upstreams.map((u) => new URL(u));
  const forwarded = targets.map(() => 0);
  const agent = new Agent({ keepAlive: true });
  let next = 0;

  const badGateway = (res: ServerResponse) => {
    if (res.headersSent) return res.destroy();
    res.writeHead(502, { 'content-type': 'application/json' }).end(JSON.stringify({ error: 'upstream unavailable' }));
  };

  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const index = next;
    next = (next + 1) % targets.length;
    forwarded[index] += 1;
    const target = targets[index];
    const upstream = request(
      { agent, host: target.hostname, port: target.port, method: req.method, path: req.url, headers: req.headers },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
        answer.on('error', () => res.destroy());
      },
    );
    upstream.on('error', () => badGateway(res));
    req.pipe(upstream);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };

  return {
    url: `http://127.0.0.1:${port}`,
    forwarded,
    close: () =>
      new Promise<void>((resolve) => {
        agent.destroy();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
