#!/usr/bin/env node
import { EXIT, runCli } from './cli/program';
import { bootstrap } from './runtime';
import type { Services } from './services';

/** `gmo-bank-integrator <command>` (also `node dist/src/cli.js <command>`): the service's ops CLI. */
async function main(): Promise<number> {
  let services: Services | undefined;
  try {
    // logs go to stderr: stdout carries only the command's answer, for scripts to parse
    return await runCli(async ({ migrate }) => (services ??= await bootstrap({ migrate: migrate || undefined, logStream: process.stderr })), process.argv.slice(2), process);
  } finally {
    await services?.db.dataSource.destroy();
  }
}

main().then(
  (code) => process.exit(code),
  (err) => {
    process.stderr.write(`error: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(EXIT.failed);
  },
);
