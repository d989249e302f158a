import { AccountsApi } from './accountsApi';
import { BankHttpClient } from './httpClient';
import { BankOAuthClient } from './oauthClient';
import type { RateLimiter } from './rateLimiter';
import { TransfersApi } from './transfersApi';

/** The only way features reach the bank. */
export interface Bank {
  oauth: BankOAuthClient;
  accounts: AccountsApi;
  transfers: TransfersApi;
  http: BankHttpClient;
}

export function createBank(options: { authUrl: string; apiUrl: string; timeoutMs: number; limiter?: RateLimiter }): Bank {
  const http = new BankHttpClient(options.apiUrl, options.timeoutMs, options.limiter);
  return { oauth: new BankOAuthClient(options.authUrl, options.timeoutMs, options.limiter), accounts: new AccountsApi(http), transfers: new TransfersApi(http), http };
}
