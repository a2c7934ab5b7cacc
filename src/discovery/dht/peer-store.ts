/** Peers announced to us (announce_peer, BEP 5), by info hash, with expiry: "host:port" to
 * the time it expires, nothing more (memory per peer matters at tens of thousands). Bounded per
 * info hash, in info hashes and in total: when full, the least recently announced go
 * first (Maps keep insertion order; a re-announce moves an entry to the end). */
import { toHex, fromHex } from '../../util/bytes.js'
import { addressKey, type PeerAddress } from './types.js'

export interface PeerStoreLimits {
  maxPeersPerTorrent: number
  maxTorrents: number
  maxPeers: number
  peerTtlMs: number
}


export class PeerStore {
  readonly #torrents = new Map<string, Map<string, number>>()
  #count = 0

  constructor(private readonly limits: PeerStoreLimits, private readonly now: () => number) {}

  get peerCount(): number { return this.#count }
  get torrentCount(): number { return this.#torrents.size }

  add(infoHash: Uint8Array, peer: PeerAddress): void {
    const hash = toHex(infoHash)
    let peers = this.#torrents.get(hash)
    if (peers) this.#torrents.delete(hash) // re-insert below: most recent last
    else {
      peers = new Map()
      while (this.#torrents.size >= this.limits.maxTorrents) this.#dropOldestTorrent()
    }
    this.#torrents.set(hash, peers)
    const key = addressKey(peer)
    if (peers.delete(key)) this.#count--
    while (peers.size >= this.limits.maxPeersPerTorrent) this.#dropFirst(peers)
    while (this.#count >= this.limits.maxPeers) this.#dropOldestPeer(hash)
    peers.set(key, this.now() + this.limits.peerTtlMs)
    this.#count++
  }

  /** Up to `max` live peers, a random sample when there are more. */
  get(infoHash: Uint8Array, max: number, random: () => number = Math.random): PeerAddress[] {
    const peers = this.#torrents.get(toHex(infoHash))
    if (!peers) return []
    const now = this.now()
    const live: string[] = []
    for (const [key, expires] of peers) if (expires > now) live.push(key)
    return sample(live, max, random).map((key) => {
      const colon = key.lastIndexOf(':')
      return { host: key.slice(0, colon), port: Number(key.slice(colon + 1)) }
    })
  }

  /** Info hashes with live peers: `count` at random and how many there are (BEP 51). */
  sampleInfoHashes(count: number, random: () => number = Math.random): { samples: Uint8Array[]; num: number } {
    const keys = [...this.#torrents.keys()]
    return { samples: sample(keys, count, random).map(fromHex), num: keys.length }
  }

  /** Forgets expired peers and emptied torrents. */
  sweep(): void {
    const now = this.now()
    for (const [hash, peers] of this.#torrents) {
      for (const [k, expires] of peers) if (expires <= now) { peers.delete(k); this.#count-- }
      if (peers.size === 0) this.#torrents.delete(hash)
    }
  }

  #dropFirst(peers: Map<string, number>): void {
    const first = peers.keys().next().value
    if (first !== undefined) { peers.delete(first); this.#count-- }
  }

  #dropOldestTorrent(): void {
    const [hash, peers] = this.#torrents.entries().next().value ?? []
    if (hash === undefined || !peers) return
    this.#count -= peers.size
    this.#torrents.delete(hash)
  }

  #dropOldestPeer(keep: string): void {
    for (const [hash, peers] of this.#torrents) {
      if (hash === keep && this.#torrents.size > 1) continue
      this.#dropFirst(peers)
      if (peers.size === 0 && hash !== keep) this.#torrents.delete(hash)
      return
    }
  }
}

function sample<T>(items: T[], max: number, random: () => number): T[] {
  if (items.length <= max) return items
  for (let i = 0; i < max; i++) {
    const j = i + Math.floor(random() * (items.length - i))
    const t = items[i]!; items[i] = items[j]!; items[j] = t
  }
  return items.slice(0, max)
}
