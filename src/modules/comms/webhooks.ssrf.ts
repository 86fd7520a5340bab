import dns from 'node:dns';
import net from 'node:net';
import { invalid } from '../../core/errors.js';

// Addresses a webhook may not reach in production unless the endpoint allows private networks:
// loopback, link-local, private, carrier-grade NAT, benchmarking, multicast and reserved
// ranges, IPv6 unique-local, link-local, and IPv4-mapped or NAT64 forms (which reach IPv4).
const BLOCKED = new net.BlockList();
for (const [net4, bits] of [
  ['0.0.0.0', 8], ['10.0.0.0', 8], ['100.64.0.0', 10], ['127.0.0.0', 8], ['169.254.0.0', 16], ['172.16.0.0', 12],
  ['192.0.0.0', 24], ['192.168.0.0', 16], ['198.18.0.0', 15], ['224.0.0.0', 4], ['240.0.0.0', 4],
] as const) BLOCKED.addSubnet(net4, bits, 'ipv4');
for (const [net6, bits] of [['::', 128], ['::1', 128], ['fc00::', 7], ['fe80::', 10], ['ff00::', 8], ['64:ff9b::', 96]] as const) BLOCKED.addSubnet(net6, bits, 'ipv6');

/** True for an address a webhook may not reach without the private-network flag. */
export function isPrivateAddress(address: string): boolean {
  const family = net.isIP(address);
  if (family === 0) return true; // not an address at all: refuse
  return BLOCKED.check(address, family === 4 ? 'ipv4' : 'ipv6');
}

/** The URL's host without IPv6 brackets. */
export const hostOf = (url: URL) => url.hostname.replace(/^\[(.*)\]$/, '$1');

/** Problems with a webhook URL that need no network: scheme, credentials, host. */
export function urlProblem(raw: string): string | null {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return 'must be an absolute http(s) URL';
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return 'must be an http or https URL';
  if (url.username || url.password) return 'must not carry a user name or password';
  if (!url.hostname) return 'must name a host';
  return null;
}

/** Resolves the host (an address literal is itself) and answers the first private address, or null. */
export async function privateAddressOf(raw: string): Promise<string | null> {
  const host = hostOf(new URL(raw));
  if (net.isIP(host)) return isPrivateAddress(host) ? host : null;
  const found = await dns.promises.lookup(host, { all: true, verbatim: true });
  return found.find((a) => isPrivateAddress(a.address))?.address ?? null;
}

/**
 * Checks a URL an admin saves for Tandem to POST to (a webhook endpoint, a fulfilment vendor):
 * http(s), no credentials, and in production no private address unless allowed. 400 on `url`.
 */
export async function checkOutboundUrl(url: string, opts: { production: boolean; allowPrivate: boolean }) {
  const problem = urlProblem(url);
  if (problem) throw invalid('url', problem);
  if (!opts.production || opts.allowPrivate) return;
  let address: string | null;
  try {
    address = await privateAddressOf(url);
  } catch {
    throw invalid('url', 'the host does not resolve');
  }
  if (address) throw invalid('url', `resolves to a loopback, link-local or private address (${address}); set allowPrivateNetwork to allow it`);
}

export class PrivateAddressError extends Error {
  readonly code = 'EPRIVATEADDRESS';
  constructor(readonly address: string) {
    super(`refused: the host resolves to a private address (${address})`);
  }
}

/**
 * A `lookup` for net.connect that refuses private addresses: the check happens on the address
 * actually connected to, so a DNS answer that changes after the endpoint was saved (DNS
 * rebinding) is caught at delivery time.
 */
export const guardedLookup: net.LookupFunction = (hostname, options, callback) => {
  dns.lookup(hostname, { ...options, verbatim: true }, (err: NodeJS.ErrnoException | null, address: string | dns.LookupAddress[], family?: number) => {
    if (err) return callback(err, address, family);
    const list = Array.isArray(address) ? address.map((a) => a.address) : [address];
    const bad = list.find(isPrivateAddress);
    if (bad) return callback(new PrivateAddressError(bad), address, family);
    callback(null, address, family);
  });
};
