import type { ConnectFailure } from './consentFlow';

/** Served as a file because helmet's CSP forbids inline styles. */
export const PAGE_CSS = `body{font-family:"Hiragino Sans","Noto Sans JP",sans-serif;background:#f5f7fa;color:#1f2933;margin:0}
main{max-width:36rem;margin:4rem auto;background:#fff;border-radius:8px;padding:2rem 2.5rem;box-shadow:0 1px 4px rgba(0,0,0,.08)}
h1{font-size:1.4rem;margin-top:0}.ok h1{color:#0b7a3e}.ng h1{color:#b42318}p{line-height:1.7}small{color:#616e7c}a{color:#1d4ed8}`;

const escapeHtml = (s: string) =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

function layout(kind: 'ok' | 'ng', title: string, paragraphs: string[], returnUrl: string | null, code?: string): string {
  return `<!doctype html>
<html lang="ja"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<meta name="robots" content="noindex"><title>${escapeHtml(title)} | GMOあおぞらネット銀行 連携</title>
<link rel="stylesheet" href="/assets/connect.css"></head>
<body><main class="${kind}"><h1>${escapeHtml(title)}</h1>
${paragraphs.map((p) => `<p>${escapeHtml(p)}</p>`).join('\n')}
${returnUrl ? `<p><a href="${escapeHtml(returnUrl)}">ReCORE に戻る</a></p>` : '<p>このウィンドウは閉じて構いません。</p>'}
${code ? `<p><small>エラーコード: ${escapeHtml(code)}</small></p>` : ''}
</main></body></html>`;
}

export function connectedPage(accounts: number, returnUrl: string | null): string {
  return layout(
    'ok',
    '銀行口座の連携が完了しました',
    [`GMOあおぞらネット銀行の法人口座（${accounts}口座）と ReCORE の連携が完了しました。`, 'ReCORE から買取代金の振込ができるようになりました。'],
    returnUrl,
  );
}

const FAILURES: Record<ConnectFailure, { status: number; title: string; text: string }> = {
  session_not_found: { status: 404, title: '連携用リンクが見つかりません', text: 'リンクが正しくないか、すでに削除されています。ReCORE の管理画面から連携をやり直してください。' },
  session_expired: { status: 410, title: '連携用リンクの有効期限が切れています', text: 'ReCORE の管理画面から新しいリンクを発行して、もう一度お試しください。' },
  session_used: { status: 409, title: 'この連携用リンクは使用済みです', text: '同じリンクは一度しか使えません。ReCORE の管理画面から連携状況をご確認ください。' },
  missing_state: { status: 400, title: '銀行からの戻り情報が不足しています', text: '銀行の画面から正しく戻っていない可能性があります。最初から連携をやり直してください。' },
  unknown_state: { status: 400, title: '連携の要求を確認できませんでした', text: 'この画面は ReCORE から開始した連携と一致しません。最初から連携をやり直してください。' },
  state_reused: { status: 409, title: 'この連携はすでに処理されています', text: '同じ画面を再読み込みした可能性があります。ReCORE の管理画面から連携状況をご確認ください。' },
  state_expired: { status: 400, title: '連携の有効時間（10分）を過ぎました', text: '銀行でのログインと同意は10分以内に行ってください。最初から連携をやり直してください。' },
  company_mismatch: { status: 400, title: '連携先の会社が一致しません', text: '別の会社の連携画面から戻ってきた可能性があります。最初から連携をやり直してください。' },
  browser_mismatch: { status: 400, title: '連携を開始したブラウザと異なります', text: '連携は、リンクを開いたのと同じブラウザで最後まで行ってください。最初から連携をやり直してください。' },
  access_denied: { status: 400, title: '銀行での同意がキャンセルされました', text: '口座は連携されていません。連携する場合は、もう一度お試しのうえ銀行の画面で「同意する」を選んでください。' },
  bank_error: { status: 400, title: '銀行で認可エラーが発生しました', text: '口座は連携されていません。時間をおいて最初からやり直してください。' },
  missing_code: { status: 400, title: '銀行からの認可コードがありません', text: '口座は連携されていません。最初から連携をやり直してください。' },
  token_exchange_failed: { status: 502, title: '銀行での認可を完了できませんでした', text: '口座は連携されていません。時間をおいて最初から連携をやり直してください。' },
  bank_unavailable: { status: 503, title: '銀行のシステムに接続できませんでした', text: '口座は連携されていません。メンテナンス中の可能性があります。時間をおいて最初からやり直してください。' },
  bad_request: { status: 400, title: 'リンクが正しくありません', text: 'アドレスが途中で切れているか、変更された可能性があります。ReCORE の管理画面から連携をやり直してください。' },
  temporarily_unavailable: { status: 503, title: 'ただいま連携サービスを利用できません', text: '口座は連携されていません。しばらく時間をおいてから、最初からやり直してください。' },
  internal_error: { status: 500, title: '連携中に予期しないエラーが発生しました', text: '口座は連携されていない可能性があります。ReCORE の管理画面で連携状況をご確認のうえ、やり直してください。' },
};

export function failurePage(failure: ConnectFailure, returnUrl: string | null): { status: number; html: string } {
  const f = FAILURES[failure];
  return { status: f.status, html: layout('ng', f.title, [f.text], returnUrl, failure) };
}
