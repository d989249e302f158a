import { IdempotencyStore } from '../../src/simulator/bank/idempotency';

const HOUR = 3600 * 1000;

describe('the simulator remembers Idempotency-Keys for 24 hours', () => {
  const t0 = new Date('2026-11-24T01:00:00Z');
  const at = (ms: number) => new Date(t0.getTime() + ms);

  it('answers the first response to the same key and body, and refuses another body', () => {
    const store = new IdempotencyStore();
    store.remember('transfer', 'u1', 'k1', { amount: '100' }, { applyNo: 'A1' }, t0);
    expect(store.replay('transfer', 'u1', 'k1', { amount: '100' }, at(HOUR))).toEqual({ applyNo: 'A1' });
    expect(() => store.replay('transfer', 'u1', 'k1', { amount: '101' }, at(HOUR))).toThrow();
    // keys are per operation and per user
    expect(store.replay('bulktransfer', 'u1', 'k1', { amount: '100' }, at(HOUR))).toBeUndefined();
    expect(store.replay('transfer', 'u2', 'k1', { amount: '100' }, at(HOUR))).toBeUndefined();
  });

  it('forgets a key after its window while later keys are still answered, over 100,000 keys', () => {
    const store = new IdempotencyStore();
    const n = 100_000;
    // one key every second of simulated time: the first 86,400 fall out of the window by the end
    for (let i = 0; i < n; i++) store.remember('transfer', 'u1', `k${i}`, { i }, { applyNo: `A${i}` }, at(i * 1000));
    const end = at(n * 1000);
    expect(store.replay('transfer', 'u1', 'k0', { i: 0 }, end)).toBeUndefined();
    expect(store.replay('transfer', 'u1', `k${n - 86_400}`, { i: n - 86_400 }, end)).toBeUndefined();
    expect(store.replay('transfer', 'u1', `k${n - 86_399}`, { i: n - 86_399 }, end)).toEqual({ applyNo: `A${n - 86_399}` });
    // a forgotten key may be used again, for another request
    store.remember('transfer', 'u1', 'k0', { i: 'again' }, { applyNo: 'B0' }, end);
    expect(store.replay('transfer', 'u1', 'k0', { i: 'again' }, end)).toEqual({ applyNo: 'B0' });
    expect(store.replay('transfer', 'u1', `k${n - 1}`, { i: n - 1 }, end)).toEqual({ applyNo: `A${n - 1}` });
  });
});
