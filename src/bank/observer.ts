/** One call to the bank as metrics see it: never a URL with ids, a token or a body. */
export interface BankCall {
  /** the API path (`/transfer/request`) or `token` for the OAuth token endpoint; GMO's paths carry no ids */
  endpoint: string;
  /** `ok`, or the failure kind the services decide on (`timeout`, `rate_limited`, `oauth`, …) */
  outcome: string;
  /** GMO's errorCode (`WG_ERR_154`) or the OAuth error (`invalid_grant`), when the bank sent one */
  errorCode?: string;
  durationSeconds: number;
}

/** Told of every bank call after it ends; must not throw or block (metrics, not decisions). */
export type BankCallObserver = (call: BankCall) => void;
