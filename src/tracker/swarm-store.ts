import { encodeCompactPeer } from '../tracker-protocol/index.js'
import type { AnnounceAnswer, AnnounceRequest, ListedPeer, ScrapeCounts } from './types.js'
import { TrackerRefusal } from './types.js'

/** The one swarm store behind HTTP, UDP and WebSocket. Pure: no I/O, the clock is passed in.
 *
 * Each swarm keeps two peer sets: "classic" (HTTP/UDP, returned as addresses) and WebSocket
 * (reachable only through their socket, used for offer relay). Both count toward seeders and
 * leechers. Peers live in arrays with their slot index, so random picks and removals are O(1)
 * (swap-remove), and in Maps keyed by peer id for lookups. */

interface PeerBase {
  peerId: string
  seeder: boolean
  lastSeen: number
  slot: number
}
export interface ClassicPeer extends PeerBase, ListedPeer {
  kind: 'http' | 'udp'
}
export interface WsPeer<H> extends PeerBase {
  handle: H
}

class PeerSet<P extends PeerBase> {
  readonly list: P[] = []
  readonly byId = new Map<string, P>()
  add(p: P): void { p.slot = this.list.length; this.list.push(p); this.byId.set(p.peerId, p) }
  remove(p: P): void {
    const last = this.list.pop()!
    if (last !== p) { last.slot = p.slot; this.list[p.slot] = last }
    this.byId.delete(p.peerId)
  }
  get size(): number { return this.list.length }
}

export class Swarm<H> {
  readonly classic = new PeerSet<ClassicPeer>()
  readonly ws = new PeerSet<WsPeer<H>>()
  complete = 0
  incomplete = 0
  downloaded = 0
  get size(): number { return this.classic.size + this.ws.size }
  counts(): ScrapeCounts { return { complete: this.complete, incomplete: this.incomplete, downloaded: this.downloaded } }
}

export interface SwarmStoreOptions {
  maxPeersPerSwarm: number
  maxSwarms: number
  /** random integer in [0, n); injected so tests repeat */
  random?: (n: number) => number
}

export interface StoreCounts {
  torrents: number
  seeders: number
  leechers: number
  ws: number
  http: number
  udp: number
}

export class SwarmStore<H> {
  readonly swarms = new Map<string, Swarm<H>>()
  readonly #opts: SwarmStoreOptions
  readonly #random: (n: number) => number
  #counts = { seeders: 0, leechers: 0, ws: 0, http: 0, udp: 0 }

  constructor(opts: SwarmStoreOptions) {
    this.#opts = opts
    this.#random = opts.random ?? ((n) => Math.floor(Math.random() * n))
  }

  /** Records a HTTP/UDP announce and picks up to `numwant` other classic peers. */
  announceClassic(req: AnnounceRequest, now: number): AnnounceAnswer {
    if (req.kind === 'ws') throw new TypeError('use announceWs for WebSocket peers')
    const swarm = req.event === 'stopped' ? this.swarms.get(req.infoHash) : this.#swarmFor(req.infoHash)
    if (!swarm) return { complete: 0, incomplete: 0, downloaded: 0, peers: [] }
    const existing = swarm.classic.byId.get(req.peerId)
    if (req.event === 'stopped') {
      if (existing) this.#removePeer(swarm, existing, 'classic', req.infoHash)
      return { ...swarm.counts(), peers: [] }
    }
    const seeder = req.left === 0
    if (existing) {
      this.#setSeeder(swarm, existing, seeder)
      existing.lastSeen = now
      if (existing.ip !== req.ip || existing.port !== req.port || existing.kind !== req.kind) {
        this.#counts[existing.kind]--; this.#counts[req.kind]++
        existing.kind = req.kind; existing.ip = req.ip; existing.port = req.port
        existing.compact = encodeCompactPeer(req.ip, req.port)
      }
    } else {
      if (swarm.size >= this.#opts.maxPeersPerSwarm) throw new TrackerRefusal('swarm is full')
      const peer: ClassicPeer = {
        kind: req.kind, peerId: req.peerId, ip: req.ip, port: req.port,
        compact: encodeCompactPeer(req.ip, req.port), seeder, lastSeen: now, slot: 0,
      }
      swarm.classic.add(peer)
      this.#counted(swarm, peer, +1, req.kind)
      if (req.event === 'completed') swarm.downloaded++
    }
    const self = existing ?? swarm.classic.byId.get(req.peerId)
    // A seeder gets no other seeders: they have nothing to trade.
    const peers = this.#pick(swarm.classic.list, req.numwant, self, seeder)
    return { complete: swarm.complete, incomplete: swarm.incomplete, downloaded: swarm.downloaded, peers }
  }

  /** Records a WebSocket announce. Refuses a peer id held by another live socket (no hijacking). */
  announceWs(req: AnnounceRequest, handle: H, now: number): { swarm: Swarm<H>; peer: WsPeer<H> } | ScrapeCounts {
    const swarm = req.event === 'stopped' ? this.swarms.get(req.infoHash) : this.#swarmFor(req.infoHash)
    if (!swarm) return { complete: 0, incomplete: 0, downloaded: 0 }
    const existing = swarm.ws.byId.get(req.peerId)
    if (existing && existing.handle !== handle) throw new TrackerRefusal('peer_id is in use by another connection')
    if (req.event === 'stopped') {
      if (existing) this.#removePeer(swarm, existing, 'ws', req.infoHash)
      return swarm.counts()
    }
    const seeder = req.left === 0
    if (existing) {
      this.#setSeeder(swarm, existing, seeder)
      existing.lastSeen = now
      return { swarm, peer: existing }
    }
    if (swarm.size >= this.#opts.maxPeersPerSwarm) throw new TrackerRefusal('swarm is full')
    const peer: WsPeer<H> = { peerId: req.peerId, handle, seeder, lastSeen: now, slot: 0 }
    swarm.ws.add(peer)
    this.#counted(swarm, peer, +1, 'ws')
    if (req.event === 'completed') swarm.downloaded++
    return { swarm, peer }
  }

  /** Up to `n` random WebSocket peers of the swarm other than `self` (offer relay targets). */
  pickWs(swarm: Swarm<H>, n: number, self: WsPeer<H>): WsPeer<H>[] {
    return this.#pick(swarm.ws.list, n, self, false)
  }

  /** Removes a WebSocket peer (its socket closed or it left). */
  removeWs(infoHash: string, peerId: string, handle: H): void {
    const swarm = this.swarms.get(infoHash)
    const peer = swarm?.ws.byId.get(peerId)
    if (swarm && peer && peer.handle === handle) this.#removePeer(swarm, peer, 'ws', infoHash)
  }

  scrape(infoHash: string): ScrapeCounts {
    return this.swarms.get(infoHash)?.counts() ?? { complete: 0, incomplete: 0, downloaded: 0 }
  }

  /** Forgets peers not seen since `before`; calls `onWsExpired` for each WebSocket peer dropped. */
  expire(classicBefore: number, wsBefore: number, onWsExpired?: (infoHash: string, peer: WsPeer<H>) => void): number {
    let removed = 0
    for (const [infoHash, swarm] of this.swarms) {
      for (let i = swarm.classic.list.length - 1; i >= 0; i--) {
        const p = swarm.classic.list[i]!
        if (p.lastSeen < classicBefore) { this.#removePeer(swarm, p, 'classic', infoHash); removed++ }
      }
      for (let i = swarm.ws.list.length - 1; i >= 0; i--) {
        const p = swarm.ws.list[i]!
        if (p.lastSeen < wsBefore) { this.#removePeer(swarm, p, 'ws', infoHash); onWsExpired?.(infoHash, p); removed++ }
      }
    }
    return removed
  }

  counts(): StoreCounts {
    return { torrents: this.swarms.size, ...this.#counts }
  }

  #swarmFor(infoHash: string): Swarm<H> {
    let swarm = this.swarms.get(infoHash)
    if (!swarm) {
      if (this.swarms.size >= this.#opts.maxSwarms) throw new TrackerRefusal('too many torrents')
      swarm = new Swarm<H>()
      this.swarms.set(infoHash, swarm)
    }
    return swarm
  }

  #setSeeder(swarm: Swarm<H>, peer: PeerBase, seeder: boolean): void {
    if (peer.seeder !== seeder) {
      if (seeder) { swarm.incomplete--; swarm.complete++; this.#counts.leechers--; this.#counts.seeders++ }
      else { swarm.complete--; swarm.incomplete++; this.#counts.seeders--; this.#counts.leechers++ }
      // A peer that turns into a seeder finished a download, whether or not it said `completed`.
      if (seeder) swarm.downloaded++
      peer.seeder = seeder
    }
  }

  #counted(swarm: Swarm<H>, peer: PeerBase, delta: 1 | -1, kind: 'http' | 'udp' | 'ws'): void {
    if (peer.seeder) { swarm.complete += delta; this.#counts.seeders += delta }
    else { swarm.incomplete += delta; this.#counts.leechers += delta }
    this.#counts[kind] += delta
  }

  #removePeer(swarm: Swarm<H>, peer: ClassicPeer | WsPeer<H>, set: 'classic' | 'ws', infoHash: string): void {
    if (set === 'classic') {
      const p = peer as ClassicPeer
      swarm.classic.remove(p); this.#counted(swarm, p, -1, p.kind)
    } else {
      swarm.ws.remove(peer as WsPeer<H>); this.#counted(swarm, peer, -1, 'ws')
    }
    if (swarm.size === 0) this.swarms.delete(infoHash)
  }

  /** Up to `n` peers from a random window: start at a random slot and walk on (wrapping).
   * Swap-removal keeps reshuffling the array, so windows vary; the cost is O(n), not O(size),
   * and needs no bookkeeping of picked slots. */
  #pick<P extends PeerBase>(list: readonly P[], n: number, self: P | undefined, noSeeders: boolean): P[] {
    const out: P[] = []
    const size = list.length
    if (n <= 0 || size === 0) return out
    const start = size > n + 1 ? this.#random(size) : 0
    // Bounded walk: a seeder in a swarm of seeders gets few peers rather than costing O(size).
    const steps = Math.min(size, n * 8 + 64)
    for (let k = 0; k < steps && out.length < n; k++) {
      const p = list[(start + k) % size]!
      if (p !== self && !(noSeeders && p.seeder)) out.push(p)
    }
    return out
  }
}
