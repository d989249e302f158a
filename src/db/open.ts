import { createDataSource } from './dataSource';
import { Database } from './database';

/** Connects and, unless told not to, applies pending migrations. */
export async function openDatabase(url: string, options: { migrate: boolean }): Promise<Database> {
  const dataSource = createDataSource(url);
  await dataSource.initialize();
  if (options.migrate) await dataSource.runMigrations({ transaction: 'each' });
  return new Database(dataSource);
}
