import { stopMariaDb } from './mariadb';

export default async function globalTeardown(): Promise<void> {
  const raw = process.env.TEST_MARIADB_SERVER;
  if (raw) await stopMariaDb(JSON.parse(raw));
}
