import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * A throwaway MariaDB server in a temp dir, started and stopped by jest's global setup/teardown.
 * Nothing is shared with a system MariaDB: its own datadir, socket, port and no config files.
 */
export interface MariaDbServer {
  dir: string;
  pid: number;
  url: string;
}

const BIN_DIRS = ['/usr/sbin', '/usr/bin', '/usr/local/sbin', '/usr/local/bin'];

function findBinary(name: string): string | undefined {
  return BIN_DIRS.map((d) => join(d, name)).find((p) => existsSync(p));
}

/** On a fresh Debian machine run as root (CI), installs the server from Debian's packages. */
function ensureInstalled(): void {
  if (findBinary('mariadbd')) return;
  if (process.getuid?.() !== 0) {
    throw new Error('mariadbd is not installed: run `sudo apt-get install -y mariadb-server mariadb-client` (or set TEST_MARIADB_URL)');
  }
  process.stderr.write('[test] installing mariadb-server from Debian packages…\n');
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  execFileSync('apt-get', ['update', '-qq'], { stdio: 'inherit', env });
  execFileSync('apt-get', ['install', '-y', '-qq', '--no-install-recommends', 'mariadb-server', 'mariadb-client'], { stdio: 'inherit', env });
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function startMariaDb(): Promise<MariaDbServer> {
  ensureInstalled();
  const dir = mkdtempSync(join(tmpdir(), 'gbi-mariadb-'));
  const socket = join(dir, 'mysqld.sock');
  const port = await freePort();
  execFileSync(
    findBinary('mariadb-install-db')!,
    ['--no-defaults', '--user=root', `--datadir=${join(dir, 'data')}`, '--auth-root-authentication-method=normal', '--skip-test-db'],
    { stdio: 'ignore' },
  );
  const child = spawn(
    findBinary('mariadbd')!,
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
  const admin = findBinary('mariadb-admin')!;
  for (let i = 0; i < 300; i++) {
    try {
      execFileSync(admin, ['--no-defaults', `--socket=${socket}`, '-uroot', 'ping'], { stdio: 'ignore' });
      break;
    } catch {
      if (i === 299) throw new Error(`mariadbd did not start: ${readFileSync(join(dir, 'error.log'), 'utf8').slice(-2000)}`);
      await sleep(100);
    }
  }
  execFileSync(findBinary('mariadb')!, [
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
