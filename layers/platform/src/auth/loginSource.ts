import ipaddr from 'ipaddr.js';

/**
 * The key a login's source address is throttled under: an IPv4 address as
 * it is (an IPv4-mapped IPv6 address as its IPv4 form), an IPv6 address as
 * its /64 network, since one host commonly holds a whole /64 and could
 * otherwise change address at every try. Anything else (no address known)
 * is one key, `unknown`, throttled like an address.
 *
 * @example
 * loginSource('203.0.113.9');                 // '203.0.113.9'
 * loginSource('::ffff:203.0.113.9');          // '203.0.113.9'
 * loginSource('2001:db8:1:2:aaaa::1');        // '2001:db8:1:2::/64'
 */
export function loginSource(address: string | undefined): string {
  if (!address || !ipaddr.isValid(address)) return 'unknown';
  const parsed = ipaddr.process(address);
  if (parsed.kind() === 'ipv4') return parsed.toString();
  const network = (parsed as ipaddr.IPv6).toByteArray().slice(0, 8).concat(new Array<number>(8).fill(0));
  return `${ipaddr.fromByteArray(network).toString()}/64`;
}
