import { createServer, type Server } from 'node:http';
import { createApp } from '../../src/app';
import { Transfer } from '../../src/transfers/transfer.entity';
import { connectCompany, postTransfer } from '../support/connect';
import { DATABASES } from '../support/databases';
import { startHarness, type Harness } from '../support/harness';
import { expectMoneyInvariant } from '../support/moneyInvariant';

const SELLER = { bankCode: '0005', branchCode: '001', accountType: 'ordinary', accountNumber: '2468024', name: 'ｽｽﾞｷ ｲﾁﾛｳ' };

/** What held under hostile probing and must stay so: many callers, one key, two instances, one payout. */
describe.each(DATABASES)('one payout per key under concurrency, on %s', (kind) => {
  let h: Harness;
  let key: string;
  let second: Server;
  let secondUrl: string;
  beforeAll(async () => {
    h = await startHarness(kind);
    ({ key } = await connectCompany(h, 'SHOP'));
    // a second instance of the service on the same database and bank, as behind a load balancer
    second = createServer(createApp(h.anotherInstance()));
    await new Promise<void>((resolve) => second.listen(0, '127.0.0.1', resolve));
    secondUrl = `http://127.0.0.1:${(second.address() as { port: number }).port}`;
  });
  afterAll(async () => {
    second?.closeAllConnections();
    await new Promise<void>((resolve) => (second ? second.close(() => resolve()) : resolve()));
    await h?.close();
  });

  const post = (baseUrl: string, idem: string, amount: number) =>
    postTransfer<{ id?: string; type?: string; transferId?: string }>(baseUrl, 'SHOP', key, idem, { amount, beneficiary: SELLER });

  test('1,000 concurrent requests with one Idempotency-Key, split over two instances: one transfer, one bank call', async () => {
    const before = h.sim.state.stats().transferRequests;
    const answers = await Promise.all(Array.from({ length: 1000 }, (_, i) => post(i % 2 ? secondUrl : h.baseUrl, 'same-key-1000', 31_000)));
    const statuses = new Set(answers.map((a) => a.status));
    expect([...statuses].every((s) => s === 201 || s === 409)).toBe(true);
    const ids = new Set(answers.map((a) => a.body.id ?? a.body.transferId));
    expect(ids.size).toBe(1);
    expect(answers.filter((a) => a.status === 409).every((a) => a.body.type?.endsWith('request-in-flight'))).toBe(true);
    expect(h.sim.state.stats().transferRequests - before).toBe(1);
    expect(await h.services.db.manager.countBy(Transfer, { idempotencyKey: 'same-key-1000' })).toBe(1);
  }, 60_000);

  test('a burst of 50 keys, each sent 4 times over both instances: 50 transfers, 50 bank transfers', async () => {
    const before = h.sim.state.stats().transferRequests;
    await Promise.all(Array.from({ length: 200 }, (_, i) => post(i % 2 ? secondUrl : h.baseUrl, `burst2-${i % 50}`, 32_000 + (i % 50))));
    for (const wait of [130, 301]) {
      h.clock.advanceSeconds(wait);
      await h.services.poller.runOnce();
    }
    expect(h.sim.state.stats().transferRequests - before).toBe(50);
    const figures = await expectMoneyInvariant(h);
    expect(figures.unresolved).toBe(0);
  }, 60_000);
});
