import type { RequestHandler, Response } from 'express';
import type { TokenRecord } from '../auth/store';
import { BUSINESS, GATEWAY, errorResponse } from '../errors';
import type { Endpoint } from '../faults';
import { endpoint } from '../http';
import { rateLimit } from '../rateLimit';
import type { SeedAccount } from '../seed';
import type { SimulatorState } from '../state';

/** `/ganb/api/corporation/v1` (production, staging) or sunabar's `/corporation/v1`, which is stricter in places. */
export type Flavour = 'ganb' | 'sunabar';

/** The scopes the corporate API asks for (§2.3). */
export type Scope = 'private:account' | 'private:transfer' | 'private:bulk-transfer' | 'private:virtual-account';

export interface CorporateContext {
  state: SimulatorState;
  flavour: Flavour;
  /** the handlers every corporate route starts with: count, fault, token and scope */
  guard(name: Endpoint, scope: Scope): RequestHandler[];
}

const TOKEN_MESSAGES = {
  missing: 'アクセストークンが指定されていません。',
  expired: 'アクセストークンの有効期限が切れています。',
  invalid: 'アクセストークンが無効です。',
};

function requireToken(state: SimulatorState, scope: string): RequestHandler {
  return (req, res, next) => {
    const check = state.auth.checkAccessToken(req.get('x-access-token'), state.clock.now());
    if (!check.ok) throw errorResponse(401, GATEWAY.invalidToken, TOKEN_MESSAGES[check.reason]);
    if (!check.token.scopes.includes(scope)) {
      throw errorResponse(403, GATEWAY.insufficientScope, `このAPIを利用する権限（${scope}）がありません。`);
    }
    res.locals.principal = check.token;
    next();
  };
}

export function corporateContext(state: SimulatorState, flavour: Flavour): CorporateContext {
  return {
    state,
    flavour,
    guard: (name, scope) => [...endpoint(state, name), requireToken(state, scope), rateLimit(state, (_req, res) => principal(res).clientId)],
  };
}

/** The token behind this request, set by the guard. */
export function principal(res: Response): TokenRecord {
  return res.locals.principal as TokenRecord;
}

/** An account of the token's user, or the 400 ErrorResponse the bank gives for any other accountId. */
export function ownedAccount(state: SimulatorState, res: Response, accountId: string): SeedAccount {
  const account = state.bank.ledger.ownedAccount(principal(res).userId, accountId);
  if (!account) throw errorResponse(400, BUSINESS.accountNotFound, '指定された口座IDは存在しません。');
  return account;
}
