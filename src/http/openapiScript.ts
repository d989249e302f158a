import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { openApiJson } from './openapi';

/**
 * `npm run openapi`: writes docs/openapi.json, the document the service serves at /openapi.json.
 * `--check` only compares, and exits 1 when the file is stale (test/api/openapi.test.ts does the same).
 */
export const OPENAPI_FILE = 'docs/openapi.json';

function main(argv: string[]): number {
  const file = resolve(process.cwd(), OPENAPI_FILE);
  const json = openApiJson();
  if (argv.includes('--check')) {
    let current = '';
    try {
      current = readFileSync(file, 'utf8');
    } catch {
      // missing: stale
    }
    if (current === json) return 0;
    process.stderr.write(`${OPENAPI_FILE} is stale: run npm run openapi\n`);
    return 1;
  }
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, json);
  process.stdout.write(`wrote ${OPENAPI_FILE} (${Buffer.byteLength(json)} bytes)\n`);
  return 0;
}

if (require.main === module) process.exitCode = main(process.argv.slice(2));
