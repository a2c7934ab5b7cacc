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
  const body: { [key: string]: Encodable } = {
    interval,
    'min interval': Math.min(interval, 60),
    complete: result.complete,
    incomplete: result.incomplete,
    downloaded: result.downloaded,
  }
  if (opts.compact) {
    const v4: Uint8Array[] = [], v6: Uint8Array[] = []
    for (const p of result.peers) {
      if (p.compact.length === 6) v4.push(p.compact)
      else if (p.compact.length === 18) v6.push(p.compact)
    }
    body.peers = join(v4)
    if (v6.length > 0) body.peers6 = join(v6)
  } else {
    body.peers = result.peers.map((p) => {
      const d = new Map<string, Encodable>([['ip', p.ip], ['port', p.port]])
      if (!opts.noPeerId) d.set('peer id', binaryBytes(p.peerId))
      return d
    })
  }
  return encode(body)
}

export function encodeHttpScrape(files: ReadonlyMap<string, ScrapeCounts>): Uint8Array {
  const out = new Map<string, Encodable>()
  for (const [hash, c] of files) {
    out.set(hash, { complete: c.complete, incomplete: c.incomplete, downloaded: c.downloaded })
  }
  return encode({ files: out })
}

function join(parts: Uint8Array[]): Uint8Array {
  let n = 0
  for (const p of parts) n += p.length
  const out = new Uint8Array(n)
  let off = 0
  for (const p of parts) { out.set(p, off); off += p.length }
  return out
}
