/** Compact peer lists: 6 bytes per IPv4 peer (BEP 23), 18 bytes per IPv6 peer (`peers6`,
 * BEP 7): the address in network order, then the port, big-endian. */
import type { PeerAddress } from '../transport/types.js'
import { TrackerError } from './errors.js'
import { formatIPv6, parseIPv4, parseIPv6 } from './ip.js'
import { MAX_PEERS_PER_RESPONSE } from './types.js'

/** 6 bytes for IPv4, 18 bytes for IPv6, empty when the address is unparsable. */
export function encodeCompactPeer(ip: string, port: number): Uint8Array {
  const addr = parseIPv4(ip) ?? parseIPv6(ip)
  if (!addr) return new Uint8Array(0)
  const out = new Uint8Array(addr.length + 2)
  out.set(addr)
  out[addr.length] = (port >> 8) & 0xff
  out[addr.length + 1] = port & 0xff
  return out
}

/** Appends the peers of a compact string of 6-byte (IPv4) or 18-byte (IPv6) entries, at most
 * MAX_PEERS_PER_RESPONSE in all. Port 0 entries are skipped: nobody can be reached there. A
 * length that is not a whole number of entries is refused. */
export function decodeCompactPeers(bytes: Uint8Array, family: 4 | 6, out: PeerAddress[] = []): PeerAddress[] {
  const size = family === 4 ? 6 : 18
  if (bytes.length % size !== 0) throw new TrackerError(`compact peers${family === 6 ? '6' : ''} length ${bytes.length} is not a multiple of ${size}`)
  for (let off = 0; off < bytes.length && out.length < MAX_PEERS_PER_RESPONSE; off += size) {
    const portAt = off + size - 2
    const port = (bytes[portAt]! << 8) | bytes[portAt + 1]!
    if (port === 0) continue
    const host = family === 4
      ? `${bytes[off]}.${bytes[off + 1]}.${bytes[off + 2]}.${bytes[off + 3]}`
      : formatIPv6(bytes, off)
    out.push({ host, port })
  }
  return out
}
