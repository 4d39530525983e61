import { loginSource } from '../../layers/platform/src/auth/loginSource';

describe('the source a login is throttled under', () => {
  it.each([
    ['203.0.113.9', '203.0.113.9'],
    ['::ffff:203.0.113.9', '203.0.113.9'],
    ['2001:db8:1:2:aaaa:bbbb:cccc:1', '2001:db8:1:2::/64'],
    ['2001:db8:1:2::dead:beef', '2001:db8:1:2::/64'],
    ['::1', '::/64'],
  ])('keys %s as %s', (address, key) => {
    expect(loginSource(address)).toBe(key);
  });

  it('keys every address of one IPv6 /64 alike, so changing the host part does not escape the throttle', () => {
    expect(loginSource('2001:db8:0:7::1')).toBe(loginSource('2001:db8:0:7:ffff:ffff:ffff:ffff'));
    expect(loginSource('2001:db8:0:7::1')).not.toBe(loginSource('2001:db8:0:8::1'));
  });

  it('keys a missing or malformed address as one source, "unknown"', () => {
    for (const address of [undefined, '', 'not an address', '1.2.3.4.5', '203.0.113.9, 10.0.0.1']) expect(loginSource(address)).toBe('unknown');
  });
});
