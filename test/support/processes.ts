import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';

/** The compiled entry points, as an operator runs them (`tsc -p tsconfig.build.json` first). */
export const ROOT = join(__dirname, '..', '..');
export const SERVICE_MAIN = join(ROOT, 'dist', 'src', 'main.js');
export const SIMULATOR_MAIN = join(ROOT, 'dist', 'src', 'simulator', 'main.js');
export const CLI = join(ROOT, 'dist', 'src', 'cli.js');

export function buildDist(): void {
  try {
    execFileSync(join(ROOT, 'node_modules', '.bin', 'tsc'), ['-p', 'tsconfig.build.json'], { cwd: ROOT, stdio: 'pipe', encoding: 'utf8' });
  } catch (err) {
    throw new Error(`tsc -p tsconfig.build.json failed:\n${(err as { stdout?: string }).stdout ?? String(err)}`);
  }
}

export { freePort } from '../../bench/children';

/** A node process whose output is kept, not printed: the test reads its JSON log lines. */
export interface NodeProcess {
  child: ChildProcess;
  output(): string;
  /** every stdout line that is a JSON object */
  logLines(): Array<Record<string, unknown>>;
  exited: Promise<void>;
  /** SIGKILL unless it has exited already; resolves once it has */
  kill(): Promise<void>;
}

export function startNode(script: string, env: NodeJS.ProcessEnv, nodeArgs: string[] = []): NodeProcess {
  const child = spawn(process.execPath, [...nodeArgs, script], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return {
    child,
    output: () => out,
    logLines: () =>
      out.split('\n').flatMap((line) => {
        if (!line.startsWith('{')) return [];
        try {
          return [JSON.parse(line) as Record<string, unknown>];
        } catch {
          return [];
        }
      }),
    exited,
    kill: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exited;
    },
  };
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Bounded: `looks` checks `everyMs` apart; false if it never held. */
export async function eventually(check: () => Promise<boolean> | boolean, looks = 100, everyMs = 100): Promise<boolean> {
  for (let i = 0; i < looks; i++) {
    if (await check()) return true;
    await sleep(everyMs);
  }
  return false;
}

/** Bounded: 100 looks 100 ms apart; fails with the process's output if it exits or never answers. */
export async function waitForHealthy(url: string, proc: NodeProcess, path = '/healthz'): Promise<void> {
  for (let i = 0; i < 100; i++) {
    if (proc.child.exitCode !== null) throw new Error(`process exited: ${proc.output()}`);
    try {
      if ((await fetch(`${url}${path}`)).ok) return;
    } catch {
      // not listening yet
    }
    await sleep(100);
  }
  throw new Error(`process did not become healthy: ${proc.output()}`);
}

export function runCli(env: NodeJS.ProcessEnv, args: string[], input?: string): { status: number; stdout: string; stderr: string } {
  try {
    const stdout = execFileSync(process.execPath, [CLI, ...args], { env, input, stdio: 'pipe', encoding: 'utf8' });
    return { status: 0, stdout, stderr: '' };
  } catch (err) {
    const e = err as { status: number; stdout: string; stderr: string };
    return { status: e.status, stdout: e.stdout, stderr: e.stderr };
  }
}

/**
 * Node arguments that run a process with its wall clock `seconds` ahead (a `Date` that is the real one
 * shifted, nothing else changed): a service process has no clock to inject, and a test cannot wait out
 * minutes of grace. Dates built from explicit parts or strings are untouched.
 */
export function clockAhead(seconds: number): string[] {
  const code = `const R=Date;const o=${seconds * 1000};globalThis.Date=new Proxy(R,{construct:(t,a,n)=>a.length===0?Reflect.construct(t,[R.now()+o],n):Reflect.construct(t,a,n),apply:()=>new R(R.now()+o).toString(),get:(t,p,r)=>p==="now"?()=>R.now()+o:Reflect.get(t,p,r)});`;
  return ['--import', `data:text/javascript,${encodeURIComponent(code)}`];
}
