/** Compact peer addresses: BEP 23 (IPv4, 4 bytes + port) and BEP 7 (IPv6, 16 bytes + port).
 * Pure parsing of textual addresses so this module runs anywhere. */

/** Strips the IPv4-mapped IPv6 prefix that dual-stack sockets report (`::ffff:1.2.3.4`). */
export function normalizeIp(ip: string): string {
  const lower = ip.toLowerCase()
  if (lower.startsWith('::ffff:') && parseIPv4(lower.slice(7))) return lower.slice(7)
  return lower
}

export function parseIPv4(ip: string): Uint8Array | undefined {
  const parts = ip.split('.')
  if (parts.length !== 4) return undefined
  const out = new Uint8Array(4)
  for (let i = 0; i < 4; i++) {
    const s = parts[i]!
    if (!/^\d{1,3}$/.test(s)) return undefined
    const n = Number(s)
    if (n > 255) return undefined
    out[i] = n
  }
  return out
}

export function parseIPv6(ip: string): Uint8Array | undefined {
  let s = ip
  const zone = s.indexOf('%')
  if (zone >= 0) s = s.slice(0, zone)
  const out = new Uint8Array(16)
  // An embedded IPv4 tail (::ffff:1.2.3.4) fills the last 4 bytes.
  let tail: Uint8Array | undefined
  const lastColon = s.lastIndexOf(':')
  if (s.includes('.', lastColon)) {
    tail = parseIPv4(s.slice(lastColon + 1))
    if (!tail) return undefined
    s = s.slice(0, lastColon + 1) + '0:0'
  }
  const halves = s.split('::')
  if (halves.length > 2) return undefined
  const head = halves[0] === '' ? [] : halves[0]!.split(':')
  const rest = halves.length === 2 ? (halves[1] === '' ? [] : halves[1]!.split(':')) : []
  const groups = head.length + rest.length
  if (halves.length === 1 ? groups !== 8 : groups > 7) return undefined
  const all = [...head, ...new Array<string>(8 - groups).fill('0'), ...rest]
  for (let i = 0; i < 8; i++) {
    const g = all[i]!
    if (!/^[0-9a-f]{1,4}$/i.test(g)) return undefined
    const n = parseInt(g, 16)
    out[i * 2] = n >> 8
    out[i * 2 + 1] = n & 0xff
  }
  if (tail) out.set(tail, 12)
  return out
}

/** 6 bytes for IPv4, 18 bytes for IPv6, empty when the address is unparsable. */
export function compactPeer(ip: string, port: number): Uint8Array {
  const addr = parseIPv4(ip) ?? parseIPv6(ip)
  if (!addr) return new Uint8Array(0)
  const out = new Uint8Array(addr.length + 2)
  out.set(addr)
  out[addr.length] = (port >> 8) & 0xff
  out[addr.length + 1] = port & 0xff
  return out
}
