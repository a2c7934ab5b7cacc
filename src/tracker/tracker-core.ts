import { toHex } from '../util/bytes.js'
import { binaryBytes } from '../bencode/index.js'
import type { Emitter } from '../util/emitter.js'
import { SwarmStore, type Swarm, type SwarmStoreOptions } from './swarm-store.js'
import { RateMeter, clientName, type CoreCounters, type TrackerStats } from './stats.js'
export type { CoreCounters } from './stats.js'
import { RateLimiter } from './rate-limiter.js'
import type { AnnounceAnswer, AnnounceRequest, PeerKind, ScrapeCounts, TrackerLimits } from './types.js'
import { DEFAULT_LIMITS, TrackerRefusal } from './types.js'

/** State and rules shared by the three transports: the swarm store, limits, allow-list,
 * meters and events. Transports parse, call in here, and encode. No I/O. */

export interface TrackerEvents {
  [event: string]: unknown[]
  /** every accepted announce */
  announce: [{ kind: PeerKind; infoHash: string; peerId: string; ip: string; event: AnnounceRequest['event'] }]
  /** every accepted scrape (info hashes in hex) */
  scrape: [{ kind: PeerKind; infoHashes: string[] }]
  /** a request answered with a failure, rate limited or a socket closed for misbehaving */
  rejected: [{ kind: PeerKind; ip: string; reason: string }]
  /** a listening socket failed after listen() */
  error: [Error]
  /** something the operator should know that stops nothing (the cluster link went down...) */
  warning: [string]
}

export interface CoreOptions {
  /** announce interval in seconds for HTTP/UDP (default 600) */
  interval?: number
  /** announce interval in seconds for WebSocket peers (default 120, or `interval` if given) */
  wsInterval?: number
  allowList?: (infoHashHex: string) => boolean
  limits?: TrackerLimits
  now?: () => number
  random?: (n: number) => number
  /** local changes other processes of a cluster must learn of (see SwarmStoreOptions) */
  onChange?: SwarmStoreOptions['onChange']
  onMirrorHit?: SwarmStoreOptions['onMirrorHit']
}

/** Counters since start, for /metrics (monotonic). */
const hexOf = (binary: string): string => toHex(binaryBytes(binary))

export class TrackerCore<H> {
  readonly store: SwarmStore<H>
  readonly limits: Required<TrackerLimits>
  readonly interval: number
  readonly wsInterval: number
  readonly now: () => number
  readonly addressLimiter: RateLimiter
  readonly random: (n: number) => number
  readonly counters: CoreCounters = { http: 0, udp: 0, ws: 0, rejected: 0, relaysLocal: 0, relaysOut: 0, relaysIn: 0 }
  readonly #meters: Record<PeerKind, RateMeter>
  readonly #allowList: ((infoHashHex: string) => boolean) | undefined
  readonly #started: number

  constructor(readonly events: Emitter<TrackerEvents>, opts: CoreOptions = {}) {
    this.limits = { ...DEFAULT_LIMITS, ...opts.limits }
    this.interval = opts.interval ?? 600
    this.wsInterval = opts.wsInterval ?? opts.interval ?? 120
    this.now = opts.now ?? Date.now
    this.#allowList = opts.allowList
    this.random = opts.random ?? ((n) => Math.floor(Math.random() * n))
    this.store = new SwarmStore<H>({
      maxPeersPerSwarm: this.limits.maxPeersPerSwarm, maxSwarms: this.limits.maxSwarms, random: this.random, onChange: opts.onChange, onMirrorHit: opts.onMirrorHit,
    })
    this.addressLimiter = new RateLimiter({
      rate: this.limits.requestsPerSecondPerAddress, burst: this.limits.requestBurstPerAddress,
    })
    this.#meters = { http: new RateMeter(this.now), udp: new RateMeter(this.now), ws: new RateMeter(this.now) }
    this.#started = this.now()
  }

  /** Throws TrackerRefusal when the torrent is not on the allow-list. */
  checkAllowed(infoHash: string): void {
    if (this.#allowList && !this.#allowList(hexOf(infoHash))) throw new TrackerRefusal('torrent not allowed on this tracker')
  }

  announceClassic(req: AnnounceRequest): AnnounceAnswer {
    this.checkAllowed(req.infoHash)
    const result = this.store.announceClassic(req, this.now())
    this.noteAnnounce(req)
    return result
  }

  noteAnnounce(req: AnnounceRequest): void {
    this.#meters[req.kind].mark()
    this.counters[req.kind]++
    if (this.events.listenerCount('announce') > 0) {
      this.events.emit('announce', { kind: req.kind, infoHash: hexOf(req.infoHash), peerId: hexOf(req.peerId), ip: req.ip, event: req.event })
    }
  }

  scrape(kind: PeerKind, infoHashes: readonly string[]): Map<string, ScrapeCounts> {
    const files = new Map<string, ScrapeCounts>()
    for (const h of infoHashes) files.set(h, this.store.scrape(h))
    if (this.events.listenerCount('scrape') > 0) this.events.emit('scrape', { kind, infoHashes: infoHashes.map(hexOf) })
    return files
  }

  reject(kind: PeerKind, ip: string, reason: string): void {
    this.counters.rejected++
    if (this.events.listenerCount('rejected') > 0) this.events.emit('rejected', { kind, ip, reason })
  }

  /** Forgets peers idle for more than two intervals plus a minute of grace. */
  expire(onWsExpired?: (infoHash: string, peerId: string, handle: H) => void): number {
    const now = this.now()
    this.addressLimiter.sweep(now)
    return this.store.expire(
      now - (this.interval * 2 + 60) * 1000,
      now - (this.wsInterval * 2 + 60) * 1000,
      onWsExpired && ((infoHash, peer) => onWsExpired(infoHash, peer.peerId, peer.handle)),
    )
  }

  /** This process's own figures (a cluster sums those of every process, see stats.ts). */
  stats(sockets: number, memory: TrackerStats['memory']): TrackerStats {
    const http = this.#meters.http.perSecond(), udp = this.#meters.udp.perSecond(), ws = this.#meters.ws.perSecond()
    return {
      ...this.store.counts(),
      announcesPerSecond: { http, udp, ws, total: http + udp + ws },
      sockets,
      clients: topClients(this.store.swarms.values()),
      memory,
      uptimeSeconds: (this.now() - this.#started) / 1000,
      processes: 1,
      totals: { ...this.counters },
    }
  }
}

function topClients<H>(swarms: Iterable<Swarm<H>>): { name: string; peers: number }[] {
  const counts = new Map<string, number>()
  const add = (peerId: string): void => {
    const n = clientName(peerId)
    counts.set(n, (counts.get(n) ?? 0) + 1)
  }
  for (const s of swarms) {
    for (const p of s.classic.list) add(p.peerId)
    for (const p of s.ws.list) add(p.peerId)
  }
  return [...counts].sort((a, b) => b[1] - a[1]).slice(0, 20).map(([name, peers]) => ({ name, peers }))
}
