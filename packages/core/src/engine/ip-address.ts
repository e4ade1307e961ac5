/** An IPv4 or IPv6 network: address bits and prefix length. */
export interface IpNetwork {
  version: 4 | 6;
  bits: bigint;
  prefix: number;
}

function parseV4(text: string): bigint | undefined {
  const parts = text.split('.');
  if (parts.length !== 4) return undefined;
  let out = 0n;
  for (const p of parts) {
    if (!/^\d{1,3}$/.test(p)) return undefined;
    const n = Number(p);
    if (n > 255) return undefined;
    out = (out << 8n) | BigInt(n);
  }
  return out;
}

function parseV6(text: string): bigint | undefined {
  if (!/^[0-9a-fA-F:.]+$/.test(text)) return undefined;
  const halves = text.split('::');
  if (halves.length > 2) return undefined;
  const groups = (s: string): number[] | undefined => {
    if (s === '') return [];
    const out: number[] = [];
    const items = s.split(':');
    for (let i = 0; i < items.length; i++) {
      const item = items[i]!;
      if (i === items.length - 1 && item.includes('.')) {
        const v4 = parseV4(item);
        if (v4 === undefined) return undefined;
        out.push(Number(v4 >> 16n), Number(v4 & 0xffffn));
      } else {
        if (!/^[0-9a-fA-F]{1,4}$/.test(item)) return undefined;
        out.push(parseInt(item, 16));
      }
    }
    return out;
  };
  const head = groups(halves[0]!);
  const tail = halves.length === 2 ? groups(halves[1]!) : [];
  if (!head || !tail) return undefined;
  const missing = 8 - head.length - tail.length;
  if (halves.length === 2 ? missing < 1 : missing !== 0) return undefined;
  const all = [...head, ...new Array<number>(missing).fill(0), ...tail];
  let out = 0n;
  for (const g of all) out = (out << 16n) | BigInt(g);
  return out;
}

/**
 * Parse an address or CIDR block as the IpAddress/NotIpAddress operators take it (IAM User Guide, "IP address
 * condition operators": RFC 4632 notation; a bare address means /32 or /128). Returns undefined when invalid.
 */
export function parseIpNetwork(text: string): IpNetwork | undefined {
  const slash = text.indexOf('/');
  const addr = slash < 0 ? text : text.slice(0, slash);
  const v4 = parseV4(addr);
  const version: 4 | 6 = v4 !== undefined ? 4 : 6;
  const bits = v4 ?? parseV6(addr);
  if (bits === undefined) return undefined;
  const max = version === 4 ? 32 : 128;
  let prefix = max;
  if (slash >= 0) {
    const p = text.slice(slash + 1);
    if (!/^\d{1,3}$/.test(p)) return undefined;
    prefix = Number(p);
    if (prefix > max) return undefined;
  }
  return { version, bits, prefix };
}

/** True when `address` (a network with full prefix) lies in `network`. Different IP versions never match. */
export function ipInNetwork(address: IpNetwork, network: IpNetwork): boolean {
  if (address.version !== network.version) return false;
  const width = BigInt(network.version === 4 ? 32 : 128);
  const shift = width - BigInt(network.prefix);
  return address.bits >> shift === network.bits >> shift;
}
