import { describe, expect, it } from 'vitest';
import { ipInNetwork, parseIpNetwork } from './ip-address.ts';

const inNet = (ip: string, net: string) => ipInNetwork(parseIpNetwork(ip)!, parseIpNetwork(net)!);

describe('IP networks', () => {
  it('handles IPv4 prefixes from /0 to /32', () => {
    expect(inNet('203.0.113.9', '0.0.0.0/0')).toBe(true);
    expect(inNet('203.0.113.9', '203.0.113.0/24')).toBe(true);
    expect(inNet('203.0.114.9', '203.0.113.0/24')).toBe(false);
    expect(inNet('203.0.113.9', '203.0.113.9')).toBe(true);
    expect(inNet('203.0.113.9', '203.0.113.8/31')).toBe(true);
    expect(inNet('203.0.113.10', '203.0.113.8/31')).toBe(false);
  });

  it('handles IPv6 compression, embedded IPv4 and prefixes', () => {
    expect(inNet('2001:db8:0:0:0:0:0:1', '2001:DB8::/32')).toBe(true);
    expect(inNet('2001:db9::1', '2001:db8::/32')).toBe(false);
    expect(inNet('::ffff:192.0.2.1', '::ffff:192.0.2.0/120')).toBe(true);
    expect(inNet('::1', '::/0')).toBe(true);
  });

  it('never matches across versions', () => {
    expect(inNet('2001:db8::1', '0.0.0.0/0')).toBe(false);
    expect(inNet('192.0.2.1', '::/0')).toBe(false);
  });

  it('rejects malformed addresses and prefixes', () => {
    for (const bad of ['256.1.1.1', '1.2.3', '1.2.3.4/33', '2001:db8::/129', '1::2::3', 'x', '10.0.0.0/'])
      expect(parseIpNetwork(bad)).toBeUndefined();
  });
});
