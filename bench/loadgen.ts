import autocannon from 'autocannon';
import type { FromLoadgen, LoadJob, LoadResult, ToLoadgen } from './load';
import { percentile } from './stats';

/**
 * The load generator, a child process of `npm run bench` (see load.ts): autocannon over keep-alive
 * connections, one run per message, the result sent back as JSON. Latencies are kept here at full
 * resolution (autocannon's own histogram rounds to whole milliseconds, too coarse for a 2 ms budget).
 */
let current: autocannon.Instance | undefined;

function run(job: LoadJob): Promise<LoadResult> {
  return new Promise((resolve, reject) => {
    let counter = 0;
    const latencies: number[] = [];
    const statuses: Record<string, number> = {};
    let errors = 0;
    const started = performance.now();
    const unique = job.unique;
    const instance = autocannon(
      {
        url: job.url,
        connections: job.connections,
        ...(job.amount !== undefined ? { amount: job.amount } : { duration: job.seconds ?? 5 }),
        ...(job.rate !== undefined ? { overallRate: job.rate } : {}),
        timeout: 30,
        requests: [
          {
            method: job.method,
            path: new URL(job.url).pathname + new URL(job.url).search,
            headers: job.headers,
            body: job.body,
            ...(unique ? { setupRequest: (req) => ({ ...req, headers: { ...req.headers, [unique.header]: `${unique.prefix}-${counter++}` } }) } : {}),
          },
        ],
      },
      (err) => {
        current = undefined;
        if (err) return reject(err instanceof Error ? err : new Error(String(err)));
        const seconds = (performance.now() - started) / 1000;
        const ok = latencies.length;
        latencies.sort((a, b) => a - b);
        resolve({
          ok,
          non2xx: Object.entries(statuses).reduce((n, [status, count]) => (status.startsWith('2') ? n : n + count), 0),
          errors,
          seconds,
          rps: ok / seconds,
          p50: percentile(latencies, 50),
          p99: percentile(latencies, 99),
          statuses,
        });
      },
    );
    current = instance;
    instance.on('response', (_client, statusCode, _bytes, responseTime) => {
      statuses[statusCode] = (statuses[statusCode] ?? 0) + 1;
      if (statusCode >= 200 && statusCode < 300) latencies.push(responseTime);
    });
    instance.on('reqError', () => {
      errors += 1;
    });
  });
}

const reply = (message: FromLoadgen) => process.send!(message);

process.on('message', (message: ToLoadgen) => {
  if (message.type === 'stop') {
    current?.stop();
    return;
  }
  run(message.job).then(
    (result) => reply({ type: 'result', result }),
    (err: unknown) => reply({ type: 'failed', error: err instanceof Error ? err.message : String(err) }),
  );
});
// the bench closing the channel is the signal to go
process.on('disconnect', () => process.exit(0));
