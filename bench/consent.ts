/**
 * Just enough of a store owner's browser to connect a company: follow redirects with a cookie jar
 * (the service binds the callback to a cookie it set on the connect link) and press 同意する on the
 * simulator's consent page, with its defaults (the first test user, the corporate one, is preselected).
 */

const MAX_HOPS = 10;

interface Page {
  url: string;
  status: number;
  body: string;
}

class CookieJar {
  private readonly byOrigin = new Map<string, Map<string, string>>();

  header(url: URL): string | undefined {
    const cookies = this.byOrigin.get(url.origin);
    return cookies?.size ? [...cookies].map(([name, value]) => `${name}=${value}`).join('; ') : undefined;
  }

  // Paths are ignored: one flow on one service, so sending a cookie to a sibling path changes nothing.
  remember(url: URL, headers: Headers): void {
    const cookies = this.byOrigin.get(url.origin) ?? new Map<string, string>();
    for (const line of headers.getSetCookie()) {
      const [pair, ...attributes] = line.split(';').map((s) => s.trim());
      const eq = pair.indexOf('=');
      const expired = attributes.some((a) => /^expires=/i.test(a) && Date.parse(a.slice(8)) < Date.now());
      if (expired || eq === pair.length - 1) cookies.delete(pair.slice(0, eq));
      else cookies.set(pair.slice(0, eq), pair.slice(eq + 1));
    }
    this.byOrigin.set(url.origin, cookies);
  }
}

/** Follows redirects, except one to a URL beginning with `stopAt`: that page is returned unvisited (status 302). */
async function navigate(jar: CookieJar, start: string, form?: URLSearchParams, stopAt?: string): Promise<Page> {
  let url = new URL(start);
  let body = form;
  for (let hop = 0; hop < MAX_HOPS; hop++) {
    const cookie = jar.header(url);
    const res = await fetch(url, {
      method: body ? 'POST' : 'GET',
      redirect: 'manual',
      headers: { ...(cookie ? { cookie } : {}), ...(body ? { 'content-type': 'application/x-www-form-urlencoded' } : {}) },
      body: body?.toString(),
    });
    jar.remember(url, res.headers);
    const location = res.headers.get('location');
    if (res.status >= 300 && res.status < 400 && location) {
      await res.body?.cancel();
      url = new URL(location, url);
      if (stopAt && url.toString().startsWith(stopAt)) return { url: url.toString(), status: res.status, body: '' };
      body = undefined;
      continue;
    }
    return { url: url.toString(), status: res.status, body: await res.text() };
  }
  throw new Error(`more than ${MAX_HOPS} redirects from ${start}`);
}

const attribute = (tag: string, name: string): string | undefined => new RegExp(`\\b${name}="([^"]*)"`, 'i').exec(tag)?.[1];
const unescapeHtml = (s: string): string => s.replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');

/** The form as a person would send it: hidden fields, the checked radio buttons, and the pressed button. */
function submission(page: Page, buttonLabel: string): { action: string; fields: URLSearchParams } {
  const form = /<form\b([^>]*)>([\s\S]*?)<\/form>/i.exec(page.body);
  if (!form) throw new Error(`no form on ${page.url} (HTTP ${page.status})`);
  const fields = new URLSearchParams();
  for (const input of form[2].match(/<input\b[^>]*>/gi) ?? []) {
    const type = (attribute(input, 'type') ?? 'text').toLowerCase();
    const name = attribute(input, 'name');
    if (name && (type === 'hidden' || (type === 'radio' && /\bchecked\b/i.test(input)))) {
      fields.append(name, unescapeHtml(attribute(input, 'value') ?? ''));
    }
  }
  const button = [...form[2].matchAll(/<button\b([^>]*)>([\s\S]*?)<\/button>/gi)].find((b) => b[2].includes(buttonLabel));
  if (!button) throw new Error(`no button ${buttonLabel} on ${page.url}`);
  const name = attribute(button[1], 'name');
  if (name) fields.append(name, unescapeHtml(attribute(button[1], 'value') ?? ''));
  return { action: new URL(unescapeHtml(attribute(form[1], 'action') ?? ''), page.url).toString(), fields };
}

/** Opens a connect link, consents at the bank and returns the page the service shows at the end. */
export async function consent(connectUrl: string): Promise<Page> {
  const jar = new CookieJar();
  const consentPage = await navigate(jar, connectUrl);
  const { action, fields } = submission(consentPage, '同意する');
  return navigate(jar, action, fields);
}

/**
 * The authorization code the bank sends to `redirectUri` once the default test user consents, without
 * visiting that URI: how the bench gets a token of its own for the bare app and the bank called directly.
 */
export async function authorizationCode(authorizeUrl: string, redirectUri: string): Promise<string> {
  const jar = new CookieJar();
  const consentPage = await navigate(jar, authorizeUrl);
  const { action, fields } = submission(consentPage, '同意する');
  const end = await navigate(jar, action, fields, redirectUri);
  const code = new URL(end.url).searchParams.get('code');
  if (!end.url.startsWith(redirectUri) || !code) throw new Error(`consent at the bank ended on ${end.url} (HTTP ${end.status}) without a code`);
  return code;
}
