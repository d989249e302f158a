export interface SimulatorClient {
  clientId: string;
  clientSecret: string;
  authMethod: 'post' | 'basic';
  /** exact redirect URIs, or templates containing the single placeholder {companyId} which matches [A-Za-z0-9_-]{1,64} */
  redirectUris: string[];
  scopes: string[];
  pkceRequired?: boolean;
}

export interface SimulatorOptions {
  /** Injected time; default system clock. ALL expiry/settlement decisions use it. */
  clock?: { now(): Date };
  clients: SimulatorClient[];
  /** expires_in, default 2592000 (30 days, as observed in production) */
  accessTokenTtlSeconds?: number;
  /** default 7776000 (90 days) */
  refreshTokenTtlSeconds?: number;
  /** default 600 */
  codeTtlSeconds?: number;
  /** default true: a refresh invalidates the old refresh token */
  rotateRefreshTokens?: boolean;
  /** default 'auto' */
  approvalMode?: 'auto' | 'manual';
  /** default 60: an accepted transfer (12) becomes 20 once this much clock time has passed */
  settleAfterSeconds?: number;
  /** how long a 'timeout' fault holds the socket before destroying it, default 30000 */
  hangMs?: number;
  /** fee per item to a bank other than GMO Aozora (0310), default 145 yen */
  otherBankFeeYen?: number;
  /**
   * default true: Japan's bank calendar (weekends, national holidays, 12/31–1/3) and the 15:00 JST cut-off decide
   * when a transfer to another bank runs (see bank/calendar.ts). false: every day is a business day and there is no
   * cut-off, for a demo on the system clock at the weekend.
   */
  bankCalendar?: boolean;
  /** default 600: a bulk transfer's items can be read (detailInfoResult true) this long after the request */
  bulkDetailDelaySeconds?: number;
  /**
   * default false: like GMO's server, redundant client credentials that agree are accepted (GMO's Node SDK
   * sends Basic and client_secret in the body on refresh). true: only the registered method, alone.
   */
  strictClientAuth?: boolean;
  /**
   * default 0 (none): like GMO's gateway, more than this many requests of one client id within one second are
   * answered 429 WG_ERR_154 (the token endpoint's by client_id, API calls by the client their token was issued to)
   */
  rateLimitPerSecond?: number;
  /** optional; never receives tokens, secrets or codes */
  logger?: (line: string) => void;
}

/** The part of the options that /_sim/config may change at run time. */
export interface SimulatorConfig {
  approvalMode: 'auto' | 'manual';
  rotateRefreshTokens: boolean;
  accessTokenTtlSeconds: number;
  refreshTokenTtlSeconds: number;
  codeTtlSeconds: number;
  settleAfterSeconds: number;
  hangMs: number;
  otherBankFeeYen: number;
  bankCalendar: boolean;
  bulkDetailDelaySeconds: number;
  strictClientAuth: boolean;
  rateLimitPerSecond: number;
}

export const DEFAULT_SCOPES = [
  'openid',
  'offline_access',
  'private:account',
  'private:transfer',
  'private:bulk-transfer',
  'private:virtual-account',
];

export function resolveConfig(options: SimulatorOptions): SimulatorConfig {
  return {
    approvalMode: options.approvalMode ?? 'auto',
    rotateRefreshTokens: options.rotateRefreshTokens ?? true,
    accessTokenTtlSeconds: options.accessTokenTtlSeconds ?? 2_592_000,
    refreshTokenTtlSeconds: options.refreshTokenTtlSeconds ?? 7_776_000,
    codeTtlSeconds: options.codeTtlSeconds ?? 600,
    settleAfterSeconds: options.settleAfterSeconds ?? 60,
    hangMs: options.hangMs ?? 30_000,
    otherBankFeeYen: options.otherBankFeeYen ?? 145,
    bankCalendar: options.bankCalendar ?? true,
    bulkDetailDelaySeconds: options.bulkDetailDelaySeconds ?? 600,
    strictClientAuth: options.strictClientAuth ?? false,
    rateLimitPerSecond: options.rateLimitPerSecond ?? 0,
  };
}

export const COMPANY_PLACEHOLDER = '{companyId}';

/** Misconfiguration should fail at start-up, not as a puzzling 403 on the first login. */
export function checkClients(clients: readonly SimulatorClient[]): void {
  if (clients.length === 0) throw new Error('simulator: at least one client is required');
  const ids = new Set<string>();
  for (const client of clients) {
    if (!client.clientId || !client.clientSecret) throw new Error('simulator: clientId and clientSecret are required');
    if (ids.has(client.clientId)) throw new Error(`simulator: duplicate clientId ${client.clientId}`);
    ids.add(client.clientId);
    for (const uri of client.redirectUris) {
      if (uri.split(COMPANY_PLACEHOLDER).length > 2) {
        throw new Error(`simulator: redirect URI ${uri} has more than one ${COMPANY_PLACEHOLDER}`);
      }
      if (!URL.canParse(uri.replace(COMPANY_PLACEHOLDER, 'x'))) throw new Error(`simulator: redirect URI ${uri} is not a URL`);
    }
  }
}
