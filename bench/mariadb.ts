import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './children';

/**
 * A throwaway MariaDB server in a temp dir, for the tests' global setup and for the benchmark.
 * Nothing is shared with a system MariaDB: its own datadir, socket, port and no config files.
 */
export interface MariaDbServer {
  dir: string;
  pid: number;
  url: string;
}

const BIN_DIRS = ['/usr/sbin', '/usr/bin', '/usr/local/sbin', '/usr/local/bin'];

export function findMariaDbBinary(name: string): string | undefined {
  return BIN_DIRS.map((d) => join(d, name)).find((p) => existsSync(p));
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Needs mariadbd, mariadb-install-db, mariadb-admin and mariadb (the client) in one of BIN_DIRS. */
export async function startMariaDb(): Promise<MariaDbServer> {
  const dir = mkdtempSync(join(tmpdir(), 'gbi-mariadb-'));
  const socket = join(dir, 'mysqld.sock');
  const port = await freePort();
  execFileSync(
    findMariaDbBinary('mariadb-install-db')!,
    ['--no-defaults', '--user=root', `--datadir=${join(dir, 'data')}`, '--auth-root-authentication-method=normal', '--skip-test-db'],
    { stdio: 'ignore' },
  );
  const child = spawn(
    findMariaDbBinary('mariadbd')!,
    [
      '--no-defaults',
      '--user=root',
      `--datadir=${join(dir, 'data')}`,
      `--socket=${socket}`,
      `--pid-file=${join(dir, 'mysqld.pid')}`,
      '--bind-address=127.0.0.1',
      `--port=${port}`,
      '--skip-name-resolve',
      '--default-time-zone=+00:00',
      '--character-set-server=utf8mb4',
      '--collation-server=utf8mb4_unicode_ci',
      '--innodb-buffer-pool-size=64M',
      '--innodb-flush-log-at-trx-commit=2',
      `--log-error=${join(dir, 'error.log')}`,
    ],
    { detached: true, stdio: 'ignore' },
  );
  child.unref();
  const admin = findMariaDbBinary('mariadb-admin')!;
  for (let i = 0; i < 300; i++) {
    try {
      execFileSync(admin, ['--no-defaults', `--socket=${socket}`, '-uroot', 'ping'], { stdio: 'ignore' });
      break;
    } catch {
      if (i === 299) throw new Error(`mariadbd did not start: ${readFileSync(join(dir, 'error.log'), 'utf8').slice(-2000)}`);
      await sleep(100);
    }
  }
  execFileSync(findMariaDbBinary('mariadb')!, [
    '--no-defaults',
    `--socket=${socket}`,
    '-uroot',
    '-e',
    "CREATE USER 'gbi'@'127.0.0.1' IDENTIFIED BY 'gbi-test'; GRANT ALL PRIVILEGES ON *.* TO 'gbi'@'127.0.0.1';",
  ]);
  return { dir, pid: child.pid!, url: `mysql://gbi:gbi-test@127.0.0.1:${port}/` };
}

export async function stopMariaDb(server: MariaDbServer): Promise<void> {
  try {
    process.kill(server.pid, 'SIGTERM');
  } catch {
    // already gone
  }
  for (let i = 0; i < 100; i++) {
    try {
      process.kill(server.pid, 0);
      await sleep(100);
    } catch {
      break;
    }
  }
  rmSync(server.dir, { recursive: true, force: true });
}
