import type { BankAccount } from '../src/bank/accountsApi';
import { SIMULATOR_CLIENT_ID, SIMULATOR_CLIENT_SECRET } from '../src/config';
import { NodeChild, SCRIPTS, baseEnv } from './children';
import { authorizationCode } from './consent';

/** Where the bank sends the bench's own authorization code; never visited (see consent.ts). */
const BENCH_REDIRECT_URI = 'http://127.0.0.1/bench-token';
const SCOPES = 'openid offline_access private:account private:transfer private:bulk-transfer';
/** Enough for every payout of a run (the seeded account holds 50,000,000 yen: 43,000 transfers with their fee). */
const TOP_UP_YEN = 100_000_000_000;

/** The bank simulator as its own process, with a token of the bench's own for the calls that bypass the integrator. */
export interface Bank {
  process: NodeChild;
  authUrl: string;
  apiUrl: string;
  accessToken: string;
  accounts: BankAccount[];
  stop(): Promise<void>;
}

/**
 * One simulator process for every target of a database's run (integrator, bare app, direct calls), on any
 * free port, without a rate limit. Transfers never settle during the run (so the poller finds every one
 * open); the integrator's redirect URI names `integratorPort`, and the bench's own is registered beside it.
 */
export async function startBank(integratorPort: number, logDir: string, name: string): Promise<Bank> {
  const sim = new NodeChild(
    name,
    SCRIPTS.simulator,
    baseEnv({
      SIMULATOR_HOST: '127.0.0.1',
      SIMULATOR_PORT: '0',
      SIMULATOR_REDIRECT_URIS: `http://127.0.0.1:${integratorPort}/refresh_token/{companyId},${BENCH_REDIRECT_URI}`,
      SIMULATOR_SETTLE_AFTER_SECONDS: String(7 * 86_400),
      // the gateway's per-client limit would measure itself, not the targets
      SIMULATOR_RATE_LIMIT: '0',
    }),
    logDir,
  );
  try {
    const [line] = await sim.waitForStdout(/^\{.*"simulator listening".*\}$/m, 30_000);
    const { url } = JSON.parse(line) as { url: string };
    const authUrl = `${url}/ganb/api/auth/v1`;
    const apiUrl = `${url}/ganb/api/corporation/v1`;
    const accessToken = await ownToken(authUrl);
    const accounts = await listAccounts(apiUrl, accessToken);
    const paying = accounts.find((a) => a.primaryAccountCode === '1') ?? accounts[0];
    const topUp = await fetch(`${url}/_sim/accounts/${paying.accountId}/deposits`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ amount: TOP_UP_YEN, applicantName: 'ﾍﾞﾝﾁ', paymentBankName: 'ｼﾞｰｴﾑｵｰ', paymentBranchName: 'ﾎﾝﾃﾝ' }),
    });
    if (topUp.status !== 201) throw new Error(`simulator deposit: HTTP ${topUp.status} ${await topUp.text()}`);
    return { process: sim, authUrl, apiUrl, accessToken, accounts, stop: () => sim.stop() };
  } catch (err) {
    await sim.stop();
    throw err;
  }
}

async function ownToken(authUrl: string): Promise<string> {
  const authorize = new URL(`${authUrl}/authorization`);
  authorize.search = new URLSearchParams({ client_id: SIMULATOR_CLIENT_ID, redirect_uri: BENCH_REDIRECT_URI, response_type: 'code', scope: SCOPES, state: 'bench' }).toString();
  const code = await authorizationCode(authorize.toString(), BENCH_REDIRECT_URI);
  const res = await fetch(`${authUrl}/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'authorization_code', code, redirect_uri: BENCH_REDIRECT_URI, client_id: SIMULATOR_CLIENT_ID, client_secret: SIMULATOR_CLIENT_SECRET }),
  });
  const body = (await res.json()) as { access_token?: string };
  if (res.status !== 200 || !body.access_token) throw new Error(`simulator token endpoint: HTTP ${res.status}`);
  return body.access_token;
}

async function listAccounts(apiUrl: string, accessToken: string): Promise<BankAccount[]> {
  const res = await fetch(`${apiUrl}/accounts`, { headers: { 'x-access-token': accessToken } });
  const body = (await res.json()) as { accounts?: BankAccount[] };
  if (res.status !== 200 || !body.accounts?.length) throw new Error(`simulator /accounts: HTTP ${res.status}`);
  return body.accounts;
}
