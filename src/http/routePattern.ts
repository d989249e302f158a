import type { Express, Request } from 'express';
import { match } from 'path-to-regexp';

interface Layer {
  rawPath?: unknown;
  route?: { path: string; methods: Record<string, boolean> };
  handle?: { stack?: Layer[] };
}

/** One route of the app: its full pattern, its methods and a matcher for a raw (undecoded) path. */
export interface AppRoute {
  pattern: string;
  methods: Set<string>;
  matches: (path: string) => boolean;
}
type Pattern = AppRoute;

function collect(stack: Layer[], prefix: string, out: Pattern[]): void {
  for (const layer of stack) {
    if (layer.route) {
      const pattern = `${prefix}${layer.route.path}`;
      // decode: false, so a malformed %-escape in a request path cannot throw here
      const test = match(pattern, { decode: false });
      const methods = new Set(Object.keys(layer.route.methods).map((m) => m.toUpperCase()));
      out.push({ pattern, methods, matches: (path) => test(path) !== false });
    } else if (layer.handle?.stack) {
      const mount = typeof layer.rawPath === 'string' && layer.rawPath !== '/' ? layer.rawPath : '';
      collect(layer.handle.stack, `${prefix}${mount}`, out);
    }
  }
}

/**
 * The route pattern a request is for (`/v1/companies/:companyId/transfers/:id`), whether or not it got
 * past authentication: metrics label by it and logs show it, so neither ever carries a company id,
 * an account number or a code from the URL. Built once, on first use, from the app's own routes.
 */
export function routePatterns(app: Express): (req: Request) => string {
  let patterns: Pattern[] | undefined;
  // the log line and the metrics both ask, once each per request: matched once
  const known = new WeakMap<Request, string>();
  return (req) => {
    let pattern = known.get(req);
    if (pattern === undefined) known.set(req, (pattern = resolve((patterns ??= appRoutes(app)), req)));
    return pattern;
  };
}

/** The first route for the path and the method; else the first for the path (a 405's label); else `unmatched`. */
function resolve(patterns: Pattern[], req: Request): string {
  const path = req.originalUrl.split('?')[0];
  let firstForPath: string | undefined;
  for (const p of patterns) {
    if (!p.matches(path)) continue;
    if (p.methods.has(req.method)) return p.pattern;
    firstForPath ??= p.pattern;
  }
  return firstForPath ?? 'unmatched';
}

/** Every route the app has, in the order Express tries them (the route-scope table and its test read them). */
export function appRoutes(app: Express): AppRoute[] {
  const out: Pattern[] = [];
  collect((app as unknown as { router: { stack: Layer[] } }).router.stack, '', out);
  return out;
}
