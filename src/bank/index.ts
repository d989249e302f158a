import { AccountsApi } from './accountsApi';
import { BulkTransfersApi } from './bulkTransfersApi';
import { BankHttpClient } from './httpClient';
import { BankOAuthClient } from './oauthClient';
import type { BankCallObserver } from './observer';
import type { RateLimiter } from './rateLimiter';
import { StatementsApi } from './statementsApi';
import { TransfersApi } from './transfersApi';

/** The only way features reach the bank. */
export interface Bank {
  oauth: BankOAuthClient;
  accounts: AccountsApi;
  transfers: TransfersApi;
  bulkTransfers: BulkTransfersApi;
  /** 入出金明細 and 振込入金明細, one page per call */
  statements: StatementsApi;
  http: BankHttpClient;
}

export function createBank(options: {
  authUrl: string;
  apiUrl: string;
  /** the bank's consent page as the store owner's browser reaches it, when not at authUrl (a container network) */
  browserAuthUrl?: string;
  timeoutMs: number;
  limiter?: RateLimiter;
  observer?: BankCallObserver;
}): Bank {
  const { timeoutMs, limiter, observer } = options;
  const http = new BankHttpClient(options.apiUrl, { timeoutMs, limiter, observer });
  return { oauth: new BankOAuthClient(options.authUrl, { timeoutMs, limiter, observer, browserAuthBaseUrl: options.browserAuthUrl }), accounts: new AccountsApi(http), transfers: new TransfersApi(http), bulkTransfers: new BulkTransfersApi(http), statements: new StatementsApi(http), http };
}
