import { AccountsApi } from './accountsApi';
import { BulkTransfersApi } from './bulkTransfersApi';
import { BankHttpClient } from './httpClient';
import { BankOAuthClient } from './oauthClient';
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

export function createBank(options: { authUrl: string; apiUrl: string; timeoutMs: number; limiter?: RateLimiter }): Bank {
  const http = new BankHttpClient(options.apiUrl, options.timeoutMs, options.limiter);
  return { oauth: new BankOAuthClient(options.authUrl, options.timeoutMs, options.limiter), accounts: new AccountsApi(http), transfers: new TransfersApi(http), bulkTransfers: new BulkTransfersApi(http), statements: new StatementsApi(http), http };
}
