/** Textual IP addresses ↔ bytes, for the compact peer forms (BEP 23, BEP 7). Pure, so it runs
 * in browsers too (no node:net). */

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

/** 16 bytes at `off` as RFC 5952 text (longest zero run collapsed), so equal addresses
 * compare equal as strings. */
export function formatIPv6(b: Uint8Array, off = 0): string {
  const groups: string[] = []
  for (let i = 0; i < 16; i += 2) groups.push(((b[off + i]! << 8) | b[off + i + 1]!).toString(16))
  let best = -1, bestLen = 0
  for (let i = 0; i < 8;) {
    if (groups[i] !== '0') { i++; continue }
    let j = i
    while (j < 8 && groups[j] === '0') j++
    if (j - i > bestLen && j - i > 1) { best = i; bestLen = j - i }
    i = j
  }
  if (best < 0) return groups.join(':')
  return `${groups.slice(0, best).join(':')}::${groups.slice(best + bestLen).join(':')}`
}
