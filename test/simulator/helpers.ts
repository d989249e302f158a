import request from 'supertest';
import type { Express } from 'express';
import { createSimulator, type Simulator, type SimulatorClient, type SimulatorOptions } from '../../src/simulator/app';

export const AUTH = '/ganb/api/auth/v1';
export const API = '/ganb/api/corporation/v1';
export const CORPORATE_ACCOUNT = '101011234567';
export const SECOND_ACCOUNT = '101027654321';
export const PERSONAL_ACCOUNT = '302010013543';
export const ALL_SCOPES = 'openid offline_access private:account private:transfer private:bulk-transfer private:virtual-account';

/** 2026-11-24 10:00 JST, a Tuesday. */
export const START = '2026-11-24T01:00:00.000Z';
export const TODAY = '2026-11-24';

export class TestClock {
  private current: number;

  constructor(start = START) {
    this.current = Date.parse(start);
  }

  now(): Date {
    return new Date(this.current);
  }

  advance(seconds: number): void {
    this.current += seconds * 1000;
  }

  set(iso: string): void {
    this.current = Date.parse(iso);
  }
}

export const POST_CLIENT: SimulatorClient = {
  clientId: 'sim-client',
  clientSecret: 'sim-secret',
  authMethod: 'post',
  redirectUris: ['http://localhost:3000/refresh_token/{companyId}', 'https://app.example/callback'],
  scopes: ALL_SCOPES.split(' '),
};

export const BASIC_CLIENT: SimulatorClient = {
  clientId: 'basic-client',
  clientSecret: 'basic-secret',
  authMethod: 'basic',
  redirectUris: ['https://basic.example/cb'],
  scopes: ALL_SCOPES.split(' '),
};

export const PKCE_CLIENT: SimulatorClient = { ...POST_CLIENT, clientId: 'pkce-client', pkceRequired: true };

export interface TestSim extends Simulator {
  clock: TestClock;
  http: ReturnType<typeof request>;
}

export function newSim(options: Partial<SimulatorOptions> = {}): TestSim {
  const clock = new TestClock();
  const sim = createSimulator({ clock, clients: [POST_CLIENT, BASIC_CLIENT, PKCE_CLIENT], ...options });
  return { ...sim, clock, http: request(sim.app) };
}

export function redirectUriFor(companyId: string): string {
  return `http://localhost:3000/refresh_token/${companyId}`;
}

export interface AuthorizeOptions {
  client?: SimulatorClient;
  redirectUri?: string;
  scope?: string;
  state?: string;
  userId?: string;
  extra?: Record<string, string>;
}

export function authorizationQuery(o: AuthorizeOptions = {}): Record<string, string> {
  const client = o.client ?? POST_CLIENT;
  return {
    response_type: 'code',
    client_id: client.clientId,
    redirect_uri: o.redirectUri ?? client.redirectUris[0].replace('{companyId}', 'acme'),
    scope: o.scope ?? ALL_SCOPES,
    state: o.state ?? 'state-123',
    ...o.extra,
  };
}

export function hiddenAuthorizationId(html: string): string {
  const match = /name="authorizationId" value="([^"]+)"/.exec(html);
  if (!match) throw new Error('no authorizationId on the login page');
  return match[1];
}

/** Opens the login page and consents; returns the code the bank redirected with. */
export async function authorize(app: Express, o: AuthorizeOptions = {}): Promise<{ code: string; redirectUri: string }> {
  const query = authorizationQuery(o);
  const page = await request(app).get(`${AUTH}/authorization`).query(query).expect(200);
  const consent = await request(app)
    .post(`${AUTH}/authorization`)
    .type('form')
    .send({ authorizationId: hiddenAuthorizationId(page.text), userId: o.userId ?? 'corporate-user', decision: 'approve' })
    .expect(302);
  const code = new URL(consent.headers.location).searchParams.get('code');
  if (!code) throw new Error(`no code in ${consent.headers.location}`);
  return { code, redirectUri: query.redirect_uri };
}

export function tokenRequest(app: Express, form: Record<string, string>, client: SimulatorClient = POST_CLIENT) {
  const req = request(app).post(`${AUTH}/token`).type('form');
  if (client.authMethod === 'basic') {
    return req.auth(client.clientId, client.clientSecret).send(form);
  }
  return req.send({ ...form, client_id: client.clientId, client_secret: client.clientSecret });
}

export interface Tokens {
  access_token: string;
  refresh_token?: string;
  scope: string;
  token_type: string;
  expires_in: number;
}

/** The whole connect dance: login page, consent, code exchange. */
export async function connect(app: Express, o: AuthorizeOptions = {}): Promise<Tokens> {
  const { code, redirectUri } = await authorize(app, o);
  const res = await tokenRequest(app, { grant_type: 'authorization_code', code, redirect_uri: redirectUri }, o.client).expect(200);
  return res.body as Tokens;
}

export function transferItem(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    transferAmount: '10000',
    beneficiaryBankCode: '0001',
    beneficiaryBranchCode: '001',
    accountTypeCode: '1',
    accountNumber: '1234567',
    beneficiaryName: 'ﾃｽﾄ ﾀﾛｳ',
    ...overrides,
  };
}

export function transferBody(overrides: Record<string, unknown> = {}, items = [transferItem()]): Record<string, unknown> {
  return { accountId: CORPORATE_ACCOUNT, transferDesignatedDate: TODAY, transfers: items, ...overrides };
}

/** An item of a 総合振込: a transfer item with its (required) itemId. */
export function bulkItem(itemId: number, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return { itemId: String(itemId), ...transferItem(), ...overrides };
}

/** Items 1..n, each of `amount` yen. */
export function bulkItems(n: number, amount = '1000'): Array<Record<string, unknown>> {
  return Array.from({ length: n }, (_, i) => bulkItem(i + 1, { transferAmount: amount }));
}

/** A BulkTransferRequest whose totals add up, unless overridden. */
export function bulkBody(items: Array<Record<string, unknown>>, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  const totalAmount = items.reduce((s, i) => s + Number(i.transferAmount), 0);
  return {
    accountId: CORPORATE_ACCOUNT,
    transferDesignatedDate: TODAY,
    totalCount: String(items.length),
    totalAmount: String(totalAmount),
    bulkTransfers: items,
    ...overrides,
  };
}
