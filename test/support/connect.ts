import request from 'supertest';
import { Browser, type Page } from './browser';
import type { Harness } from './harness';

/** ReCORE asks for a connect session; the store owner opens it and consents at the simulated bank. */
export async function connectCompany(h: Harness, companyId: string, options: { key?: string; returnUrl?: string; stopBefore?: string; bankUser?: string } = {}): Promise<{ page: Page; browser: Browser; key: string }> {
  const key = options.key ?? (await h.apiKey(companyId));
  const created = await request(h.app)
    .post(`/v1/companies/${companyId}/connect-sessions`)
    .set('authorization', `Bearer ${key}`)
    .send(options.returnUrl ? { returnUrl: options.returnUrl } : {})
    .expect(201);
  const browser = new Browser();
  const login = await browser.get(created.body.url);
  if (login.status !== 200) throw new Error(`bank login page: HTTP ${login.status} ${login.body.slice(0, 200)}`);
  const page = await browser.submit(login, '同意する', options.stopBefore, options.bankUser ? { userId: options.bankUser } : {});
  return { page, browser, key };
}

export function bearer(key: string): [string, string] {
  return ['authorization', `Bearer ${key}`];
}

/**
 * A payout POSTed over real HTTP to a service listening at `baseUrl` (an instance of its own, as behind a
 * balancer): the answer's status and JSON body.
 */
export async function postTransfer<B>(baseUrl: string, companyId: string, key: string, idempotencyKey: string, body: object): Promise<{ status: number; body: B }> {
  const res = await fetch(`${baseUrl}/v1/companies/${companyId}/transfers`, {
    method: 'POST',
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json', 'idempotency-key': idempotencyKey },
    body: JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as B };
}
