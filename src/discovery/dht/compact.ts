/** Compact encodings (BEP 5): peers as 6 bytes (IPv4 + port), nodes as 26 bytes (id + peer).
 * IPv4 only; malformed entries are skipped, never thrown. */
import { parseIPv4, type Contact, type PeerAddress } from './types.js'

export const PEER_BYTES = 6
export const NODE_BYTES = 26

export function encodePeer(p: PeerAddress, out = new Uint8Array(PEER_BYTES), at = 0): Uint8Array | undefined {
  const ip = parseIPv4(p.host)
  if (!ip || !Number.isInteger(p.port) || p.port <= 0 || p.port > 65535) return undefined
  out.set(ip, at)
  out[at + 4] = p.port >> 8
  out[at + 5] = p.port & 0xff
  return out
}

export function decodePeer(b: Uint8Array, at = 0): PeerAddress | undefined {
  if (b.length < at + PEER_BYTES) return undefined
  const port = (b[at + 4]! << 8) | b[at + 5]!
  if (port === 0) return undefined
  return { host: `${b[at]}.${b[at + 1]}.${b[at + 2]}.${b[at + 3]}`, port }
}

/** Concatenated 26-byte node infos; contacts that are not IPv4 are left out. */
export function encodeNodes(nodes: readonly Contact[]): Uint8Array {
  const out = new Uint8Array(nodes.length * NODE_BYTES)
  let n = 0
  for (const c of nodes) {
    if (c.id.length !== 20 || !encodePeer(c, out, n * NODE_BYTES + 20)) continue
    out.set(c.id, n * NODE_BYTES)
    n++
  }
  return out.subarray(0, n * NODE_BYTES)
}

/** At most `max` node infos; a length that is not a multiple of 26 yields none (BEP 5). */
export function decodeNodes(b: Uint8Array | undefined, max: number): Contact[] {
  const out: Contact[] = []
  if (!b || b.length % NODE_BYTES !== 0) return out
  for (let at = 0; at < b.length && out.length < max; at += NODE_BYTES) {
    const peer = decodePeer(b, at + 20)
    if (peer) out.push({ id: b.slice(at, at + 20), ...peer })
  }
  return out
}
