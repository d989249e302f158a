import request from 'supertest';
import { BankToken } from '../../src/tokens/bankToken.entity';
import { ConnectSession } from '../../src/connections/connectSession.entity';
import { Browser } from '../support/browser';
import { bearer, connectCompany } from '../support/connect';
import { DATABASES } from '../support/databases';
import { startHarness, type Harness } from '../support/harness';

describe.each(DATABASES)('connect flow on %s', (kind) => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness(kind);
  });
  afterAll(async () => {
    await h?.close();
  });

  const tokenRows = () => h.services.db.manager.count(BankToken);

  /** Starts a connect session and opens it in a browser, stopping at the bank's login page. */
  async function openConsent(companyId: string, browser = new Browser()) {
    const key = await h.apiKey(companyId);
    const created = await request(h.app).post(`/v1/companies/${companyId}/connect-sessions`).set(...bearer(key)).send({}).expect(201);
    const login = await browser.get(created.body.url);
    return { browser, login, key, sessionId: created.body.id as string };
  }

  test('store owner consents in a browser and sees the Japanese success page; ReCORE sees connected, never a token', async () => {
    const { page, key, browser } = await connectCompany(h, 'C-OK');
    expect(page.status).toBe(200);
    expect(page.url).toMatch(new RegExp(`^${h.baseUrl}/refresh_token/C-OK\\?`));
    expect(page.body).toContain('銀行口座の連携が完了しました');
    expect(page.headers.get('content-security-policy')).toContain("default-src 'self'");
    expect(browser.cookieNames()).not.toContain('gbi_connect');

    const res = await request(h.app).get('/v1/companies/C-OK/connection').set(...bearer(key)).expect(200);
    expect(res.body).toMatchObject({ companyId: 'C-OK', status: 'connected', environment: 'simulator' });
    expect(res.body.scopes).toEqual(expect.arrayContaining(['offline_access', 'private:account', 'private:transfer']));
    expect(res.body.accounts.length).toBeGreaterThanOrEqual(1);
    expect(res.body.accounts[0]).toEqual(
      expect.objectContaining({ accountId: expect.any(String), branchCode: expect.any(String), accountTypeCode: expect.any(String), accountNumber: expect.stringMatching(/^\d{7}$/), accountName: expect.any(String) }),
    );
    expect(Date.parse(res.body.accessTokenExpiresAt) - h.clock.now().getTime()).toBe(2_592_000_000);
    expect(Date.parse(res.body.refreshTokenExpiresAt) - h.clock.now().getTime()).toBe(7_776_000_000);
    expect(res.body.connectedAt).toBe(h.clock.now().toISOString());

    const rows = await h.services.db.manager.find(BankToken, { where: { companyId: 'C-OK' } });
    expect(rows.map((r) => r.kind).sort()).toEqual(['access', 'refresh']);
    const plain = await h.services.vault.accessToken('C-OK');
    for (const row of rows) expect(JSON.stringify(row)).not.toContain(plain);
    expect(JSON.stringify(res.body)).not.toContain(plain);
    expect(h.logs.join('\n')).not.toContain(plain);
    expect(h.sim.state).toBeDefined();
  });

  test('an allow-listed return URL gets the browser back to ReCORE', async () => {
    // ReCORE's page is not on this machine: stop at the redirect and check where it points
    const { page, key } = await connectCompany(h, 'C-RET', { returnUrl: 'https://recore.example/settings/bank', stopBefore: 'https://recore.example' });
    expect(page.status).toBe(303);
    expect(page.url).toBe('https://recore.example/settings/bank?bankConnection=connected');
    const res = await request(h.app).get('/v1/companies/C-RET/connection').set(...bearer(key)).expect(200);
    expect(res.body.status).toBe('connected');
  });

  test('a return URL outside the allow-list is a field error and creates no session', async () => {
    const key = await h.apiKey('C-BADRET');
    const before = await h.services.db.manager.count(ConnectSession);
    const res = await request(h.app)
      .post('/v1/companies/C-BADRET/connect-sessions')
      .set(...bearer(key))
      .send({ returnUrl: 'https://evil.example/phish' })
      .expect(400);
    expect(res.headers['content-type']).toContain('application/problem+json');
    expect(res.body.errors).toEqual([{ field: 'returnUrl', reason: 'origin is not in RETURN_URL_ORIGINS' }]);
    expect(await h.services.db.manager.count(ConnectSession)).toBe(before);
  });

  test('deny at the bank: access_denied page, nothing stored', async () => {
    const before = await tokenRows();
    const { browser, login } = await openConsent('C-DENY');
    const page = await browser.submit(login, '拒否する');
    expect(page.status).toBe(400);
    expect(page.body).toContain('銀行での同意がキャンセルされました');
    expect(await tokenRows()).toBe(before);
    const key = await h.apiKey('C-DENY');
    await request(h.app).get('/v1/companies/C-DENY/connection').set(...bearer(key)).expect(404);
  });

  describe('a forged or replayed callback stores nothing', () => {
    test('no state', async () => {
      const before = await tokenRows();
      const res = await request(h.app).get('/refresh_token/C-X?code=abc').expect(400);
      expect(res.text).toContain('銀行からの戻り情報が不足しています');
      expect(res.headers['content-type']).toContain('text/html');
      expect(await tokenRows()).toBe(before);
    });

    test('unknown state', async () => {
      const before = await tokenRows();
      const res = await request(h.app).get('/refresh_token/C-X?code=abc&state=forged-state-value').expect(400);
      expect(res.text).toContain('連携の要求を確認できませんでした');
      expect(res.text).not.toContain('forged-state-value');
      expect(await tokenRows()).toBe(before);
    });

    /** Consents at the bank but stops before following the redirect back to us. */
    async function consentWithoutReturning(companyId: string) {
      const { browser, login } = await openConsent(companyId);
      const stopped = await browser.submit(login, '同意する', '/refresh_token/');
      expect(stopped.url).toContain(`/refresh_token/${companyId}?`);
      return { browser, callback: stopped.url };
    }

    test('missing browser cookie (another browser)', async () => {
      const before = await tokenRows();
      const { callback } = await consentWithoutReturning('C-COOKIE');
      const page = await new Browser().get(callback);
      expect(page.status).toBe(400);
      expect(page.body).toContain('連携を開始したブラウザと異なります');
      expect(await tokenRows()).toBe(before);
    });

    test('the callback is single-use: a replay is refused', async () => {
      const { browser, callback } = await consentWithoutReturning('C-REPLAY');
      const first = await browser.get(callback);
      expect(first.status).toBe(200);
      const after = await tokenRows();
      const again = await request(h.app).get(new URL(callback).pathname + new URL(callback).search);
      expect(again.status).toBe(409);
      expect(again.text).toContain('この連携はすでに処理されています');
      expect(await tokenRows()).toBe(after);
    });

    test('state expired after 10 minutes', async () => {
      const before = await tokenRows();
      const { browser, callback } = await consentWithoutReturning('C-LATE');
      h.clock.advanceSeconds(601);
      const page = await browser.get(callback);
      expect(page.status).toBe(400);
      expect(page.body).toContain('10分');
      expect(await tokenRows()).toBe(before);
    });

    test("another company's callback path with this state", async () => {
      const before = await tokenRows();
      const { browser, callback } = await consentWithoutReturning('C-ONE');
      const forged = callback.replace('/refresh_token/C-ONE', '/refresh_token/C-TWO');
      const page = await browser.get(forged);
      expect(page.status).toBe(400);
      expect(await tokenRows()).toBe(before);
      // and the state is spent: the genuine callback cannot be used after a forged attempt
      const genuine = await browser.get(callback);
      expect(genuine.status).toBe(409);
      expect(await tokenRows()).toBe(before);
    });

    test('callback without code', async () => {
      const before = await tokenRows();
      const { browser, callback } = await consentWithoutReturning('C-NOCODE');
      const u = new URL(callback);
      u.searchParams.delete('code');
      const page = await browser.get(u.toString());
      expect(page.status).toBe(400);
      expect(page.body).toContain('銀行からの認可コードがありません');
      expect(await tokenRows()).toBe(before);
    });

    test('token endpoint refuses the code (invalid_grant): clear page, nothing stored', async () => {
      const before = await tokenRows();
      const { browser, callback } = await consentWithoutReturning('C-GRANT');
      h.sim.state.injectFault({ target: 'token', kind: 'invalid_grant', count: 1 });
      const page = await browser.get(callback);
      expect(page.status).toBe(502);
      expect(page.body).toContain('銀行での認可を完了できませんでした');
      expect(await tokenRows()).toBe(before);
    });

    test('token endpoint down (500): bank-unavailable page, nothing stored', async () => {
      const before = await tokenRows();
      const { browser, callback } = await consentWithoutReturning('C-DOWN');
      h.sim.state.injectFault({ target: 'token', kind: 'error500', count: 1 });
      const page = await browser.get(callback);
      expect(page.status).toBe(503);
      expect(page.body).toContain('銀行のシステムに接続できませんでした');
      expect(await tokenRows()).toBe(before);
    });
  });

  test('unknown, expired and used connect links get their own pages', async () => {
    expect((await request(h.app).get('/connect/00000000-0000-4000-8000-000000000000')).status).toBe(404);
    expect((await request(h.app).get('/connect/not-a-uuid')).status).toBe(404);
    const key = await h.apiKey('C-LINK');
    const created = await request(h.app).post('/v1/companies/C-LINK/connect-sessions').set(...bearer(key)).expect(201);
    h.clock.advanceSeconds(24 * 3600 + 1);
    const expired = await request(h.app).get(new URL(created.body.url).pathname);
    expect(expired.status).toBe(410);
    expect(expired.text).toContain('有効期限が切れています');
  });

  test('disconnect physically deletes the tokens', async () => {
    const { key } = await connectCompany(h, 'C-BYE');
    expect(await h.services.db.manager.count(BankToken, { where: { companyId: 'C-BYE' } })).toBe(2);
    const res = await request(h.app).delete('/v1/companies/C-BYE/connection').set(...bearer(key)).expect(200);
    expect(res.body.status).toBe('disconnected');
    expect(res.body.accessTokenExpiresAt).toBeNull();
    expect(await h.services.db.manager.count(BankToken, { where: { companyId: 'C-BYE' } })).toBe(0);
  });

  test('no token, code or state value ever reaches a log line', async () => {
    const { page } = await connectCompany(h, 'C-LOGS');
    const callback = new URL(page.url);
    const joined = h.logs.join('\n');
    expect(joined).not.toContain(callback.searchParams.get('code')!);
    expect(joined).not.toContain(callback.searchParams.get('state')!);
    expect(joined).not.toContain(await h.services.vault.accessToken('C-LOGS'));
    expect(joined).not.toContain('sim-secret');
  });
});
