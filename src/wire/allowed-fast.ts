/** BEP 6 "Allowed Fast Set Generation": the canonical k piece indices a peer at a given IPv4
 * address may request even while choked. Canonical so that every client offers the same
 * pieces to the same peer, and a peer cannot gain more by reconnecting. */
import { sha1 } from '../util/sha1.js'

/** `ipv4` is dotted quad text. Only the top three octets count (BEP 6 step 1), so peers in
 * one /24 share a set. Returns [] for addresses that are not IPv4 (BEP 6 covers only IPv4). */
export function allowedFastSet(k: number, pieceCount: number, infoHash: Uint8Array, ipv4: string): number[] {
  const octets = ipv4.split('.').map(Number)
  if (octets.length !== 4 || octets.some((o) => !Number.isInteger(o) || o < 0 || o > 255)) return []
  const want = Math.min(k, pieceCount) // more than the torrent has would never end
  const set: number[] = []
  let x: Uint8Array = new Uint8Array(24)
  x.set([octets[0]!, octets[1]!, octets[2]!, 0])
  x.set(infoHash.subarray(0, 20), 4)
  while (set.length < want) {
    x = sha1(x)
    for (let i = 0; i < 5 && set.length < want; i++) {
      const j = i * 4
      const y = ((x[j]! << 24) | (x[j + 1]! << 16) | (x[j + 2]! << 8) | x[j + 3]!) >>> 0
      const index = y % pieceCount
      if (!set.includes(index)) set.push(index)
    }
  }
  return set
}
