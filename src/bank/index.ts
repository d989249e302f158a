import { AccountsApi } from './accountsApi';
import { BulkTransfersApi } from './bulkTransfersApi';
import type { Logger } from '../log';
import { BankEgress, type BankProxySettings } from './egress';
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
  /** the one outbound HTTP stack both clients use: proxy, timeout, TLS */
  egress: BankEgress;
}

export function createBank(options: {
  authUrl: string;
  apiUrl: string;
  /** the bank's consent page as the store owner's browser reaches it, when not at authUrl (a container network) */
  browserAuthUrl?: string;
  timeoutMs: number;
  /** BANK_PROXY_URL, else HTTPS_PROXY / HTTP_PROXY / NO_PROXY; none: direct */
  proxy?: BankProxySettings;
  /** told once which way the bank is reached (a proxy's credentials redacted) */
  log?: Logger;
  limiter?: RateLimiter;
  observer?: BankCallObserver;
}): Bank {
  const { limiter, observer } = options;
  const egress = new BankEgress(options.proxy ?? {}, options.timeoutMs);
  options.log?.info('bank egress', egress.describe());
  const http = new BankHttpClient(options.apiUrl, egress, { limiter, observer });
  return { oauth: new BankOAuthClient(options.authUrl, egress, { limiter, observer, browserAuthBaseUrl: options.browserAuthUrl }), accounts: new AccountsApi(http), transfers: new TransfersApi(http), bulkTransfers: new BulkTransfersApi(http), statements: new StatementsApi(http), http, egress };
}
