import { BlockList, isIP } from 'node:net';

/** IPv4-mapped IPv6 (`::ffff:10.0.0.1`, as node reports IPv4 peers on a dual-stack socket) as plain IPv4. */
const unmap = (address: string) => (/^::ffff:\d+\.\d+\.\d+\.\d+$/i.test(address) ? address.slice(7) : address);

/** Why an entry is neither an IP address nor a CIDR range (`10.0.0.0/8`, `fd00::/8`), or null when it is one. */
export function addressRangeProblem(entry: string): string | null {
  const [address = '', bits, ...rest] = entry.split('/');
  const family = isIP(unmap(address));
  if (family === 0 || rest.length > 0) return `"${entry}" is not an IP address or CIDR range`;
  if (bits === undefined) return null;
  const max = family === 4 ? 32 : 128;
  return /^\d{1,3}$/.test(bits) && Number(bits) <= max ? null : `"${entry}" has a prefix length outside 0-${max}`;
}

/** A test of addresses against exact addresses and CIDR ranges (node:net BlockList); entries must pass `addressRangeProblem`. */
export function createAddressMatcher(entries: readonly string[]): (address: string) => boolean {
  const list = new BlockList();
  for (const entry of entries) {
    const problem = addressRangeProblem(entry);
    if (problem) throw new Error(problem);
    const [raw = '', bits] = entry.split('/');
    const address = unmap(raw);
    const type = isIP(address) === 4 ? 'ipv4' : 'ipv6';
    if (bits === undefined) list.addAddress(address, type);
    else list.addSubnet(address, Number(bits), type);
  }
  return (candidate) => {
    const address = unmap(candidate);
    const family = isIP(address);
    return family !== 0 && list.check(address, family === 4 ? 'ipv4' : 'ipv6');
  };
}
