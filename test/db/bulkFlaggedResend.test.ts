import request from 'supertest';
import { BulkTransfer } from '../../src/bulkTransfers/bulkTransfer.entity';
import { bearer, connectCompany } from '../support/connect';
import { DATABASES } from '../support/databases';
import { startHarness, type Harness } from '../support/harness';

/**
 * A batch left `pending` and in flight (the process died, or the write after the bank's answer failed) that is
 * looked at again only after the bank's key window is flagged for a human. It must stay "maybe at the bank":
 * before the fix, flagging cleared inFlightSince and the next poll read "pending, not in flight" as "certainly
 * never sent" and sent it again, under an Idempotency-Key the bank no longer remembered.
 */
const seller = (i: number) => ({ bankCode: '0005', branchCode: '001', accountType: 'ordinary', accountNumber: String(1_000_000 + i), name: 'ヤマダ タロウ' });
const items = (n: number) => Array.from({ length: n }, (_, i) => ({ amount: 1000, beneficiary: seller(i) }));

describe.each(DATABASES)('a flagged pending bulk transfer is never sent again by the poller (%s)', (kind) => {
  let h: Harness;
  let key: string;
  beforeAll(async () => {
    h = await startHarness(kind);
    ({ key } = await connectCompany(h, 'SHOP'));
  });
  afterAll(async () => {
    await h?.close();
  });

  /** POST a batch the bank books, while recording the bank's answer fails; then a day without a successful look. */
  async function bookedButUnrecorded(idem: string, body: object): Promise<string> {
    const store = h.services.bulkTransferStore;
    const accepted = store.accepted.bind(store);
    store.accepted = async () => {
      store.accepted = accepted;
      throw new Error('database connection lost');
    };
    const res = await request(h.app).post('/v1/companies/SHOP/bulk-transfers').set(...bearer(key)).set('idempotency-key', idem).send(body).expect(202);
    expect(res.body).toMatchObject({ status: 'pending', applyNo: null });
    // the bank's status API is in maintenance for a day (or the connection awaits re-consent): every look fails
    h.sim.state.injectFault({ target: 'bulktransfer.status', kind: 'maintenance', count: 1000 });
    for (let i = 0; i < 24; i++) {
      h.clock.advanceSeconds(3600);
      await h.services.bulkPoller.runOnce();
    }
    h.sim.state.clearFaults();
    for (let i = 0; i < 3; i++) {
      h.clock.advanceSeconds(3600);
      await h.services.bulkPoller.runOnce();
    }
    return res.body.id;
  }

  const atBank = (id: string) => h.sim.state.bulkTransfers().filter((b) => b.idempotencyKey === id);

  test('a reserved batch (future designatedDate) is not booked a second time', async () => {
    const id = await bookedButUnrecorded('day-2026-11-27', { transferDataName: '11月27日買取', designatedDate: '2026-11-27', items: items(3) });
    expect(atBank(id)).toHaveLength(1);
  });

  test('a same-day batch the bank paid is not recorded as failed: it stays for a human', async () => {
    const id = await bookedButUnrecorded('day-2026-11-26', { transferDataName: '11月26日買取', items: items(3) });
    expect(atBank(id).map((b) => b.status)).toEqual(['20']);
    const row = await h.services.db.manager.findOneByOrFail(BulkTransfer, { id });
    expect(row.status).not.toBe('failed');
    expect(row.errorCode).toBe('RECONCILE_AMBIGUOUS');
  });
});
