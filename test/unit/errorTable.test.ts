import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { DomainError } from '../../src/domain/errors';
import { hasProblemFor, problemFor } from '../../src/http/errorTable';

const SRC = join(__dirname, '..', '..', 'src');
/** entry points run on import; the simulator is the bank, not the service */
const SKIP = new Set(['main.ts', 'cli.ts', 'simulator']);

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    if (SKIP.has(name)) return [];
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return name.endsWith('.ts') && !name.endsWith('.d.ts') ? [path] : [];
  });
}

/** Every DomainError any module of the service exports. */
function exportedDomainErrors(): Array<{ name: string; file: string; cls: abstract new (...args: never[]) => DomainError }> {
  const found = new Map<unknown, { name: string; file: string; cls: abstract new (...args: never[]) => DomainError }>();
  for (const file of sourceFiles(SRC)) {
    const mod = require(file) as Record<string, unknown>;
    for (const [name, value] of Object.entries(mod)) {
      if (typeof value === 'function' && value.prototype instanceof DomainError) {
        found.set(value, { name, file: relative(SRC, file), cls: value as abstract new (...args: never[]) => DomainError });
      }
    }
  }
  return [...found.values()];
}

describe('the error table', () => {
  test('every exported domain error has its problem (type, status) in src/http/errorTable.ts', () => {
    const errors = exportedDomainErrors();
    expect(errors.length).toBeGreaterThanOrEqual(16);
    expect(errors.filter((e) => !hasProblemFor(e.cls)).map((e) => `${e.name} (${e.file})`)).toEqual([]);
  });

  test('an error nobody anticipated is no problem of the table: the handler answers it with a logged 500', () => {
    expect(problemFor(new Error('boom'))).toBeUndefined();
    expect(problemFor(new TypeError('x'))).toBeUndefined();
  });
});
