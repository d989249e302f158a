import { systemClock, type Clock } from './clock';
import { loadConfig, type Config, ConfigError } from './config';
import { openDatabase } from './schema';
import { createLogger } from './log';
import { buildServices, type Services } from './services';

/** Loads config, or prints the one line that names the bad variable and exits. */
function loadConfigOrExit(): Config {
  try {
    return loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${err.message}\n`);
      process.exit(1);
    }
    throw err;
  }
}

/** Config → logger → database (migrated when configured) → services: shared by the server and the CLI. */
export async function bootstrap(options: { migrate?: boolean; clock?: Clock; logStream?: NodeJS.WritableStream } = {}): Promise<Services> {
  const config = loadConfigOrExit();
  const log = createLogger({ level: config.logLevel, stream: options.logStream });
  const db = await openDatabase(config.databaseUrl, { migrate: options.migrate ?? config.runMigrations });
  return buildServices(config, db, options.clock ?? systemClock, log);
}
