import request from 'supertest';
import { isUniqueViolation } from '../../src/db/errors';
import { Cipher } from '../../src/crypto/cipher';
import { sealingAad } from '../../src/crypto/cipher';
import { parseKeyRing } from '../../src/crypto/keyRing';
import { BankToken } from '../../src/tokens/bankToken.entity';
import { TransferSubmitter } from '../../src/transfers/submitter';
import { Transfer } from '../../src/transfers/transfer.entity';
import { TransferChangedError } from '../../src/transfers/transferStore';
import { bearer, connectCompany } from '../support/connect';
import { DATABASES } from '../support/databases';
import { startHarness, type Harness } from '../support/harness';

const SELLER = { bankCode: '0005', branchCode: '001', accountType: 'ordinary', accountNumber: '7654321', name: 'ｻﾄｳ ﾊﾅｺ' };
/** the caller's own ediInfo: the same for both purchases, so only the bank's key can tell them apart */
const SAME = { amount: 8_800, beneficiary: SELLER, ediInfo: 'KAITORI' };

describe.each(DATABASES)('reconciliation never attaches one bank transfer to two rows, on %s', (kind) => {
  let h: Harness;
  let key: string;
  beforeAll(async () => {
    h = await startHarness(kind, { env: { BANK_TIMEOUT_MS: '500' }, simulator: { hangMs: 2000 } });
    ({ key } = await connectCompany(h, 'SHOP'));
  });
  afterAll(async () => {
    await h?.close();
  });

  const post = (idem: string, payload: object) => request(h.app).post('/v1/companies/SHOP/transfers').set(...bearer(key)).set('idempotency-key', idem).send(payload);
  const get = async (id: string) => (await request(h.app).get(`/v1/companies/SHOP/transfers/${id}`).set(...bearer(key)).expect(200)).body;
  const bookedFor = (id: string) => h.sim.state.transfers().filter((t) => t.idempotencyKey === id);

  /** A: the bank committed, then the answer timed out. B: the connection reset before the bank saw it. */
  async function twoAlikePurchases(tag: string, order: 'committed-first' | 'never-sent-first') {
    const committed = async () => {
      h.sim.state.injectFault({ target: 'transfer.request', kind: 'timeout_after_commit' });
      return (await post(`${tag}-A`, SAME).expect(202)).body;
    };
    const neverSent = async () => {
      h.sim.state.injectFault({ target: 'transfer.request', kind: 'reset' });
      return (await post(`${tag}-B`, SAME).expect(202)).body;
    };
    if (order === 'committed-first') {
      const a = await committed();
      h.clock.advanceSeconds(1);
      return { a, b: await neverSent() };
    }
    const b = await neverSent();
    h.clock.advanceSeconds(1);
    return { a: await committed(), b };
  }

  test.each(['committed-first', 'never-sent-first'] as const)(
    'two purchases with the same ediInfo, amount and payee (%s): each ends with its own bank transfer, the unpaid one is paid once',
    async (order) => {
      const before = h.sim.state.stats().transferRequests;
      const { a, b } = await twoAlikePurchases(order, order);
      expect([a.status, b.status]).toEqual(['unknown', 'unknown']);
      expect(h.sim.state.stats().transferRequests - before).toBe(1);

      for (let pass = 0; pass < 4; pass++) {
        h.clock.advanceSeconds(400);
        await h.services.poller.runOnce();
      }
      const [ra, rb] = [await get(a.id), await get(b.id)];
      expect(bookedFor(a.id)).toHaveLength(1);
      expect(bookedFor(b.id)).toHaveLength(1);
      expect(ra.applyNo).toBe(bookedFor(a.id)[0].applyNo);
      expect(rb.applyNo).toBe(bookedFor(b.id)[0].applyNo);
      expect(ra.applyNo).not.toBe(rb.applyNo);
      expect(h.sim.state.stats().transferRequests - before).toBe(2);
    },
  );

  test('past the bank key window an inexact match is flagged for a human: never adopted, never resent', async () => {
    const before = h.sim.state.stats().transferRequests;
    const { a, b } = await twoAlikePurchases('late', 'never-sent-first');
    h.clock.advanceSeconds(25 * 3600);
    for (let pass = 0; pass < 3; pass++) {
      await h.services.poller.runOnce();
      h.clock.advanceSeconds(3600);
    }
    for (const t of [await get(a.id), await get(b.id)]) {
      expect(t).toMatchObject({ status: 'unknown', applyNo: null, error: { code: 'RECONCILE_AMBIGUOUS' } });
    }
    expect(h.sim.state.stats().transferRequests - before).toBe(1);
    expect(h.logs.some((l) => l.includes('needs a human') && l.includes(b.id))).toBe(true);
  });

  test('without a caller ediInfo our reference travels, and a committed-then-timed-out transfer is adopted exactly', async () => {
    h.sim.state.injectFault({ target: 'transfer.request', kind: 'timeout_after_commit' });
    const t = (await post('ours-1', { amount: 8_800, beneficiary: SELLER }).expect(202)).body;
    expect(t.ediInfo).toMatch(/^RC[0-9A-F]{12}$/);
    h.clock.advanceSeconds(130);
    await h.services.poller.runOnce();
    const after = await get(t.id);
    expect(after.applyNo).toBe(bookedFor(t.id)[0].applyNo);
    expect(bookedFor(t.id)).toHaveLength(1);
  });

  test('a resend that cannot be made now (the connection is gone) leaves the transfer unknown: never failed', async () => {
    const { key: k } = await connectCompany(h, 'GONE');
    h.sim.state.injectFault({ target: 'transfer.request', kind: 'timeout_after_commit' });
    const t = (await request(h.app).post('/v1/companies/GONE/transfers').set(...bearer(k)).set('idempotency-key', 'gone-1').send(SAME).expect(202)).body;
    await h.services.connections.disconnect('GONE');
    const submitter = new TransferSubmitter(h.services.transferStore, h.services.bank, h.services.vault, h.services.log);
    const after = await submitter.claimAndSend(await h.services.transferStore.byId(t.id).then((r) => r!));
    expect(after).toMatchObject({ status: 'unknown', inFlightSince: null });
    const events: Array<{ type: string }> = await h.services.db.dataSource.query('SELECT type FROM webhook_events WHERE resourceId = ?', [t.id]);
    expect(events.map((e) => e.type)).not.toContain('transfer.failed');
  });

  test('the bank refusing a resend (the date has passed meanwhile) flags the transfer for a human: never failed', async () => {
    const before = h.sim.state.stats().transferRequests;
    h.sim.state.injectFault({ target: 'transfer.request', kind: 'reset' });
    const t = (await post('late-date', SAME).expect(202)).body;
    // the next day (inside the bank's key window): a resend with yesterday's designated date is refused
    h.clock.advanceSeconds(20 * 3600);
    for (let pass = 0; pass < 2; pass++) {
      await h.services.poller.runOnce();
      h.clock.advanceSeconds(400);
    }
    const after = await get(t.id);
    expect(after).toMatchObject({ status: 'unknown', error: { code: 'RECONCILE_AMBIGUOUS' } });
    expect(h.sim.state.stats().transferRequests - before).toBe(0);
  });

  test('past the bank key window a transfer the bank does not show is flagged, not resent', async () => {
    const before = h.sim.state.stats().transferRequests;
    h.sim.state.injectFault({ target: 'transfer.request', kind: 'reset' });
    const t = (await post('late-none', { amount: 9_100, beneficiary: SELLER }).expect(202)).body;
    h.clock.advanceSeconds(25 * 3600);
    await h.services.poller.runOnce();
    expect(await get(t.id)).toMatchObject({ status: 'unknown', error: { code: 'RECONCILE_AMBIGUOUS' } });
    expect(h.sim.state.stats().transferRequests - before).toBe(0);
  });

  test('a write decided on a stale copy of the row is refused, so a status never goes back', async () => {
    const t = (await post('stale-1', { amount: 9_200, beneficiary: SELLER }).expect(201)).body;
    const stale = (await h.services.transferStore.byId(t.id))!;
    await h.services.transferStore.cancelled(stale);
    await expect(h.services.transferStore.followed(stale, { status: 'processing', bankStatus: '12' }, true)).rejects.toBeInstanceOf(TransferChangedError);
    expect((await get(t.id)).status).toBe('cancelled');
  });

  test('the database refuses a second row with the same applyNo of an account', async () => {
    const [held] = await h.services.db.manager.find(Transfer, { where: { companyId: 'SHOP' }, order: { createdAt: 'ASC' }, take: 1 });
    const twin = Object.assign(new Transfer(), { ...held, id: '99999999-0000-4000-8000-000000000001', idempotencyKey: 'twin' });
    const err = await h.services.db.manager.insert(Transfer, twin).catch((e: unknown) => e);
    expect(isUniqueViolation(err)).toBe(true);
  });
});

describe.each(DATABASES)('one company whose tokens cannot be decrypted stops nobody else, on %s', (kind) => {
  let h: Harness;
  const keys: Record<string, string> = {};
  beforeAll(async () => {
    h = await startHarness(kind);
    for (const c of ['BAD', 'GOOD']) keys[c] = (await connectCompany(h, c)).key;
  });
  afterAll(async () => {
    await h?.close();
  });

  /** as if the key that sealed BAD's tokens had been removed from TOKEN_ENCRYPTION_KEYS */
  async function sealUnderAMissingKey(companyId: string) {
    const foreign = new Cipher(parseKeyRing(`k9:${Buffer.alloc(32, 9).toString('base64')}`));
    for (const row of await h.services.db.manager.findBy(BankToken, { companyId })) {
      const plaintext = h.services.cipher.open(row, sealingAad('simulator', companyId, row.kind));
      await h.services.db.manager.update(BankToken, { id: row.id }, foreign.seal(plaintext, sealingAad('simulator', companyId, row.kind)));
    }
  }

  test('the poller logs, counts and pushes back the failing row, and follows every other transfer', async () => {
    const pay = (c: string) =>
      request(h.app).post(`/v1/companies/${c}/transfers`).set(...bearer(keys[c])).set('idempotency-key', `iso-${c}`).send({ amount: 500, beneficiary: SELLER }).expect(201);
    const bad = (await pay('BAD')).body;
    const good = (await pay('GOOD')).body;
    await sealUnderAMissingKey('BAD');
    h.clock.advanceSeconds(100);
    // BAD is first in line
    await h.services.db.manager.update(Transfer, { id: bad.id }, { nextPollAt: new Date(h.clock.now().getTime() - 60_000) });

    const counts = await h.services.poller.runOnce();
    expect(counts).toMatchObject({ checked: 2, failed: 1 });
    const goodRow = await h.services.db.manager.findOneByOrFail(Transfer, { id: good.id });
    expect(['processing', 'completed']).toContain(goodRow.status);
    const badRow = await h.services.db.manager.findOneByOrFail(Transfer, { id: bad.id });
    expect(badRow.status).toBe('submitted');
    expect(badRow.nextPollAt!.getTime()).toBeGreaterThan(h.clock.now().getTime());
    expect(h.logs.some((l) => l.includes('transfer poll failed') && l.includes(bad.id))).toBe(true);
  });

  test('the API answers a specific problem for that company, not a 500', async () => {
    const res = await request(h.app).get('/v1/companies/BAD/accounts').set(...bearer(keys.BAD)).expect(503);
    expect(res.body.type).toContain('token-key-missing');
    expect(res.body.status).toBe(503);
    await request(h.app).get('/v1/companies/GOOD/accounts').set(...bearer(keys.GOOD)).expect(200);
  });

  test('refresh-ahead and re-encryption go on for the other companies', async () => {
    h.clock.advanceSeconds(30 * 86_400 - 3600);
    const refreshed = await h.services.vault.refreshExpiring();
    expect(refreshed).toMatchObject({ refreshed: 1, failed: 1 });
    const result = await h.services.vault.reencryptAll();
    expect(result.failed).toBe(2);
  });
});
