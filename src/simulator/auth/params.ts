/**
 * An OAuth parameter sent exactly once and not empty. A repeated parameter (RFC 6749 §3.1 forbids it) is treated
 * as absent, which always ends in invalid_request or in the page for a bad client / redirect URI.
 */
export function param(source: unknown, name: string): string | undefined {
  const value = (source as Record<string, unknown> | undefined)?.[name];
  return typeof value === 'string' && value !== '' ? value : undefined;
}
