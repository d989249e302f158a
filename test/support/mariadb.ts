import { execFileSync } from 'node:child_process';
import { findMariaDbBinary, startMariaDb as startServer, type MariaDbServer } from '../../bench/mariadb';

export { stopMariaDb, type MariaDbServer } from '../../bench/mariadb';

/** On a fresh Debian machine run as root (CI), installs the server from Debian's packages. */
function ensureInstalled(): void {
  if (findMariaDbBinary('mariadbd')) return;
  if (process.getuid?.() !== 0) {
    throw new Error('mariadbd is not installed: run `sudo apt-get install -y mariadb-server mariadb-client` (or set TEST_MARIADB_URL)');
  }
  process.stderr.write('[test] installing mariadb-server from Debian packages…\n');
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  execFileSync('apt-get', ['update', '-qq'], { stdio: 'inherit', env });
  execFileSync('apt-get', ['install', '-y', '-qq', '--no-install-recommends', 'mariadb-server', 'mariadb-client'], { stdio: 'inherit', env });
}

/** The run's MariaDB for jest's global setup (the server itself is the benchmark's throwaway one). */
export async function startMariaDb(): Promise<MariaDbServer> {
  ensureInstalled();
  return startServer();
}
