import { encode, type Encodable } from '../bencode/index.js'
import { binaryBytes } from '../bencode/index.js'
import type { AnnounceResult, ScrapeCounts } from './types.js'

/** Bencoded HTTP tracker answers (BEP 3; compact lists BEP 23; `peers6` BEP 7). */

export function encodeFailure(reason: string): Uint8Array {
  return encode({ 'failure reason': reason })
}

export function encodeHttpAnnounce(
  result: AnnounceResult, interval: number, opts: { compact: boolean; noPeerId: boolean },
): Uint8Array {
  if (opts.compact) return encodeCompactAnnounce(result, interval)
  return encode({
    interval,
    'min interval': Math.min(interval, 60),
    complete: result.complete,
    incomplete: result.incomplete,
    downloaded: result.downloaded,
    peers: result.peers.map((p) => {
      const d = new Map<string, Encodable>([['ip', p.ip], ['port', p.port]])
      if (!opts.noPeerId) d.set('peer id', binaryBytes(p.peerId))
      return d
    }),
  })
}

/** The hot path, written out by hand: keys in sorted order (BEP 3 canonical form), integers
 * as ASCII digits, compact peer strings copied in. Same bytes as `encode` would give. */
function encodeCompactAnnounce(result: AnnounceResult, interval: number): Uint8Array {
  let n4 = 0, n6 = 0
  for (const p of result.peers) {
    if (p.compact.length === 6) n4++
    else if (p.compact.length === 18) n6++
  }
  const minInterval = Math.min(interval, 60)
  const len = K_COMPLETE.length + digitCount(result.complete) + K_DOWNLOADED.length + digitCount(result.downloaded) +
    K_INCOMPLETE.length + digitCount(result.incomplete) + K_INTERVAL.length + digitCount(interval) +
    K_MIN_INTERVAL.length + digitCount(minInterval) + K_PEERS.length + digitCount(n4 * 6) + 1 + n4 * 6 +
    (n6 > 0 ? K_PEERS6.length + digitCount(n6 * 18) + 1 + n6 * 18 : 0) + 1
  const out = new Uint8Array(len)
  let off = put(out, 0, K_COMPLETE)
  off = putInt(out, off, result.complete)
  off = putInt(out, put(out, off, K_DOWNLOADED), result.downloaded)
  off = putInt(out, put(out, off, K_INCOMPLETE), result.incomplete)
  off = putInt(out, put(out, off, K_INTERVAL), interval)
  off = putInt(out, put(out, off, K_MIN_INTERVAL), minInterval)
  off = putInt(out, put(out, off, K_PEERS), n4 * 6)
  out[off++] = 0x3a // ':'
  // Byte loops: for 6-byte pieces they beat TypedArray#set's per-call overhead.
  for (const p of result.peers) {
    const c = p.compact
    if (c.length === 6) { out[off] = c[0]!; out[off + 1] = c[1]!; out[off + 2] = c[2]!; out[off + 3] = c[3]!; out[off + 4] = c[4]!; out[off + 5] = c[5]!; off += 6 }
  }
  if (n6 > 0) {
    off = putInt(out, put(out, off, K_PEERS6), n6 * 18)
    out[off++] = 0x3a
    for (const p of result.peers) if (p.compact.length === 18) { out.set(p.compact, off); off += 18 }
  }
  out[off] = 0x65 // 'e' closes the dictionary
  return out
}

const bytes = (s: string): Uint8Array => Uint8Array.from(s, (c) => c.charCodeAt(0))
// Each key carries the 'e' that closes the integer before it.
const K_COMPLETE = bytes('d8:completei'), K_DOWNLOADED = bytes('e10:downloadedi'), K_INCOMPLETE = bytes('e10:incompletei')
const K_INTERVAL = bytes('e8:intervali'), K_MIN_INTERVAL = bytes('e12:min intervali'), K_PEERS = bytes('e5:peers'), K_PEERS6 = bytes('6:peers6')

function put(out: Uint8Array, off: number, b: Uint8Array): number {
  for (let i = 0; i < b.length; i++) out[off + i] = b[i]!
  return off + b.length
}

function digitCount(n: number): number {
  let d = 1
  while (n >= 10) { n = Math.floor(n / 10); d++ }
  return d
}

function putInt(out: Uint8Array, off: number, n: number): number {
  const d = digitCount(n)
  for (let i = d - 1; i >= 0; i--) { out[off + i] = 48 + (n % 10); n = Math.floor(n / 10) }
  return off + d
}

export function encodeHttpScrape(files: ReadonlyMap<string, ScrapeCounts>): Uint8Array {
  const out = new Map<string, Encodable>()
  for (const [hash, c] of files) {
    out.set(hash, { complete: c.complete, incomplete: c.incomplete, downloaded: c.downloaded })
  }
  return encode({ files: out })
}
