import { createHash, timingSafeEqual } from 'node:crypto';
import { oauthError } from '../errors';
import type { SimulatorClient } from '../options';
import { param } from './params';

interface BasicCredentials {
  id: string;
  secret: string;
}

function sameSecret(given: string, expected: string): boolean {
  const digest = (s: string) => createHash('sha256').update(s).digest();
  return timingSafeEqual(digest(given), digest(expected));
}

/** RFC 6749 §2.3.1: id and secret are form-encoded before base64. */
function formDecode(s: string): string {
  try {
    return decodeURIComponent(s.replace(/\+/g, ' '));
  } catch {
    throw oauthError('invalid_client', 'malformed Basic credentials');
  }
}

function parseBasic(header: string | undefined): BasicCredentials | undefined {
  if (header === undefined) return undefined;
  const match = /^Basic\s+([A-Za-z0-9+/=]+)$/i.exec(header.trim());
  if (!match) throw oauthError('invalid_client', 'unsupported Authorization header; use Basic or the request body');
  const decoded = Buffer.from(match[1], 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) throw oauthError('invalid_client', 'malformed Basic credentials');
  return { id: formDecode(decoded.slice(0, colon)), secret: formDecode(decoded.slice(colon + 1)) };
}

/** The client id a token request names, before it is authenticated: what the per-client rate limit counts by. */
export function claimedClientId(authorization: string | undefined, body: unknown): string | undefined {
  try {
    return parseBasic(authorization)?.id ?? param(body, 'client_id');
  } catch {
    return undefined;
  }
}

/**
 * The method registered for the client decides which credentials are required (GMO: ベーシック認証 =
 * client_secret_basic, パラメーター認証 = client_secret_post). GMO's own Node SDK sends the Basic header AND
 * client_secret in the body when it refreshes; by default the simulator accepts such redundant credentials
 * when they agree, as GMO's server does. `strict` (SimulatorOptions.strictClientAuth, or /_sim/config)
 * refuses anything but the registered method alone, to catch such a client before production would.
 */
export function authenticateClient(clients: readonly SimulatorClient[], authorization: string | undefined, body: unknown, strict = false): SimulatorClient {
  const basic = parseBasic(authorization);
  const bodyId = param(body, 'client_id');
  const bodySecret = param(body, 'client_secret');
  const client = clients.find((c) => c.clientId === (basic?.id ?? bodyId));
  if (!client) throw oauthError('invalid_client', 'unknown client');
  if (bodyId !== undefined && basic && bodyId !== basic.id) throw oauthError('invalid_client', 'client_id in the body differs from the Basic credentials');

  if (client.authMethod === 'basic') {
    if (!basic) throw oauthError('invalid_client', 'this client must authenticate with HTTP Basic (client_secret_basic)');
    if (bodySecret !== undefined && strict) throw oauthError('invalid_client', 'client_secret must not be sent in the body by a client_secret_basic client');
    if (!sameSecret(basic.secret, client.clientSecret)) throw oauthError('invalid_client', 'client authentication failed');
    if (bodySecret !== undefined && !sameSecret(bodySecret, client.clientSecret)) throw oauthError('invalid_client', 'client authentication failed');
  } else {
    if (basic && strict) throw oauthError('invalid_client', 'this client must send client_id and client_secret in the body (client_secret_post)');
    if (bodySecret === undefined || !sameSecret(bodySecret, client.clientSecret)) {
      throw oauthError('invalid_client', 'client authentication failed');
    }
    if (basic && !sameSecret(basic.secret, client.clientSecret)) throw oauthError('invalid_client', 'client authentication failed');
  }
  return client;
}
