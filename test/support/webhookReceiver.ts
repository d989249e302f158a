import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';

export interface ReceivedHook {
  headers: IncomingHttpHeaders;
  body: string;
  /** what the receiver answered */
  status: number;
}

/**
 * A real HTTP receiver on 127.0.0.1 for webhook tests: it records every POST, answers with the queued
 * statuses (then 200), and can go down and come back on the same port.
 */
export interface WebhookReceiver {
  url: string;
  received: ReceivedHook[];
  answerWith(...statuses: number[]): void;
  down(): Promise<void>;
  up(): Promise<void>;
  close(): Promise<void>;
}

export async function startWebhookReceiver(path = '/hooks'): Promise<WebhookReceiver> {
  const received: ReceivedHook[] = [];
  const queue: number[] = [];
  let server: Server;
  let isUp = false;
  const listen = (port: number) =>
    new Promise<number>((resolve) => {
      server = createServer((req, res) => {
        let body = '';
        req.setEncoding('utf8');
        req.on('data', (c) => (body += c));
        req.on('end', () => {
          const status = queue.shift() ?? 200;
          received.push({ headers: req.headers, body, status });
          res.writeHead(status, { 'content-type': 'text/plain' }).end(status < 300 ? 'ok' : 'not now');
        });
      });
      server.listen(port, '127.0.0.1', () => {
        isUp = true;
        resolve((server.address() as { port: number }).port);
      });
    });
  const stop = () =>
    new Promise<void>((resolve) => {
      if (!isUp) return resolve();
      isUp = false;
      server.closeAllConnections();
      server.close(() => resolve());
    });
  const port = await listen(0);
  return {
    url: `http://127.0.0.1:${port}${path}`,
    received,
    answerWith: (...statuses) => queue.push(...statuses),
    down: stop,
    up: async () => {
      if (!isUp) await listen(port);
    },
    close: stop,
  };
}
