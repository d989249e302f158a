import { startMariaDb } from './mariadb';

/** Starts one MariaDB for the whole run; each test file creates its own database in it. */
export default async function globalSetup(): Promise<void> {
  if (process.env.TEST_MARIADB_URL) return;
  const server = await startMariaDb();
  process.env.TEST_MARIADB_URL = server.url;
  process.env.TEST_MARIADB_SERVER = JSON.stringify(server);
}
