import express, { type Request, type Response, type Router } from 'express';
import { sendConsentPage, sendErrorPage } from '../pages';
import { SEED_USERS, findUser } from '../seed';
import type { SimulatorState } from '../state';
import { param } from './params';
import { matchRedirectUri, withParams } from './redirect';

const PKCE_CHALLENGE = /^[A-Za-z0-9._~-]{43,128}$/;

function redirectError(res: Response, redirectUri: string, error: string, description: string, state?: string): void {
  res.redirect(302, withParams(redirectUri, { error, error_description: description, state }));
}

/**
 * GET shows the login + consent page. A bad client or redirect URI gets a page and never a redirect
 * (RFC 6749 §4.1.2.1; sunabar shows "Forbidden" for a redirect mismatch); every later problem goes back
 * to the client as ?error=…&state=….
 */
function showLogin(state: SimulatorState) {
  return (req: Request, res: Response): void => {
    state.counters.call('authorization');
    const q = req.query;
    const client = state.clients.find((c) => c.clientId === param(q, 'client_id'));
    if (!client) return sendErrorPage(res, 400, 'エラー', 'クライアントIDが不正です。');
    const redirectUri = param(q, 'redirect_uri');
    const match = redirectUri === undefined ? undefined : matchRedirectUri(client.redirectUris, redirectUri);
    if (!redirectUri || !match) return sendErrorPage(res, 403, 'Forbidden', 'リダイレクトURIが登録内容と一致しません。');

    const rawState = param(q, 'state');
    // An invalid state is not echoed back.
    const validState = rawState !== undefined && rawState.length <= 128 ? rawState : undefined;
    const fail = (error: string, description: string) => redirectError(res, redirectUri, error, description, validState);
    const responseType = param(q, 'response_type');
    if (responseType === undefined) return fail('invalid_request', 'response_type is required');
    if (responseType !== 'code') return fail('unsupported_response_type', 'only response_type=code is supported');
    if (!validState) return fail('invalid_request', 'state is required (1-128 characters)');
    const scope = param(q, 'scope');
    if (!scope || scope.length > 256) return fail('invalid_request', 'scope is required (1-256 characters)');
    const scopes = [...new Set(scope.split(' ').filter(Boolean))];
    if (!scopes.every((s) => client.scopes.includes(s))) return fail('invalid_scope', 'a requested scope is not allowed for this client');
    const nonce = param(q, 'nonce');
    if (nonce !== undefined && nonce.length > 128) return fail('invalid_request', 'nonce must be 1-128 characters');
    const codeChallenge = param(q, 'code_challenge');
    const method = param(q, 'code_challenge_method');
    if (codeChallenge === undefined && method !== undefined) return fail('invalid_request', 'code_challenge_method without code_challenge');
    if (codeChallenge !== undefined && (method !== 'S256' || !PKCE_CHALLENGE.test(codeChallenge))) {
      return fail('invalid_request', 'code_challenge must be S256 and 43-128 characters');
    }
    if (client.pkceRequired && codeChallenge === undefined) return fail('invalid_request', 'this client must use PKCE (S256)');

    const authorizationId = state.auth.begin(
      { clientId: client.clientId, redirectUri, companyId: match.companyId, scopes, state: validState, codeChallenge },
      state.clock.now(),
    );
    sendConsentPage(res, { authorizationId, clientId: client.clientId, scopes, users: SEED_USERS, redirectOrigin: new URL(redirectUri).origin });
  };
}

/** POST is the login form: consent → ?code&state, refusal → ?error=access_denied&state. */
function submitLogin(state: SimulatorState) {
  return (req: Request, res: Response): void => {
    const decision = param(req.body, 'decision');
    const user = decision === 'approve' ? findUser(param(req.body, 'userId') ?? '') : undefined;
    if (decision !== 'deny' && !user) {
      return sendErrorPage(res, 400, 'エラー', 'テストユーザーを選択し、「同意する」または「拒否する」を押してください。');
    }
    const now = state.clock.now();
    const pending = state.auth.takePending(param(req.body, 'authorizationId') ?? '', now);
    if (!pending) {
      return sendErrorPage(res, 400, 'エラー', 'この認可リクエストは無効か、有効期限が切れています。最初からやり直してください。');
    }
    if (!user) {
      // Only a refusal gets this far without a user.
      return redirectError(res, pending.redirectUri, 'access_denied', 'the user denied the request', pending.state);
    }
    const code = state.auth.issueCode(pending, user.id, now);
    res.redirect(302, withParams(pending.redirectUri, { code, state: pending.state }));
  };
}

export function authorizationRoutes(router: Router, state: SimulatorState): void {
  router.get('/authorization', showLogin(state));
  router.post('/authorization', express.urlencoded({ extended: false }), submitLogin(state));
}
