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

/** The hot path, written out by hand: keys in sorted order (BEP 3 canonical form), the
 * integers as ASCII, the compact peer strings copied in. Same bytes as `encode` would give. */
function encodeCompactAnnounce(result: AnnounceResult, interval: number): Uint8Array {
  let n4 = 0, n6 = 0
  for (const p of result.peers) {
    if (p.compact.length === 6) n4++
    else if (p.compact.length === 18) n6++
  }
  const head = `d8:completei${result.complete}e10:downloadedi${result.downloaded}e10:incompletei${result.incomplete}e` +
    `8:intervali${interval}e12:min intervali${Math.min(interval, 60)}e5:peers${n4 * 6}:`
  const mid = n6 > 0 ? `6:peers6${n6 * 18}:` : ''
  const out = new Uint8Array(head.length + n4 * 6 + mid.length + n6 * 18 + 1)
  // Byte loops: for 6-byte pieces they beat TypedArray#set's per-call overhead.
  let off = ascii(out, 0, head)
  for (const p of result.peers) {
    const c = p.compact
    if (c.length === 6) { out[off] = c[0]!; out[off + 1] = c[1]!; out[off + 2] = c[2]!; out[off + 3] = c[3]!; out[off + 4] = c[4]!; out[off + 5] = c[5]!; off += 6 }
  }
  off = ascii(out, off, mid)
  for (const p of result.peers) if (p.compact.length === 18) { out.set(p.compact, off); off += 18 }
  out[off] = 0x65 // 'e'
  return out
}

function ascii(out: Uint8Array, off: number, s: string): number {
  for (let i = 0; i < s.length; i++) out[off++] = s.charCodeAt(i)
  return off
}

export function encodeHttpScrape(files: ReadonlyMap<string, ScrapeCounts>): Uint8Array {
  const out = new Map<string, Encodable>()
  for (const [hash, c] of files) {
    out.set(hash, { complete: c.complete, incomplete: c.incomplete, downloaded: c.downloaded })
  }
  return encode({ files: out })
}
