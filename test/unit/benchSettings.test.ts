import { readSettings } from '../../bench/settings';

describe("npm run bench's knobs", () => {
  test('defaults: 5 s runs, 3 rounds, both databases, 1,000,000 purged rows, 10,000 open transfers, 1,000,000 more transfers', () => {
    expect(readSettings({})).toEqual({ seconds: 5, rounds: 3, databases: ['sqlite', 'mariadb'], purgeRows: 1_000_000, openTransfers: 10_000, growthRows: 1_000_000 });
  });

  test('a quick run, with thousands separators and one database', () => {
    expect(readSettings({ BENCH_SECONDS: '2', BENCH_ROUNDS: '1', BENCH_DATABASES: 'mariadb', BENCH_PURGE_ROWS: '20_000', BENCH_OPEN_TRANSFERS: '0', BENCH_GROWTH_ROWS: '200,000' })).toEqual({
      seconds: 2,
      rounds: 1,
      databases: ['mariadb'],
      purgeRows: 20_000,
      openTransfers: 0,
      growthRows: 200_000,
    });
  });

  test.each([
    [{ BENCH_SECONDS: '0' }, 'BENCH_SECONDS must be an integer from 1 to 300 (got "0")'],
    [{ BENCH_ROUNDS: 'three' }, 'BENCH_ROUNDS must be an integer from 1 to 20 (got "three")'],
    [{ BENCH_PURGE_ROWS: '1.5' }, 'BENCH_PURGE_ROWS must be an integer'],
    [{ BENCH_OPEN_TRANSFERS: '-1' }, 'BENCH_OPEN_TRANSFERS must be an integer'],
    [{ BENCH_GROWTH_ROWS: '5000001' }, 'BENCH_GROWTH_ROWS must be an integer from 0 to 5000000 (got "5000001")'],
    [{ BENCH_GROWTH_ROWS: 'a million' }, 'BENCH_GROWTH_ROWS must be an integer from 0 to 5000000 (got "a million")'],
    [{ BENCH_DATABASES: 'sqlite,postgres' }, 'BENCH_DATABASES must list sqlite and/or mariadb'],
  ])('%j is refused with a line naming the variable', (env, message) => {
    expect(() => readSettings(env)).toThrow(message);
  });
});
