/** Peer lists in tracker responses: compact IPv4 (BEP 23), compact IPv6 `peers6` (BEP 7)
 * and the original list of dictionaries (BEP 3). Pure; runs anywhere. */
import { getBytes, getInt, isDict, type BValue } from '../bencode/index.js'
import { MAX_PEERS_PER_RESPONSE, TrackerError, type PeerAddress } from './tracker-types.js'

function ipv6Text(b: Uint8Array, off: number): string {
  const groups: string[] = []
  for (let i = 0; i < 16; i += 2) groups.push(((b[off + i]! << 8) | b[off + i + 1]!).toString(16))
  // Collapse the longest run of zero groups (RFC 5952) so equal addresses compare equal.
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

/** Appends peers from a compact string of 6-byte (IPv4) or 18-byte (IPv6) entries.
 * Port 0 entries are skipped: nobody can be reached there. */
export function parseCompactPeers(bytes: Uint8Array, family: 4 | 6, out: PeerAddress[] = []): PeerAddress[] {
  const size = family === 4 ? 6 : 18
  if (bytes.length % size !== 0) throw new TrackerError(`compact peers${family === 6 ? '6' : ''} length ${bytes.length} is not a multiple of ${size}`)
  for (let off = 0; off < bytes.length && out.length < MAX_PEERS_PER_RESPONSE; off += size) {
    const portAt = off + size - 2
    const port = (bytes[portAt]! << 8) | bytes[portAt + 1]!
    if (port === 0) continue
    const host = family === 4
      ? `${bytes[off]}.${bytes[off + 1]}.${bytes[off + 2]}.${bytes[off + 3]}`
      : ipv6Text(bytes, off)
    out.push({ host, port })
  }
  return out
}

const textDecoder = new TextDecoder('utf-8', { fatal: false })
const validPort = (n: number | undefined): n is number => n !== undefined && Number.isInteger(n) && n > 0 && n < 65536

/** BEP 3 non-compact list: `[{ ip, port, peer id? }, ...]`; odd entries are skipped. */
export function parseDictPeers(list: BValue[], out: PeerAddress[] = []): PeerAddress[] {
  for (const entry of list) {
    if (out.length >= MAX_PEERS_PER_RESPONSE) break
    if (!isDict(entry)) continue
    const ip = getBytes(entry, 'ip')
    const port = getInt(entry, 'port')
    if (!ip || ip.length === 0 || ip.length > 255 || !validPort(port)) continue
    out.push({ host: textDecoder.decode(ip), port })
  }
  return out
}
