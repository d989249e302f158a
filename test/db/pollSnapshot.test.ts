import request from 'supertest';
import type { BankTransferDetail } from '../../src/bank/transfersApi';
import { Transfer } from '../../src/transfers/transfer.entity';
import { bearer, connectCompany } from '../support/connect';
import { DATABASES } from '../support/databases';
import { startHarness, type Harness } from '../support/harness';

const SELLER = { bankCode: '0005', branchCode: '001', accountType: 'ordinary', accountNumber: '123', name: 'ヤマダ タロウ' };

/**
 * The poller reads the bank's status list once per account and day. An applyNo is unique only within an
 * account (GMO numbers them per user: two companies' first transfers of a day can both be …00000001), so a
 * transfer must only ever take the status its own account's list shows for it.
 */
describe.each(DATABASES)('a poll pass through the status lists on %s', (kind) => {
  let h: Harness;
  let keyA: string;
  let keyB: string;
  beforeAll(async () => {
    h = await startHarness(kind, { simulator: { bankCalendar: false } });
    ({ key: keyA } = await connectCompany(h, 'SHOP-A'));
    ({ key: keyB } = await connectCompany(h, 'SHOP-B', { bankUser: 'personal-user' }));
  });
  afterAll(async () => {
    await h?.close();
  });

  const pay = async (company: string, key: string, idem: string): Promise<Transfer> => {
    const res = await request(h.app).post(`/v1/companies/${company}/transfers`).set(...bearer(key)).set('idempotency-key', idem).send({ amount: 1000, beneficiary: SELLER }).expect(201);
    return h.services.db.manager.findOneByOrFail(Transfer, { id: res.body.id });
  };

  test('two accounts whose transfers carry the same applyNos: each transfer takes its own account’s status, read in one list call per account', async () => {
    const a = [await pay('SHOP-A', keyA, 'a-1'), await pay('SHOP-A', keyA, 'a-2'), await pay('SHOP-A', keyA, 'a-3')];
    const b = [await pay('SHOP-B', keyB, 'b-1'), await pay('SHOP-B', keyB, 'b-2'), await pay('SHOP-B', keyB, 'b-3')];
    expect(new Set([...a, ...b].map((t) => t.accountId)).size).toBe(2);
    for (const t of a) h.sim.state.forceTransferStatus(t.applyNo!, '20'); // 手続済
    for (const t of b) h.sim.state.forceTransferStatus(t.applyNo!, '40'); // 手続不成立

    // the simulator numbers applyNos across users; the bank does it per user: B's transfers are given A's numbers,
    // in our rows and in what B's account lists
    const renumber = new Map(b.map((t, i) => [t.applyNo!, a[i].applyNo!]));
    for (const t of b) await h.services.db.manager.update(Transfer, { id: t.id }, { applyNo: renumber.get(t.applyNo!) });
    const transfers = h.services.bank.transfers;
    const pages = transfers.statusPagesByPeriod.bind(transfers);
    const listCalls: string[] = [];
    const spy = jest.spyOn(transfers, 'statusPagesByPeriod').mockImplementation(async function* (token, accountId, ...rest) {
      listCalls.push(accountId);
      for await (const page of pages(token, accountId, ...rest)) {
        yield page.map((d): BankTransferDetail => {
          const own = d.transferApplies?.[0]?.applyNo;
          return own && renumber.has(own) ? { ...d, transferApplies: [{ applyNo: renumber.get(own) }] } : d;
        });
      }
    });
    const single = jest.spyOn(transfers, 'statusByApplyNo');
    try {
      h.clock.advanceSeconds(60);
      const counts = await h.services.poller.runOnce();
      expect(counts).toMatchObject({ checked: 6, updated: 6, failed: 0 });
    } finally {
      spy.mockRestore();
      single.mockRestore();
    }
    expect(listCalls.sort()).toEqual([a[0].accountId, b[0].accountId].sort());
    expect(single).not.toHaveBeenCalled();
    const statusOf = async (t: Transfer) => (await h.services.db.manager.findOneByOrFail(Transfer, { id: t.id })).status;
    for (const t of a) expect(await statusOf(t)).toBe('completed');
    for (const t of b) expect(await statusOf(t)).toBe('failed');
  });

  test('fewer than three transfers of a day are asked about one by one; a list that cannot be read defers its transfers', async () => {
    const t = await pay('SHOP-A', keyA, 'a-alone');
    const transfers = h.services.bank.transfers;
    const list = jest.spyOn(transfers, 'statusPagesByPeriod');
    const single = jest.spyOn(transfers, 'statusByApplyNo');
    try {
      h.clock.advanceSeconds(60);
      await h.services.poller.runOnce();
      expect(list).not.toHaveBeenCalled();
      expect(single.mock.calls.map(([, , applyNo]) => applyNo)).toEqual([t.applyNo]);
    } finally {
      list.mockRestore();
      single.mockRestore();
    }
    expect((await h.services.db.manager.findOneByOrFail(Transfer, { id: t.id })).status).toBe('completed');

    const more = [await pay('SHOP-A', keyA, 'a-4'), await pay('SHOP-A', keyA, 'a-5'), await pay('SHOP-A', keyA, 'a-6')];
    h.sim.state.injectFault({ target: 'transfer.status', kind: 'maintenance' });
    h.clock.advanceSeconds(3600);
    const counts = await h.services.poller.runOnce();
    // one list call, refused: its transfers wait for the next pass, none is asked about on its own
    expect(counts.deferred).toBeGreaterThanOrEqual(more.length);
    expect(counts.failed).toBe(0);
    h.clock.advanceSeconds(3600);
    await h.services.poller.runOnce();
    for (const m of more) expect(['submitted', 'processing', 'completed']).toContain((await h.services.db.manager.findOneByOrFail(Transfer, { id: m.id })).status);
  });
});
