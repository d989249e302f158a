import { randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Api, Outcomes } from './api';
import { figures, load, type Figures } from './measure';
import type { Row } from './report';
import { startStack, type Stack } from './stack';

/** A receiver that answers 204 at once, on loopback: what is measured is the integrator's side. */
async function startReceiver(): Promise<{ url: string; received: () => number; close(): Promise<void> }> {
  let received = 0;
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      received += 1;
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks`,
    received: () => received,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

const ROUNDS = 4;

/**
 * Webhooks: the latency a transfer POST gains when its state change also records an event and a delivery
 * (webhooks on vs off, rotated rounds on two stacks of the same database kind, so drift hits both), and
 * events delivered per second to a local receiver by one instance's dispatcher.
 */
export async function measureWebhooks(off: Stack, databaseUrl: string | undefined, n: number, capMs: number): Promise<{ rows: Row[]; ratioLine: string; delivered: number; pending: number }> {
  const receiver = await startReceiver();
  const on = await startStack(databaseUrl, { url: receiver.url, secret: `whsec_${randomBytes(32).toString('base64')}` });
  try {
    const outcomes = new Outcomes();
    const apis = { off: new Api(off), on: new Api(on) };
    const latencies = { off: [] as number[], on: [] as number[] };
    const per = Math.max(1, Math.floor(n / ROUNDS));
    let elapsed = { off: 0, on: 0 };
    for (let round = 0; round < ROUNDS; round++) {
      for (const side of round % 2 === 0 ? (['off', 'on'] as const) : (['on', 'off'] as const)) {
        const run = await load(per, 1, capMs, (i) => apis[side].postTransfer(`wh-${side}-${round}-${i}`, outcomes));
        latencies[side].push(...run.latenciesMs);
        elapsed = { ...elapsed, [side]: elapsed[side] + run.elapsedMs };
      }
    }
    const fig = (side: 'off' | 'on'): Figures => figures({ done: latencies[side].length, elapsedMs: elapsed[side], latenciesMs: latencies[side], capped: false });
    const offFig = fig('off');
    const onFig = fig('on');

    const pending = (await on.services.outbox.backlog()).byStatus.find((r) => r.status === 'pending')?.n ?? 0;
    const t0 = process.hrtime.bigint();
    for (let pass = 0; pass < 1000; pass++) {
      if ((await on.services.dispatcher.runOnce()).attempted === 0) break;
    }
    const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
    const delivered = receiver.received();
    const deliveryFigures: Figures = { n: delivered, opsPerSecond: delivered / seconds, p50: NaN, p95: NaN, p99: NaN, max: NaN, capped: false };
    return {
      rows: [
        { name: 'POST /transfers, webhooks off (rotated)', figures: offFig },
        { name: 'POST /transfers, webhooks on (rotated)', figures: onFig },
        { name: 'webhook deliveries to a local receiver', figures: deliveryFigures },
      ],
      ratioLine: `webhooks on/off, POST /transfers: p50 ${(onFig.p50 / offFig.p50).toFixed(2)}×, throughput ${(onFig.opsPerSecond / offFig.opsPerSecond).toFixed(2)}× (${outcomes.toString()})`,
      delivered,
      pending,
    };
  } finally {
    await on.close();
    await receiver.close();
  }
}
