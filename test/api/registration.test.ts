import request from 'supertest';
import { BankConnection } from '../../src/connections/bankConnection.entity';
import { ReauthorizationRequiredError } from '../../src/tokens/errors';
import { bearer, connectCompany } from '../support/connect';
import { DATABASES } from '../support/databases';
import { ALL_SCOPES, startHarness, type Harness } from '../support/harness';

const OWN = { clientId: 'own-client-of-shop', clientSecret: 'own-secret-0123456789', authMethod: 'basic' as const, scopes: ALL_SCOPES };

describe.each(DATABASES)("a company's own app registration on %s", (kind) => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness(kind, { extraClients: [{ ...OWN, pkceRequired: true }] });
  });
  afterAll(async () => {
    await h?.close();
  });

  test('replaces the vendor registration for its flow (Basic auth, PKCE) and its refreshes; the secret is sealed', async () => {
    await h.services.registrations.upsert('OWNCO', { ...OWN, pkce: true });
    const stored = JSON.stringify(await h.services.db.dataSource.query('SELECT * FROM bank_app_registrations'));
    expect(stored).toContain(OWN.clientId);
    expect(stored).not.toContain(OWN.clientSecret);

    const { page, key } = await connectCompany(h, 'OWNCO');
    expect(page.body).toContain('銀行口座の連携が完了しました');
    const conn = await h.services.db.manager.findOneByOrFail(BankConnection, { companyId: 'OWNCO' });
    expect(conn.clientId).toBe(OWN.clientId);

    // the simulator binds refresh tokens to the client that got them: a working refresh proves the right one
    h.clock.advanceSeconds(30 * 86_400 - 60);
    const before = h.sim.state.stats().tokenRequests.refresh_token;
    await request(h.app).get('/v1/companies/OWNCO/accounts').set(...bearer(key)).expect(200);
    expect(h.sim.state.stats().tokenRequests.refresh_token - before).toBe(1);
    expect(h.logs.join('\n')).not.toContain(OWN.clientSecret);
  });

  test('other companies keep the vendor registration', async () => {
    await connectCompany(h, 'VENDORCO');
    const conn = await h.services.db.manager.findOneByOrFail(BankConnection, { companyId: 'VENDORCO' });
    expect(conn.clientId).toBe('sim-client');
  });

  test('a registration changed after connecting requires the store owner to connect again', async () => {
    await connectCompany(h, 'SWITCH');
    await h.services.registrations.upsert('SWITCH', { ...OWN, pkce: true });
    h.clock.advanceSeconds(30 * 86_400 - 60);
    await expect(h.services.vault.accessToken('SWITCH')).rejects.toThrow(ReauthorizationRequiredError);
    const conn = await h.services.db.manager.findOneByOrFail(BankConnection, { companyId: 'SWITCH' });
    expect(conn).toMatchObject({ status: 'reauthorization_required', statusReason: 'registration_changed' });
    expect(await h.services.registrations.remove('SWITCH')).toBe(true);
  });
});
