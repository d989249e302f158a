import { EXIT, runCommand, USAGE, UsageError } from './cliCommands';
import { bootstrap } from './runtime';

async function main(): Promise<number> {
  const argv = process.argv.slice(2);
  // logs go to stderr: stdout carries only the command's answer, for scripts to parse
  const services = await bootstrap({ migrate: argv[0] === 'migrate' ? true : undefined, logStream: process.stderr });
  try {
    return await runCommand(services, argv, process);
  } finally {
    await services.db.dataSource.destroy();
  }
}

main().then(
  (code) => process.exit(code),
  (err) => {
    process.stderr.write(`${err instanceof UsageError ? `${err.message}\n\n${USAGE}` : `error: ${err instanceof Error ? err.message : String(err)}`}\n`);
    process.exit(err instanceof UsageError ? EXIT.usage : EXIT.failed);
  },
);
