import { randomBytes } from 'node:crypto';
import type { Response } from 'express';
import type { SimUser } from './seed';

const SCOPE_DESCRIPTIONS: Record<string, string> = {
  openid: 'ご本人であることの確認',
  offline_access: 'ログアウト後も継続して接続する（リフレッシュトークン）',
  'private:account': '口座情報・残高・入出金明細の照会',
  'private:transfer': '振込・振込状況の照会・振込の取消',
  'private:bulk-transfer': '総合振込',
  'private:virtual-account': '振込入金口座',
};

const ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ENTITIES[c]);
}

const STYLE = `
  body { font-family: sans-serif; max-width: 40rem; margin: 2rem auto; padding: 0 1rem; color: #1b2f48; }
  header { border-bottom: 4px solid #1b2f48; margin-bottom: 1.5rem; }
  fieldset { margin: 1rem 0; }
  .actions { display: flex; gap: 1rem; margin-top: 1.5rem; }
  button { padding: .6rem 1.6rem; font-size: 1rem; }
  .note { color: #616161; font-size: .85rem; }`;

/**
 * Every page carries its own CSP: no script at all, the one style block allowed by a nonce, and form-action
 * widened to the client's origin because the consent POST answers with a redirect there (browsers apply
 * form-action to that redirect too).
 */
function sendPage(res: Response, status: number, title: string, body: string, formActionOrigin?: string): void {
  const nonce = randomBytes(16).toString('base64');
  const formAction = ["'self'", formActionOrigin].filter(Boolean).join(' ');
  res
    .status(status)
    .set(
      'Content-Security-Policy',
      `default-src 'none'; style-src 'nonce-${nonce}'; form-action ${formAction}; frame-ancestors 'none'; base-uri 'none'`,
    )
    .type('html')
    .send(`<!doctype html>
<html lang="ja">
<head>
<meta charset="utf-8">
<title>${escapeHtml(title)} | GMOあおぞらネット銀行 シミュレーター</title>
<style nonce="${nonce}">${STYLE}</style>
</head>
<body>
<header><h1>GMOあおぞらネット銀行 シミュレーター</h1></header>
${body}
</body>
</html>`);
}

export interface ConsentPage {
  authorizationId: string;
  clientId: string;
  scopes: string[];
  users: readonly SimUser[];
  redirectOrigin: string;
}

export function sendConsentPage(res: Response, page: ConsentPage): void {
  const users = page.users
    .map(
      (u, i) =>
        `<label><input type="radio" name="userId" value="${escapeHtml(u.id)}"${i === 0 ? ' checked' : ''}> ${escapeHtml(u.label)}</label><br>`,
    )
    .join('\n');
  const scopes = page.scopes
    .map((s) => `<li><code>${escapeHtml(s)}</code> ${escapeHtml(SCOPE_DESCRIPTIONS[s] ?? '')}</li>`)
    .join('\n');
  sendPage(
    res,
    200,
    'ログイン・同意',
    `<h2>ログインとアクセスの同意</h2>
<p>アプリケーション <strong>${escapeHtml(page.clientId)}</strong> が、次の操作の許可を求めています。</p>
<ul>
${scopes}
</ul>
<form method="post" action="authorization">
<input type="hidden" name="authorizationId" value="${escapeHtml(page.authorizationId)}">
<fieldset>
<legend>ログインするテストユーザー</legend>
${users}
</fieldset>
<div class="actions">
<button type="submit" name="decision" value="approve">同意する</button>
<button type="submit" name="decision" value="deny">拒否する</button>
</div>
</form>
<p class="note">これはテスト用のシミュレーターです。実際の銀行には接続しません。</p>`,
    page.redirectOrigin,
  );
}

export function sendErrorPage(res: Response, status: number, title: string, message: string): void {
  sendPage(res, status, title, `<h2>${escapeHtml(title)}</h2>\n<p>${escapeHtml(message)}</p>`);
}
