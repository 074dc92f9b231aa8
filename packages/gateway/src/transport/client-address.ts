/**
 * The client's address of a request, as limits, logs and the loopback-only admin rule need it.
 *
 * Without trusted proxies it is the socket's peer. Behind reverse proxies (nginx, a load balancer)
 * the peer is the proxy; the client is then read from the forwarding headers, and only as far as
 * the hops are trusted: the chain is walked from the socket towards the client and the first
 * address that is not a trusted proxy is the client (the rule of @fastify/proxy-addr, which Fastify's
 * `trustProxy` uses). `Forwarded` (RFC 7239, `for=` of each element) is read when present,
 * `X-Forwarded-For` otherwise. A header from an untrusted peer is ignored, so nobody can choose
 * their own address by sending one.
 */
import type { IncomingMessage } from 'node:http';
import proxyaddr from '@fastify/proxy-addr';
import parseForwarded from 'forwarded-parse';

/** Resolves the client's address of a request (IPv4-mapped IPv6 addresses as plain IPv4). */
export type AddressResolver = (req: IncomingMessage) => string;

/**
 * A resolver trusting `trusted` proxies: addresses, CIDR ranges (`10.0.0.0/8`, `fd00::/8`) or the
 * names `loopback`, `linklocal`, `uniquelocal`. Empty: the socket's peer, headers ignored.
 * @throws TypeError when an entry is not an address, range or name (message names it)
 */
export function clientAddressResolver(trusted: readonly string[]): AddressResolver {
  if (trusted.length === 0) return (req) => plain(req.socket.remoteAddress ?? 'unknown');
  const trust = proxyaddr.compile([...trusted]);
  return (req) => {
    const header = req.headers.forwarded;
    const hops = header ? forwardedFor(header) : null;
    if (!hops) return plain(proxyaddr(req, trust));
    // [peer, nearest proxy's view, ..., client]: the first untrusted one is the client.
    const chain = [req.socket.remoteAddress ?? 'unknown', ...hops.reverse()];
    for (let i = 0; i < chain.length - 1; i++) if (!trust(chain[i]!, i)) return plain(chain[i]!);
    return plain(chain[chain.length - 1]!);
  };
}

/** The `for=` addresses of a `Forwarded` header, client first; null when it has none or is malformed. */
function forwardedFor(header: string): string[] | null {
  let elements: Record<string, string>[];
  try {
    elements = parseForwarded(header);
  } catch {
    return null;
  }
  const out: string[] = [];
  for (const e of elements) if (e.for !== undefined) out.push(nodeOf(e.for));
  return out.length > 0 ? out : null;
}

/** `for=` node without port or brackets: `"[2001:db8::1]:4711"` -> `2001:db8::1`, `192.0.2.1:80` -> `192.0.2.1`. */
function nodeOf(value: string): string {
  const v = value.trim();
  if (v.startsWith('[')) return v.slice(1, v.indexOf(']') > 0 ? v.indexOf(']') : undefined);
  const colon = v.indexOf(':');
  return colon > 0 && v.indexOf(':', colon + 1) < 0 ? v.slice(0, colon) : v;
}

function plain(address: string): string {
  return address.startsWith('::ffff:') && address.includes('.') ? address.slice(7) : address;
}
