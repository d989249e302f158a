import { NodeChild, SCRIPTS, baseEnv } from './children';

/** One run of the load generator: what to send, how many at once, for how long (or how many in all). */
export interface LoadJob {
  url: string;
  method: 'GET' | 'POST';
  headers: Record<string, string>;
  body?: string;
  /** a header set to `<prefix>-<n>` on every request (each POST needs its own Idempotency-Key) */
  unique?: { header: string; prefix: string };
  connections: number;
  /** stop after this many seconds… */
  seconds?: number;
  /** …or after this many requests */
  amount?: number;
  /** requests per second over all connections; unset: as fast as answers come back */
  rate?: number;
}

/** Latencies are of 2xx answers only (an error answered fast must not flatter the figures). */
export interface LoadResult {
  /** 2xx answers */
  ok: number;
  non2xx: number;
  /** network errors and timeouts */
  errors: number;
  seconds: number;
  /** 2xx answers per second */
  rps: number;
  p50: number;
  p99: number;
  /** answers by status, e.g. {"201": 2500} */
  statuses: Record<string, number>;
}

export type ToLoadgen = { type: 'run'; job: LoadJob } | { type: 'stop' };
export type FromLoadgen = { type: 'result'; result: LoadResult } | { type: 'failed'; error: string };

/** How long past its own length a run may take before the generator is declared stuck. */
const SLACK_MS = 60_000;

/**
 * The load generator as its own process (bench/loadgen.ts, autocannon), so that generating load takes none
 * of the CPU of the processes measured, and none of the bench's. One run at a time.
 */
export class LoadGenerator {
  private constructor(private readonly process: NodeChild) {}

  static start(logDir: string): LoadGenerator {
    return new LoadGenerator(new NodeChild('loadgen', SCRIPTS.loadgen, baseEnv({}), logDir, { ipc: true }));
  }

  /** `capMs` bounds a run given by amount (a run by seconds is bounded by its own length). */
  run(job: LoadJob, capMs = 600_000): Promise<LoadResult> {
    const child = this.process.child;
    const limitMs = job.seconds !== undefined ? job.seconds * 1000 + SLACK_MS : capMs;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        cleanup();
        reject(new Error(`the load generator did not finish ${job.method} ${job.url} within ${limitMs} ms`));
      }, limitMs);
      const onMessage = (message: FromLoadgen) => {
        cleanup();
        if (message.type === 'result') resolve(message.result);
        else reject(new Error(`load generator: ${message.error}`));
      };
      const onExit = () => {
        cleanup();
        reject(new Error(`the load generator exited\n${this.process.tail()}`));
      };
      const cleanup = () => {
        clearTimeout(timer);
        child.off('message', onMessage);
        child.off('exit', onExit);
      };
      child.on('message', onMessage);
      child.once('exit', onExit);
      child.send({ type: 'run', job } satisfies ToLoadgen);
    });
  }

  /** Ends the current run now; its promise resolves with what was measured so far. */
  stop(): void {
    this.process.child.send({ type: 'stop' } satisfies ToLoadgen);
  }

  close(): Promise<void> {
    this.process.child.disconnect();
    return this.process.stop(5_000);
  }
}
