import type { Request } from 'express';

export function readCookie(req: Request, name: string): string | undefined {
  const header = req.get('cookie');
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) {
      try {
        return decodeURIComponent(part.slice(eq + 1).trim());
      } catch {
        // a malformed %-escape is no cookie of ours: the callback then fails its browser check
        return undefined;
      }
    }
  }
  return undefined;
}
