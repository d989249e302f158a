import request from 'supertest';
import { createLogger } from '../../src/log';
import { loadConfig } from '../../src/config';
import { buildServices } from '../../src/services';
import { JobLease } from '../../src/jobs/jobLease.entity';
import { BankToken } from '../../src/tokens/bankToken.entity';
import { DecryptionError } from '../../src/crypto/cipher';
import { ReauthorizationRequiredError } from '../../src/tokens/errors';
import { BankOAuthError } from '../../src/bank/errors';
import { bearer, connectCompany } from '../support/connect';
import { DATABASES } from '../support/databases';
import { startHarness, type Harness } from '../support/harness';

const DAY = 86_400;

describe.each(DATABASES)('token vault on %s', (kind) => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness(kind);
  });
  afterAll(async () => {
    await h?.close();
  });

  const refreshCount = () => h.sim.state.stats().tokenRequests.refresh_token;
  const row = (companyId: string, k: 'access' | 'refresh') => h.services.db.manager.findOneByOrFail(BankToken, { companyId, kind: k });

  test('the stored ciphertext never contains the plaintext token', async () => {
    await connectCompany(h, 'V-PLAIN');
    const access = await h.services.vault.accessToken('V-PLAIN');
    const rows = await h.services.db.dataSource.query("SELECT * FROM bank_tokens WHERE companyId = 'V-PLAIN'");
    expect(rows).toHaveLength(2);
    const dump = JSON.stringify(rows);
    expect(dump).not.toContain(access);
    expect(dump).not.toContain(Buffer.from(access).toString('base64'));
  });

  test("a ciphertext copied into another company's row fails to decrypt", async () => {
    await connectCompany(h, 'V-A');
    await connectCompany(h, 'V-B');
    const a = await row('V-A', 'access');
    await h.services.db.transaction((em) =>
      em.update(BankToken, { companyId: 'V-B', kind: 'access' }, { ciphertext: a.ciphertext, iv: a.iv, tag: a.tag, keyId: a.keyId }),
    );
    await expect(h.services.vault.accessToken('V-B')).rejects.toThrow(DecryptionError);
  });

  test('20 concurrent callers on an expiring token cause exactly ONE refresh, and the rotated refresh token is stored', async () => {
    await connectCompany(h, 'V-RACE');
    const before = await h.services.vault.accessToken('V-RACE');
    const oldRefresh = await row('V-RACE', 'refresh');
    h.clock.advanceSeconds(30 * DAY - 3600); // inside the one-day refresh margin
    const refreshesBefore = refreshCount();
    const tokens = await Promise.all(Array.from({ length: 20 }, () => h.services.vault.accessToken('V-RACE')));
    expect(refreshCount() - refreshesBefore).toBe(1);
    expect(new Set(tokens).size).toBe(1);
    expect(tokens[0]).not.toBe(before);
    const newRefresh = await row('V-RACE', 'refresh');
    expect(newRefresh.id).not.toBe(oldRefresh.id);
    expect(newRefresh.ciphertext).not.toBe(oldRefresh.ciphertext);
    // the simulator invalidated the old refresh token: a working next refresh proves we stored the new one
    h.clock.advanceSeconds(30 * DAY - 3600);
    await expect(h.services.vault.accessToken('V-RACE')).resolves.toEqual(expect.any(String));
    expect(refreshCount() - refreshesBefore).toBe(2);
  });

  test('a refresh that outlasts its lease, with nobody taking over, keeps the rotated tokens (no needless reauthorization)', async () => {
    await connectCompany(h, 'V-SLOW');
    const oauth = h.services.bank.oauth;
    const original = oauth.refresh.bind(oauth);
    // the token call (or the rate limiter's queue before it) takes longer than the refresh lease
    oauth.refresh = async (...args: Parameters<typeof original>) => {
      const tokens = await original(...args);
      h.clock.advanceSeconds(120);
      return tokens;
    };
    try {
      const before = await h.services.vault.accessToken('V-SLOW');
      const after = await h.services.vault.accessToken('V-SLOW', { rejected: before });
      expect(after).not.toBe(before);
    } finally {
      oauth.refresh = original;
    }
    // the rotated refresh token was kept: the next refresh works
    const again = await h.services.vault.accessToken('V-SLOW', { rejected: await h.services.vault.accessToken('V-SLOW') });
    expect(again).toEqual(expect.any(String));
    expect((await h.services.connectionStore.find('V-SLOW'))?.status).toBe('connected');
  });

  test('two instances sharing the database refresh once between them (DB lease)', async () => {
    await connectCompany(h, 'V-MULTI');
    h.clock.advanceSeconds(30 * DAY - 60);
    const other = h.anotherInstance();
    const refreshesBefore = refreshCount();
    const tokens = await Promise.all([
      ...Array.from({ length: 10 }, () => h.services.vault.accessToken('V-MULTI')),
      ...Array.from({ length: 10 }, () => other.vault.accessToken('V-MULTI')),
    ]);
    expect(refreshCount() - refreshesBefore).toBe(1);
    expect(new Set(tokens).size).toBe(1);
    // the refresh lease (in job_leases, like the cron jobs') is released
    const lease = await h.services.db.manager.findOneByOrFail(JobLease, { name: 'refresh-token:simulator:V-MULTI' });
    expect(lease.holder).toBeNull();
  });

  test('invalid_grant on refresh: reauthorization_required and the tokens are deleted', async () => {
    const { key } = await connectCompany(h, 'V-GRANT');
    h.clock.advanceSeconds(30 * DAY);
    h.sim.state.injectFault({ target: 'token', kind: 'invalid_grant', count: 1 });
    await expect(h.services.vault.accessToken('V-GRANT')).rejects.toThrow(ReauthorizationRequiredError);
    expect(await h.services.db.manager.count(BankToken, { where: { companyId: 'V-GRANT' } })).toBe(0);
    const res = await request(h.app).get('/v1/companies/V-GRANT/connection').set(...bearer(key)).expect(200);
    expect(res.body).toMatchObject({ status: 'reauthorization_required', statusReason: 'invalid_grant', accessTokenExpiresAt: null });
  });

  test('a failed refresh (500) keeps the tokens and the connection', async () => {
    await connectCompany(h, 'V-500');
    h.clock.advanceSeconds(30 * DAY - 60);
    h.sim.state.injectFault({ target: 'token', kind: 'error500', count: 1 });
    await expect(h.services.vault.accessToken('V-500')).rejects.toThrow(BankOAuthError);
    expect(await h.services.db.manager.count(BankToken, { where: { companyId: 'V-500' } })).toBe(2);
    await expect(h.services.vault.accessToken('V-500')).resolves.toEqual(expect.any(String));
  });

  test('a refresh that times out is a clear error, not a hang', async () => {
    await connectCompany(h, 'V-SLOW');
    h.clock.advanceSeconds(30 * DAY - 60);
    h.sim.state.injectFault({ target: 'token', kind: 'timeout', count: 1 });
    const error = await h.services.vault.accessToken('V-SLOW').catch((e) => e);
    expect(error).toBeInstanceOf(BankOAuthError);
    expect(error.kind).toBe('timeout');
  });

  test('a 401 from the bank triggers one refresh through the vault and one retry', async () => {
    const { key } = await connectCompany(h, 'V-401');
    h.sim.state.expireTokens({ companyId: 'V-401', kind: 'access' });
    const refreshesBefore = refreshCount();
    const res = await request(h.app).get('/v1/companies/V-401/accounts').set(...bearer(key)).expect(200);
    expect(res.body.accounts.length).toBeGreaterThan(0);
    expect(refreshCount() - refreshesBefore).toBe(1);
  });

  test('key rotation: rows sealed under the old key still open after a new key is put first, and reencrypt moves them', async () => {
    await connectCompany(h, 'V-ROT');
    const oldKeyOnly = loadConfig({ ...configEnv(h), TOKEN_ENCRYPTION_KEYS: h.config.keyRing.keys.map((k) => `${k.id}:${k.material.toString('base64')}`).slice(1).join(',') });
    const old = buildServices(oldKeyOnly, h.services.db, h.clock, createLogger({ level: 'error' }), { instanceId: 'old' });
    // write a row under the old key, as an instance that predates the rotation would have
    await h.services.db.transaction(async (em) => old.vault.store(em, 'V-ROT', { accessToken: 'token-under-old-key', refreshToken: 'refresh-under-old-key', expiresInSeconds: 3600 * 48, scopes: [] }));
    expect((await row('V-ROT', 'access')).keyId).toBe(oldKeyOnly.keyRing.active.id);
    await expect(h.services.vault.accessToken('V-ROT')).resolves.toBe('token-under-old-key');
    expect((await h.services.vault.reencryptAll()).reencrypted).toBeGreaterThanOrEqual(2);
    expect((await row('V-ROT', 'access')).keyId).toBe(h.config.keyRing.active.id);
    await expect(h.services.vault.accessToken('V-ROT')).resolves.toBe('token-under-old-key');
    await expect(old.vault.accessToken('V-ROT')).rejects.toThrow(DecryptionError);
  });
});

function configEnv(h: Harness): Record<string, string> {
  return {
    BANK_ENV: 'simulator',
    BANK_AUTH_URL: h.config.bank.authUrl,
    BANK_API_URL: h.config.bank.apiUrl,
    PUBLIC_BASE_URL: h.config.publicBaseUrl,
    DATABASE_URL: h.config.databaseUrl,
  };
}

describe('ahead-of-time refresh job', () => {
  test('refreshes only the connections whose access token is close to expiry', async () => {
    const h = await startHarness('sqlite');
    try {
      await connectCompany(h, 'R-SOON');
      h.clock.advanceSeconds(27 * DAY); // 3 days left: not yet in the 1-day margin
      await connectCompany(h, 'R-FRESH');
      h.clock.advanceSeconds(1 * DAY + 60); // R-SOON: < 2 days left, R-FRESH: 29 days left
      const before = h.sim.state.stats().tokenRequests.refresh_token;
      expect(await h.services.vault.refreshExpiring()).toEqual({ refreshed: 1, failed: 0 });
      expect(h.sim.state.stats().tokenRequests.refresh_token - before).toBe(1);
      expect(await h.services.vault.refreshExpiring()).toEqual({ refreshed: 0, failed: 0 });
    } finally {
      await h.close();
    }
  });
});
