import { COMPANY_PLACEHOLDER } from '../options';

const COMPANY_ID = /^[A-Za-z0-9_-]{1,64}$/;

/**
 * Exact match against a registration, or a template match where {companyId} stands for one path-safe id.
 * Returns undefined on a mismatch.
 */
export function matchRedirectUri(registered: readonly string[], uri: string): { companyId?: string } | undefined {
  for (const candidate of registered) {
    const [before, after] = candidate.split(COMPANY_PLACEHOLDER);
    if (after === undefined) {
      if (candidate === uri) return {};
      continue;
    }
    if (uri.length < before.length + after.length || !uri.startsWith(before) || !uri.endsWith(after)) continue;
    const companyId = uri.slice(before.length, uri.length - after.length);
    if (COMPANY_ID.test(companyId)) return { companyId };
  }
  return undefined;
}

/** The redirect URI with parameters added, keeping any query it already has. */
export function withParams(uri: string, params: Record<string, string | undefined>): string {
  const url = new URL(uri);
  for (const [key, value] of Object.entries(params)) if (value !== undefined) url.searchParams.set(key, value);
  return url.toString();
}
