import { BlockList, isIP } from 'node:net';
import { ValidationError } from '@aid/contracts';

export const MAX_WEBHOOK_URL_LENGTH = 2000;

/**
 * Loopback, private, link-local (cloud metadata), carrier-grade NAT and unspecified addresses.
 * BlockList checks an IPv4-mapped IPv6 address (::ffff:127.0.0.1) against the IPv4 rules.
 */
const PRIVATE_ADDRESSES = new BlockList();
for (const [network, prefix] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.168.0.0', 16],
] as const) {
  PRIVATE_ADDRESSES.addSubnet(network, prefix, 'ipv4');
}
for (const [network, prefix] of [
  ['::', 128],
  ['::1', 128],
  ['fc00::', 7],
  ['fe80::', 10],
] as const) {
  PRIVATE_ADDRESSES.addSubnet(network, prefix, 'ipv6');
}

/**
 * A webhook URL: absolute http(s), without credentials (they would sit in logs and lists), and,
 * unless private URLs are allowed, not aimed at the gateway's own network: no localhost, no
 * single-label host (docker compose service names such as `postgres`), no private or link-local
 * address literal. Host names are not resolved here, so a public name pointing at a private
 * address is not caught: the deployment's egress rules are the real fence.
 */
export function checkWebhookUrl(value: unknown, allowPrivate: boolean): string {
  const refuse = (message: string): never => {
    throw new ValidationError(`url ${message}`, [{ field: 'url', message }]);
  };
  if (typeof value !== 'string' || value.length === 0) return refuse('must be an absolute http(s) URL');
  if (value.length > MAX_WEBHOOK_URL_LENGTH)
    return refuse(`must be at most ${MAX_WEBHOOK_URL_LENGTH} characters`);
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return refuse('must be an absolute http(s) URL');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return refuse('must use http or https');
  if (url.username !== '' || url.password !== '') return refuse('must not carry credentials');
  if (!allowPrivate && isPrivateHost(url.hostname)) {
    return refuse('must not point at localhost or a private network address');
  }
  return url.toString();
}

function isPrivateHost(hostname: string): boolean {
  const host = hostname.replace(/^\[|\]$/g, '').toLowerCase();
  const family = isIP(host);
  if (family === 4) return PRIVATE_ADDRESSES.check(host, 'ipv4');
  if (family === 6) return PRIVATE_ADDRESSES.check(host, 'ipv6');
  return host === 'localhost' || host.endsWith('.localhost') || !host.includes('.');
}
