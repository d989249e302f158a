import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, openSync, readFileSync, statSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';

/** The compiled entry points (`npm run bench` builds first); this file runs as dist/bench/children.js. */
const DIST = join(__dirname, '..');
export const SCRIPTS = {
  integrator: join(DIST, 'src', 'main.js'),
  cli: join(DIST, 'src', 'cli.js'),
  simulator: join(DIST, 'src', 'simulator', 'main.js'),
  bare: join(DIST, 'bench', 'bare.js'),
  loadgen: join(DIST, 'bench', 'loadgen.js'),
};

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Every process this run started, and what else must go when it ends (the throwaway mariadbd, temp dirs):
 * swept on exit, on an error and on Ctrl-C, so nothing outlives the bench.
 */
const children = new Set<ChildProcess>();
const sweeps: Array<() => void> = [];

export function atExit(sweep: () => void): void {
  sweeps.push(sweep);
}

function sweepAll(): void {
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  for (const sweep of sweeps.splice(0).reverse()) {
    try {
      sweep();
    } catch {
      // the rest still run
    }
  }
}

process.once('exit', sweepAll);
// `on`, not `once`: a second Ctrl-C (or `timeout`, which signals the process and then its whole group) must
// not meet the default action, which would end this process before the sweep has stopped the others
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    process.stderr.write(`\n${signal}: stopping every process the bench started\n`);
    sweepAll();
    process.exit(130);
  });
}

/** Only what a process needs: a proxy or a LOG_LEVEL of the caller's shell must not change what is measured. */
export function baseEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  return { PATH: process.env.PATH, ...extra };
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}

/**
 * A node process whose output goes to a file, not through a pipe into this process: the bench then spends
 * no CPU reading the integrator's and the simulator's log lines while it measures them.
 */
export class NodeChild {
  readonly child: ChildProcess;
  readonly exited: Promise<void>;
  private readonly outPath: string;
  private readonly errPath: string;

  constructor(
    readonly name: string,
    script: string,
    env: NodeJS.ProcessEnv,
    logDir: string,
    options: { args?: string[]; ipc?: boolean; nodeArgs?: string[] } = {},
  ) {
    this.outPath = join(logDir, `${name}.out.log`);
    this.errPath = join(logDir, `${name}.err.log`);
    const out = openSync(this.outPath, 'a');
    const err = openSync(this.errPath, 'a');
    this.child = spawn(process.execPath, [...(options.nodeArgs ?? []), script, ...(options.args ?? [])], { env, stdio: ['ignore', out, err, ...(options.ipc ? (['ipc'] as const) : [])] });
    closeSync(out);
    closeSync(err);
    children.add(this.child);
    this.exited = new Promise((resolve) => this.child.once('exit', () => resolve()));
    void this.exited.then(() => children.delete(this.child));
  }

  get pid(): number {
    return this.child.pid!;
  }

  get running(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  stdout(): string {
    return readFileSync(this.outPath, 'utf8');
  }

  stderrSize(): number {
    return statSync(this.errPath).size;
  }

  stderrFrom(offset: number): string {
    return readFileSync(this.errPath).subarray(offset).toString('utf8');
  }

  /** The end of both logs, for an error message. */
  tail(): string {
    const last = (path: string) => readFileSync(path, 'utf8').slice(-1500);
    return `${this.name} stdout: …${last(this.outPath)}\n${this.name} stderr: …${last(this.errPath)}`;
  }

  /** Polls the process's stdout for a line matching `pattern` (bounded by `capMs`). */
  async waitForStdout(pattern: RegExp, capMs: number): Promise<RegExpMatchArray> {
    const deadline = Date.now() + capMs;
    while (Date.now() < deadline) {
      const match = pattern.exec(this.stdout());
      if (match) return match;
      if (!this.running) break;
      await sleep(50);
    }
    throw new Error(`${this.name}: no ${pattern} within ${capMs} ms\n${this.tail()}`);
  }

  /** Waits for a line the process writes to stderr after `offset` (a size read before it was asked). */
  async waitForStderr(offset: number, pattern: RegExp, capMs: number): Promise<RegExpMatchArray> {
    const deadline = Date.now() + capMs;
    while (Date.now() < deadline) {
      const match = pattern.exec(this.stderrFrom(offset));
      if (match) return match;
      await sleep(20);
    }
    throw new Error(`${this.name}: no ${pattern} on stderr within ${capMs} ms`);
  }

  /** SIGTERM, then SIGKILL if it has not gone within `graceMs`. */
  async stop(graceMs = 10_000): Promise<void> {
    if (!this.running) return;
    this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), graceMs);
    await this.exited;
    clearTimeout(timer);
  }
}

/** Milliseconds from now until `url` answers 200, bounded by `capMs`; fails at once if the process exits. */
export async function waitForOk(url: string, child: NodeChild, capMs: number): Promise<number> {
  const started = performance.now();
  while (performance.now() - started < capMs) {
    if (!child.running) throw new Error(`${child.name} exited before ${url} answered\n${child.tail()}`);
    try {
      const res = await fetch(url);
      await res.arrayBuffer();
      if (res.status === 200) return performance.now() - started;
    } catch {
      // not listening yet
    }
    await sleep(10);
  }
  throw new Error(`${url} did not answer 200 within ${capMs} ms\n${child.tail()}`);
}

export interface Finished {
  status: number | null;
  stdout: string;
  stderr: string;
  ms: number;
}

/** Runs a node script to its end, killed past `capMs`; its output is collected (the CLI's answers are short). */
export function runNode(script: string, args: string[], env: NodeJS.ProcessEnv, capMs: number): Promise<Finished> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(process.execPath, [script, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    children.add(child);
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    // a run's stderr carries its log lines: only the end is kept, for an error message
    child.stderr.on('data', (d) => (stderr = (stderr + d).slice(-4000)));
    const timer = setTimeout(() => child.kill('SIGKILL'), capMs);
    child.once('error', reject);
    child.once('close', (status, signal) => {
      clearTimeout(timer);
      children.delete(child);
      if (signal === 'SIGKILL') reject(new Error(`${script} ${args.join(' ')} was stopped after ${capMs} ms`));
      else resolve({ status, stdout, stderr, ms: performance.now() - started });
    });
  });
}

/** VmRSS and VmHWM (the peak) of a process, in MiB, from Linux's /proc; undefined elsewhere. */
export function memoryOf(pid: number): { rssMiB: number; peakMiB: number } | undefined {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kib = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1]);
    return { rssMiB: kib('VmRSS') / 1024, peakMiB: kib('VmHWM') / 1024 };
  } catch {
    return undefined;
  }
}
