import { encodeCompactPeer } from '../tracker-protocol/index.js'
import type { AnnounceAnswer, AnnounceRequest, ListedPeer, ScrapeCounts } from './types.js'
import { TrackerRefusal } from './types.js'
import { Swarm, type ClassicPeer, type OriginSummary, type RemotePeer, type WsPeer } from './swarm.js'

/** The one swarm store behind HTTP, UDP and WebSocket. Pure: no I/O, the clock is passed in.
 * Local peers are authoritative here; peers of other processes of a cluster are mirrored in
 * by `cluster/replica.ts` (see Swarm). Every change to local state that others must learn of
 * is reported through `onChange`, so a plain re-announce costs nothing extra. */

export type { ClassicPeer, WsPeer, RemotePeer, OriginSummary } from './swarm.js'
export { Swarm } from './swarm.js'

export interface SwarmStoreOptions {
  maxPeersPerSwarm: number
  maxSwarms: number
  /** random integer in [0, n); injected so tests repeat */
  random?: (n: number) => number
  /** a local change others must learn of: a classic peer added, changed or (`removed`)
   * gone, or (no peer) the swarm's counts changed */
  onChange?: (infoHash: string, swarm: Swarm<unknown>, peer?: ClassicPeer, removed?: boolean) => void
  /** a classic peer held by another process announced here, unchanged (or `stopped`): the
   * answer comes from the mirror and the holder is told (see cluster/sync.ts) */
  onMirrorHit?: (infoHash: string, peer: RemotePeer, stopped: boolean) => void
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
  readonly #onChange: SwarmStoreOptions['onChange']
  #counts = { seeders: 0, leechers: 0, ws: 0, http: 0, udp: 0 }

  constructor(opts: SwarmStoreOptions) {
    this.#opts = opts
    this.#random = opts.random ?? ((n) => Math.floor(Math.random() * n))
    this.#onChange = opts.onChange
  }

  /** Records a HTTP/UDP announce and picks up to `numwant` other classic peers, local or
   * announced to other processes of the cluster. */
  announceClassic(req: AnnounceRequest, now: number): AnnounceAnswer {
    if (req.kind === 'ws') throw new TypeError('use announceWs for WebSocket peers')
    const swarm = req.event === 'stopped' ? this.swarms.get(req.infoHash) : this.#swarmFor(req.infoHash)
    if (!swarm) return { complete: 0, incomplete: 0, downloaded: 0, peers: [] }
    const existing = swarm.classic.byId.get(req.peerId)
    const seeder = req.left === 0
    // Held by another process (its last announce went there: workers get connections in
    // turn). Unchanged, it stays there; a change moves it here (below).
    const mirror = existing ? undefined : swarm.remote.byId.get(req.peerId)
    if (mirror && this.#opts.onMirrorHit && (req.event === 'stopped' || (mirror.seeder === seeder && mirror.ip === req.ip && mirror.port === req.port))) {
      this.#opts.onMirrorHit(req.infoHash, mirror, req.event === 'stopped')
      if (req.event === 'stopped') return { ...swarm.counts(), peers: [] }
      const c = swarm.counts()
      return { complete: c.complete, incomplete: c.incomplete, downloaded: c.downloaded, peers: this.#pick(swarm.classic.list, swarm.remote.list, req.numwant, mirror, seeder) }
    }
    if (req.event === 'stopped') {
      if (existing) this.#removePeer(swarm, existing, 'classic', req.infoHash)
      return { ...swarm.counts(), peers: [] }
    }
    let self = existing
    if (existing) {
      const flipped = this.#setSeeder(swarm, existing, seeder)
      existing.lastSeen = now
      const moved = existing.ip !== req.ip || existing.port !== req.port || existing.kind !== req.kind
      if (moved) {
        this.#counts[existing.kind]--; this.#counts[req.kind]++
        existing.kind = req.kind; existing.ip = req.ip; existing.port = req.port
        existing.compact = encodeCompactPeer(req.ip, req.port)
      }
      if ((flipped || moved) && this.#onChange) this.#onChange(req.infoHash, swarm, existing)
    } else {
      if (swarm.size >= this.#opts.maxPeersPerSwarm) throw new TrackerRefusal('swarm is full')
      self = {
        kind: req.kind, peerId: req.peerId, ip: req.ip, port: req.port,
        compact: encodeCompactPeer(req.ip, req.port), seeder, lastSeen: now, slot: 0,
      }
      swarm.classic.add(self)
      // The peer announced to another process before: this one takes it over (the other
      // drops its copy when it hears of it, see takeOver).
      const mirrored = swarm.remote.byId.get(req.peerId)
      if (mirrored) swarm.remote.remove(mirrored)
      this.#counted(swarm, self, +1, req.kind)
      if (req.event === 'completed') swarm.downloaded++
      this.#onChange?.(req.infoHash, swarm, self)
    }
    // A seeder gets no other seeders: they have nothing to trade.
    const peers: ListedPeer[] = this.#pick(swarm.classic.list, swarm.remote.list, req.numwant, self, seeder)
    const o = swarm.others // (no counts() object: this runs for every announce)
    return { complete: swarm.complete + o.complete, incomplete: swarm.incomplete + o.incomplete, downloaded: swarm.downloaded + o.downloaded, peers }
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
      if (this.#setSeeder(swarm, existing, seeder)) this.#onChange?.(req.infoHash, swarm)
      existing.lastSeen = now
      return { swarm, peer: existing }
    }
    if (swarm.size >= this.#opts.maxPeersPerSwarm) throw new TrackerRefusal('swarm is full')
    const peer: WsPeer<H> = { peerId: req.peerId, handle, seeder, lastSeen: now, slot: 0 }
    swarm.ws.add(peer)
    this.#counted(swarm, peer, +1, 'ws')
    if (req.event === 'completed') swarm.downloaded++
    this.#onChange?.(req.infoHash, swarm)
    return { swarm, peer }
  }

  /** Up to `n` random local WebSocket peers of the swarm other than `self` (offer relay targets). */
  pickWs(swarm: Swarm<H>, n: number, self: WsPeer<H> | undefined): WsPeer<H>[] {
    return this.#pick(swarm.ws.list, EMPTY, n, self, false)
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

  /** Forgets local peers not seen since `before`; calls `onWsExpired` for each WebSocket peer dropped. */
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

  /** Local counts (other processes report their own). */
  counts(): StoreCounts {
    return { torrents: this.swarms.size, ...this.#counts }
  }

  // ---- what other processes of the cluster hold (applied by cluster/replica.ts) ----

  /** Adds or replaces a classic peer announced to `origin`. False when the swarm cannot be
   * created (too many torrents). */
  putRemote(infoHash: string, origin: string, peerId: string, ip: string, port: number, compact: Uint8Array, seeder: boolean): boolean {
    let swarm = this.swarms.get(infoHash)
    if (!swarm) {
      if (this.swarms.size >= this.#opts.maxSwarms) return false
      swarm = new Swarm<H>()
      this.swarms.set(infoHash, swarm)
    }
    const prev = swarm.remote.byId.get(peerId)
    if (prev) { prev.origin = origin; prev.ip = ip; prev.port = port; prev.compact = compact; prev.seeder = seeder; return true }
    if (swarm.remote.size >= this.#opts.maxPeersPerSwarm) return false
    swarm.remote.add({ peerId, origin, ip, port, compact, seeder, slot: 0, touched: -Infinity })
    return true
  }

  /** Another process now holds this classic peer (it announced there last, e.g. on a new
   * connection handed to another worker): drop the local copy, so it is counted once. */
  takeOver(infoHash: string, peerId: string): void {
    const swarm = this.swarms.get(infoHash)
    const p = swarm?.classic.byId.get(peerId)
    if (swarm && p) this.#removePeer(swarm, p, 'classic', infoHash)
  }

  /** The classic peer announced at another process too: it is alive. */
  touch(infoHash: string, peerId: string, now: number): void {
    const p = this.swarms.get(infoHash)?.classic.byId.get(peerId)
    if (p) p.lastSeen = Math.max(p.lastSeen, now)
  }

  removeRemote(infoHash: string, origin: string, peerId: string): void {
    const swarm = this.swarms.get(infoHash)
    const p = swarm?.remote.byId.get(peerId)
    if (!swarm || !p || p.origin !== origin) return
    swarm.remote.remove(p)
    if (swarm.empty) this.swarms.delete(infoHash)
  }

  /** Sets (or with undefined clears) `origin`'s counts for a swarm. */
  setSummary(infoHash: string, origin: string, s: OriginSummary | undefined): void {
    let swarm = this.swarms.get(infoHash)
    if (!swarm) {
      if (!s || this.swarms.size >= this.#opts.maxSwarms) return
      swarm = new Swarm<H>()
      this.swarms.set(infoHash, swarm)
    }
    swarm.setSummary(origin, s)
    if (swarm.empty) this.swarms.delete(infoHash)
  }

  /** Forgets everything `origin` reported (it left, died, or is about to send a full state). */
  dropOrigin(origin: string): void {
    for (const [infoHash, swarm] of this.swarms) {
      for (let i = swarm.remote.list.length - 1; i >= 0; i--) {
        const p = swarm.remote.list[i]!
        if (p.origin === origin) swarm.remote.remove(p)
      }
      if (swarm.summaries?.has(origin)) swarm.setSummary(origin, undefined)
      if (swarm.empty) this.swarms.delete(infoHash)
    }
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

  /** True when the peer turned seeder or back. */
  #setSeeder(swarm: Swarm<H>, peer: { seeder: boolean }, seeder: boolean): boolean {
    if (peer.seeder === seeder) return false
    if (seeder) { swarm.incomplete--; swarm.complete++; this.#counts.leechers--; this.#counts.seeders++ }
    else { swarm.complete--; swarm.incomplete++; this.#counts.seeders--; this.#counts.leechers++ }
    // A peer that turns into a seeder finished a download, whether or not it said `completed`.
    if (seeder) swarm.downloaded++
    peer.seeder = seeder
    return true
  }

  #counted(swarm: Swarm<H>, peer: { seeder: boolean }, delta: 1 | -1, kind: 'http' | 'udp' | 'ws'): void {
    if (peer.seeder) { swarm.complete += delta; this.#counts.seeders += delta }
    else { swarm.incomplete += delta; this.#counts.leechers += delta }
    this.#counts[kind] += delta
  }

  #removePeer(swarm: Swarm<H>, peer: ClassicPeer | WsPeer<H>, set: 'classic' | 'ws', infoHash: string): void {
    if (set === 'classic') {
      const p = peer as ClassicPeer
      swarm.classic.remove(p); this.#counted(swarm, p, -1, p.kind)
      this.#onChange?.(infoHash, swarm, p, true)
    } else {
      swarm.ws.remove(peer as WsPeer<H>); this.#counted(swarm, peer, -1, 'ws')
      this.#onChange?.(infoHash, swarm)
    }
    if (swarm.empty) this.swarms.delete(infoHash)
  }

  /** Up to `n` peers from a random window over `a` then `b` (local, then remote): start at a
   * random slot and walk on (wrapping). Swap-removal keeps reshuffling the arrays, so windows
   * vary; the cost is O(n), not O(size), and needs no bookkeeping of picked slots. */
  #pick<P extends { seeder: boolean }, Q extends { seeder: boolean }>(a: readonly P[], b: readonly Q[], n: number, self: P | Q | undefined, noSeeders: boolean): (P | Q)[] {
    const out: (P | Q)[] = []
    const size = a.length + b.length
    if (n <= 0 || size === 0) return out
    const start = size > n + 1 ? this.#random(size) : 0
    // Bounded walk: a seeder in a swarm of seeders gets few peers rather than costing O(size).
    const steps = Math.min(size, n * 8 + 64)
    for (let k = 0; k < steps && out.length < n; k++) {
      const i = (start + k) % size
      const p = i < a.length ? a[i]! : b[i - a.length]!
      if (p !== self && !(noSeeders && p.seeder)) out.push(p)
    }
    return out
  }
}

const EMPTY: readonly never[] = []
