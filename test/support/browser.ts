/**
 * A store owner's browser, reduced to what the connect flow needs: a cookie jar that honours Path,
 * manual redirect following (bounded), and submitting the bank's consent form by its button label.
 */
export interface Page {
  status: number;
  url: string;
  body: string;
  headers: Headers;
  /** every URL visited, in order */
  trail: string[];
}

interface StoredCookie {
  name: string;
  value: string;
  origin: string;
  path: string;
}

const MAX_REDIRECTS = 10;

export class Browser {
  private cookies: StoredCookie[] = [];

  cookieNames(): string[] {
    return this.cookies.map((c) => c.name);
  }

  clearCookies(): void {
    this.cookies = [];
  }

  private cookieHeader(url: URL): string | undefined {
    const matching = this.cookies.filter((c) => c.origin === url.origin && url.pathname.startsWith(c.path));
    return matching.length ? matching.map((c) => `${c.name}=${c.value}`).join('; ') : undefined;
  }

  private remember(url: URL, headers: Headers): void {
    for (const line of headers.getSetCookie()) {
      const [pair, ...attrs] = line.split(';').map((s) => s.trim());
      const eq = pair.indexOf('=');
      const name = pair.slice(0, eq);
      const value = pair.slice(eq + 1);
      const path = attrs.find((a) => /^path=/i.test(a))?.slice(5) || '/';
      const expired = attrs.some((a) => /^expires=/i.test(a) && Date.parse(a.slice(8)) < Date.now()) || attrs.some((a) => /^max-age=0$/i.test(a));
      this.cookies = this.cookies.filter((c) => !(c.name === name && c.origin === url.origin && c.path === path));
      if (!expired && value) this.cookies.push({ name, value, origin: url.origin, path });
    }
  }

  /** `stopBefore`: a redirect to a URL containing it is not followed; the page's url is that target. */
  async request(method: 'GET' | 'POST', start: string, form?: URLSearchParams, stopBefore?: string): Promise<Page> {
    let url = new URL(start);
    let body: URLSearchParams | undefined = form;
    const trail: string[] = [];
    for (let hop = 0; hop <= MAX_REDIRECTS; hop++) {
      trail.push(url.toString());
      const res = await fetch(url, {
        method: body ? 'POST' : method === 'POST' && hop === 0 ? 'POST' : 'GET',
        redirect: 'manual',
        headers: {
          ...(this.cookieHeader(url) ? { cookie: this.cookieHeader(url)! } : {}),
          ...(body ? { 'content-type': 'application/x-www-form-urlencoded' } : {}),
        },
        body: body?.toString(),
      });
      this.remember(url, res.headers);
      const location = res.headers.get('location');
      if (res.status >= 300 && res.status < 400 && location) {
        url = new URL(location, url);
        if (stopBefore && url.toString().includes(stopBefore)) {
          return { status: res.status, url: url.toString(), body: '', headers: res.headers, trail };
        }
        body = undefined;
        continue;
      }
      return { status: res.status, url: url.toString(), body: await res.text(), headers: res.headers, trail };
    }
    throw new Error('too many redirects');
  }

  get(url: string): Promise<Page> {
    return this.request('GET', url);
  }

  /** Submits the page's form as a person would: defaults as rendered, clicking the button with this label. */
  /** `choose`: fields the person changes before clicking (e.g. another radio button). */
  submit(page: Page, buttonLabel: string, stopBefore?: string, choose: Record<string, string> = {}): Promise<Page> {
    const form = /<form\b([^>]*)>([\s\S]*?)<\/form>/i.exec(page.body);
    if (!form) throw new Error(`no form on ${page.url}`);
    const action = /action="([^"]*)"/i.exec(form[1])?.[1] ?? page.url;
    const fields = new URLSearchParams();
    const attr = (tag: string, name: string) => new RegExp(`\\b${name}="([^"]*)"`, 'i').exec(tag)?.[1];
    for (const input of form[2].match(/<input\b[^>]*>/gi) ?? []) {
      const type = (attr(input, 'type') ?? 'text').toLowerCase();
      const name = attr(input, 'name');
      if (!name || type === 'submit') continue;
      if ((type === 'radio' || type === 'checkbox') && !/\bchecked\b/i.test(input)) continue;
      fields.append(name, decodeEntities(attr(input, 'value') ?? ''));
    }
    for (const select of form[2].match(/<select\b[\s\S]*?<\/select>/gi) ?? []) {
      const name = attr(select, 'name');
      const options = select.match(/<option\b[^>]*>/gi) ?? [];
      const chosen = options.find((o) => /\bselected\b/i.test(o)) ?? options[0];
      if (name && chosen) fields.append(name, decodeEntities(attr(chosen, 'value') ?? ''));
    }
    for (const [name, value] of Object.entries(choose)) fields.set(name, value);
    const buttons = [...form[2].matchAll(/<button\b([^>]*)>([\s\S]*?)<\/button>/gi)];
    const button = buttons.find((b) => b[2].includes(buttonLabel));
    if (!button) throw new Error(`no button "${buttonLabel}" on ${page.url}`);
    const bName = attr(button[1], 'name');
    if (bName) fields.append(bName, decodeEntities(attr(button[1], 'value') ?? ''));
    const target = new URL(decodeEntities(action), page.url).toString();
    return this.request('POST', target, fields, stopBefore);
  }
}

function decodeEntities(s: string): string {
  return s.replace(/&amp;/g, '&').replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&lt;/g, '<').replace(/&gt;/g, '>');
}
