import { encodeCompactPeer } from '../../tracker-protocol/index.js'
import type { SwarmStore, Swarm, ClassicPeer, RemotePeer } from '../swarm-store.js'
import { isPeerOp, type Batch, type ClusterLink, type LinkHandlers, type OriginReport, type PeerOp, type Relay } from './messages.js'

/** Keeps this process's part of the swarms published to the cluster and the other processes'
 * parts mirrored into the local store, so every announce is answered from local memory.
 * Local changes are collected as "dirty" and sent in one batch per `flushMs`; a peer that
 * changes ten times in a window costs one op. */

export interface SyncOptions {
  /** batch window (default 50 ms) */
  flushMs?: number
  /** heartbeat period (default 1 s) */
  heartbeatMs?: number
  /** an origin silent this long is taken for dead and forgotten (default 15 s) */
  deadAfterMs?: number
  /** a peer held elsewhere that keeps announcing here is reported alive this often (default 60 s) */
  touchEveryMs?: number
  now?: () => number
}

export interface SyncHooks {
  /** this origin's figures, sent with each heartbeat */
  report(): OriginReport
  /** a relay addressed to us */
  relay(r: Relay): void
  warning(message: string): void
}

/** Ops in one batch at most: a full state goes out in several. */
const MAX_OPS_PER_BATCH = 2000

export class ClusterSync<H> {
  readonly #store: SwarmStore<H>
  readonly #link: ClusterLink
  readonly #hooks: SyncHooks
  readonly #now: () => number
  readonly #deadAfterMs: number
  /** key infoHash + peerId → the peer (undefined: removed) */
  readonly #dirtyPeers = new Map<string, ClassicPeer | undefined>()
  readonly #dirtySwarms = new Set<string>()
  /** touches and stops for peers other processes hold */
  #notes: PeerOp[] = []
  readonly #touchEveryMs: number
  readonly #reports = new Map<string, OriginReport>()
  #seq = 0
  #flushTimer: ReturnType<typeof setInterval> | undefined
  #beatTimer: ReturnType<typeof setInterval> | undefined
  readonly #flushMs: number
  readonly #heartbeatMs: number

  constructor(store: SwarmStore<H>, link: ClusterLink, hooks: SyncHooks, opts: SyncOptions = {}) {
    this.#store = store
    this.#link = link
    this.#hooks = hooks
    this.#now = opts.now ?? Date.now
    this.#deadAfterMs = opts.deadAfterMs ?? 15_000
    this.#flushMs = opts.flushMs ?? 50
    this.#heartbeatMs = opts.heartbeatMs ?? 1000
    this.#touchEveryMs = opts.touchEveryMs ?? 60_000
  }

  /** The store's mirror-hit hook: tells the holder, at most once per `touchEveryMs` per peer
   * (its expiry is minutes away), or at once for `stopped`. */
  readonly onMirrorHit = (infoHash: string, peer: RemotePeer, stopped: boolean): void => {
    if (stopped) { this.#notes.push({ t: 's', h: infoHash, id: peer.peerId }); this.#store.removeRemote(infoHash, peer.origin, peer.peerId); return }
    const now = this.#now()
    if (now - peer.touched < this.#touchEveryMs) return
    peer.touched = now
    this.#notes.push({ t: 't', h: infoHash, id: peer.peerId })
  }

  get origin(): string { return this.#link.origin }
  get link(): ClusterLink { return this.#link }

  /** The store's change hook. */
  readonly onChange = (infoHash: string, _swarm: Swarm<unknown>, peer?: ClassicPeer, removed?: boolean): void => {
    if (peer) this.#dirtyPeers.set(infoHash + peer.peerId, removed ? undefined : peer)
    this.#dirtySwarms.add(infoHash)
  }

  async start(): Promise<void> {
    const handlers: LinkHandlers = {
      batch: (b) => this.#apply(b),
      relay: (r) => this.#hooks.relay(r),
      // Age is judged by when we heard, not by the sender's clock.
      report: (r) => { if (typeof r?.o === 'string' && r.o !== this.origin) this.#reports.set(r.o, { ...r, at: this.#now() }) },
      gone: (o) => this.#forget(o),
      resync: () => this.#publishFull(),
      warning: (m) => this.#hooks.warning(m),
    }
    this.#flushTimer = setInterval(() => this.flush(), this.#flushMs)
    this.#flushTimer.unref()
    this.#beatTimer = setInterval(() => this.#beat(), this.#heartbeatMs)
    this.#beatTimer.unref()
    await this.#link.start(handlers)
  }

  /** Reports of the other live origins (for /stats and /metrics). */
  get reports(): ReadonlyMap<string, OriginReport> { return this.#reports }

  /** Sends what changed since the last flush. */
  flush(): void {
    if (this.#dirtyPeers.size === 0 && this.#dirtySwarms.size === 0 && this.#notes.length === 0) return
    if (!this.#link.connected) { this.#notes = []; return } // kept dirty; the full state follows the reconnection anyway
    const ops: PeerOp[] = this.#notes
    this.#notes = []
    for (const [key, peer] of this.#dirtyPeers) {
      const h = key.slice(0, 20), id = key.slice(20)
      ops.push(peer ? peerOp(h, peer) : { t: 'x', h, id })
    }
    for (const h of this.#dirtySwarms) ops.push(this.#summaryOp(h))
    this.#dirtyPeers.clear()
    this.#dirtySwarms.clear()
    for (let i = 0; i < ops.length; i += MAX_OPS_PER_BATCH) this.#link.publish({ o: this.origin, q: ++this.#seq, ops: ops.slice(i, i + MAX_OPS_PER_BATCH) })
  }

  async close(): Promise<void> {
    clearInterval(this.#flushTimer)
    clearInterval(this.#beatTimer)
    await this.#link.close()
  }

  /** Everything local, as ops (the first batch of it carries `full`). */
  #publishFull(): void {
    this.#dirtyPeers.clear()
    this.#dirtySwarms.clear()
    const ops: PeerOp[] = []
    for (const [h, swarm] of this.#store.swarms) {
      for (const p of swarm.classic.list) ops.push(peerOp(h, p))
      if (swarm.size > 0 || swarm.downloaded > 0) ops.push(this.#summaryOp(h))
    }
    let first = true
    for (let i = 0; i < ops.length || first; i += MAX_OPS_PER_BATCH) {
      this.#link.publish({ o: this.origin, q: ++this.#seq, ...(first ? { full: true } : {}), ops: ops.slice(i, i + MAX_OPS_PER_BATCH) })
      first = false
    }
    this.#beat()
  }

  #summaryOp(h: string): PeerOp {
    const s = this.#store.swarms.get(h)
    if (!s) return { t: 'c', h, c: 0, i: 0, d: 0, w: 0 }
    return { t: 'c', h, c: s.complete, i: s.incomplete, d: s.downloaded, w: s.ws.size }
  }

  #apply(b: Batch): void {
    if (typeof b !== 'object' || b === null || typeof b.o !== 'string' || !Array.isArray(b.ops) || b.o === this.origin) return
    if (b.full) this.#store.dropOrigin(b.o)
    // An origin we hear from is alive, even before its first heartbeat.
    if (!this.#reports.has(b.o)) this.#reports.set(b.o, emptyReport(b.o, this.#now()))
    for (const op of b.ops) {
      if (!isPeerOp(op)) continue
      if (op.t === 'p') {
        this.#store.takeOver(op.h, op.id)
        this.#store.putRemote(op.h, b.o, op.id, op.ip, op.port, encodeCompactPeer(op.ip, op.port), op.s === 1)
      }
      else if (op.t === 'x') this.#store.removeRemote(op.h, b.o, op.id)
      else if (op.t === 't') this.#store.touch(op.h, op.id, this.#now())
      else if (op.t === 's') this.#store.takeOver(op.h, op.id)
      else {
        const zero = op.c === 0 && op.i === 0 && op.w === 0
        this.#store.setSummary(op.h, b.o, zero ? undefined : { complete: op.c, incomplete: op.i, downloaded: op.d, ws: op.w })
      }
    }
  }

  #forget(origin: string): void {
    this.#reports.delete(origin)
    this.#store.dropOrigin(origin)
  }

  #beat(): void {
    const now = this.#now()
    for (const [o, r] of this.#reports) {
      if (now - r.at > this.#deadAfterMs && this.#link.connected) {
        this.#hooks.warning(`tracker ${o} went silent: forgetting its peers`)
        this.#forget(o)
      }
    }
    // Batches first: a report never runs ahead of the peers it counts.
    this.flush()
    if (this.#link.connected) this.#link.heartbeat(this.#hooks.report())
  }
}

const peerOp = (h: string, p: ClassicPeer): PeerOp => ({ t: 'p', h, id: p.peerId, ip: p.ip, port: p.port, s: p.seeder ? 1 : 0 })

export function emptyReport(o: string, at: number): OriginReport {
  return {
    o, at, seeders: 0, leechers: 0, ws: 0, http: 0, udp: 0, sockets: 0,
    perSecond: { http: 0, udp: 0, ws: 0 },
    totals: { http: 0, udp: 0, ws: 0, rejected: 0, relaysLocal: 0, relaysOut: 0, relaysIn: 0 },
    clients: [], memory: { rss: 0, heapUsed: 0, external: 0 },
  }
}
