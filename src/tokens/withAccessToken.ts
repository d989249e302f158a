import { BankError } from '../bank/errors';
import type { TokenVault } from './vault';

/**
 * Calls the bank with the company's access token; on a 401 (which the gateway answers before the
 * request is processed) refreshes through the vault ONCE and tries once more.
 */
export async function withAccessToken<T>(vault: TokenVault, companyId: string, call: (token: string) => Promise<T>, knownToken?: string): Promise<T> {
  // `knownToken`: the one the caller just had from the vault for this request (one read per request)
  const token = knownToken ?? (await vault.accessToken(companyId));
  try {
    return await call(token);
  } catch (err) {
    if (!(err instanceof BankError) || err.kind !== 'unauthorized') throw err;
    const fresh = await vault.accessToken(companyId, { rejected: token });
    return call(fresh);
  }
}
