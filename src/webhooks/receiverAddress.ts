import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { BlockList, isIP } from 'node:net';
import { DomainError } from '../domain/errors';

/** A receiver URL or address the deployment does not send to (SSRF protection). */
export class ReceiverNotAllowedError extends DomainError {
  constructor(reason: string) {
    super(reason);
  }
}

const LOOPBACK = new BlockList();
LOOPBACK.addSubnet('127.0.0.0', 8, 'ipv4');
LOOPBACK.addAddress('::1', 'ipv6');

/** Private, link-local, carrier-grade NAT, unique-local, unspecified and multicast ranges. */
const PRIVATE = new BlockList();
for (const [net, bits] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.168.0.0', 16],
  ['224.0.0.0', 4],
  ['240.0.0.0', 4],
] as const) {
  PRIVATE.addSubnet(net, bits, 'ipv4');
}
for (const [net, bits] of [
  ['::', 128],
  ['fc00::', 7],
  ['fe80::', 10],
  ['ff00::', 8],
] as const) {
  PRIVATE.addSubnet(net, bits, 'ipv6');
}

export interface ReceiverPolicy {
  /** in the simulator environment plain http is fine; elsewhere only https (loopback excepted) */
  requireHttps: boolean;
  allowPrivateNetworks: boolean;
}

function family(address: string): 'ipv4' | 'ipv6' {
  return isIP(address) === 6 ? 'ipv6' : 'ipv4';
}

/** Why this address may not be sent to, or undefined when it may. Loopback is allowed for local rehearsal. */
function addressRefusal(address: string, policy: ReceiverPolicy): string | undefined {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address)?.[1] ?? address;
  if (LOOPBACK.check(mapped, family(mapped))) return undefined;
  if (PRIVATE.check(mapped, family(mapped)) && !policy.allowPrivateNetworks) {
    return `${mapped} is in a private or reserved range (set WEBHOOK_ALLOW_PRIVATE_NETWORKS=true to allow it)`;
  }
  return undefined;
}

/** Checks a receiver URL when an endpoint is configured: scheme, and the host when it is a literal address. */
export function checkReceiverUrl(raw: string, policy: ReceiverPolicy): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new ReceiverNotAllowedError('is not an absolute URL');
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new ReceiverNotAllowedError('must be an https URL');
  if (url.username || url.password) throw new ReceiverNotAllowedError('must not carry credentials');
  const host = url.hostname.replace(/^\[|\]$/g, '');
  const loopback = isIP(host) !== 0 ? LOOPBACK.check(host, family(host)) : host === 'localhost';
  if (url.protocol === 'http:' && policy.requireHttps && !loopback) throw new ReceiverNotAllowedError('must use https outside the simulator (loopback excepted)');
  if (isIP(host) !== 0) {
    const refusal = addressRefusal(host, policy);
    if (refusal) throw new ReceiverNotAllowedError(refusal);
  }
  return url;
}

/**
 * A `lookup` for http.request that refuses a forbidden address at connect time, so a host name that
 * resolves (or re-resolves) to a private address is never reached.
 */
export function guardedLookup(policy: ReceiverPolicy) {
  return (hostname: string, options: object, callback: (err: Error | null, address: string | LookupAddress[], family?: number) => void): void => {
    dnsLookup(hostname, { ...options, all: true }, (err, addresses) => {
      if (err) return callback(err, '');
      const list = addresses as LookupAddress[];
      for (const a of list) {
        const refusal = addressRefusal(a.address, policy);
        if (refusal) return callback(new ReceiverNotAllowedError(`${hostname} resolves to ${refusal}`), '');
      }
      if ((options as { all?: boolean }).all) return callback(null, list);
      callback(null, list[0].address, list[0].family);
    });
  };
}
