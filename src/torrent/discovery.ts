import { Announcer } from '../discovery/announcer.js'
import { DhtAnnouncer, clockTimers } from '../discovery/dht/index.js'
import type { Duplex, PeerAddress } from '../transport/types.js'
import type { Signaling, TorrentContext } from './context.js'

import type { PeerSource } from './connections.js'
import type { PeerConnection } from './peer-connection.js'
import { PeerExchange } from './peer-exchange.js'

export interface DiscoveryHost {
  infoHash: Uint8Array
  /** announce tiers: HTTP and UDP URLs go to the announcer, ws:// and wss:// to signaling */
  tiers: string[][]
  /** BEP 27: a private torrent uses its trackers only (no DHT, PEX or LSD) */
  readonly private: boolean
  stats(): { uploaded: number; downloaded: number; left: number }
  wantsPeers(): boolean
  addPeer(addr: PeerAddress, source: PeerSource): void
  addConnection(conn: Duplex, addr: PeerAddress, initiator: boolean): void
  /** the active peers (for peer exchange) */
  peers(): Iterable<PeerConnection>
  warn(err: Error): void
}

/** What each tracker last said, for people asking why there are no peers. */
export interface TrackerStatus {
  url: string
  /** 'ok' after an answer, 'failed' after an error, 'waiting' before either */
  state: 'waiting' | 'ok' | 'failed'
  error?: string
  peers: number
}

/** Where a torrent's peers come from: trackers that answer with addresses (HTTP, UDP),
 * WebSocket trackers that broker WebRTC connections, the DHT and peer exchange. */
export class TorrentDiscovery {
  #announcer: Announcer | undefined
  #signaling: ReturnType<Signaling['join']> | undefined
  #dht: DhtAnnouncer | undefined
  #pex: PeerExchange | undefined
  #lsd: { leave(): void } | undefined
  readonly #trackers = new Map<string, TrackerStatus>()

  constructor(private readonly ctx: TorrentContext, private readonly host: DiscoveryHost) {}

  get trackers(): TrackerStatus[] { return [...this.#trackers.values()] }

  start(): void {
    const { ctx, host } = this
    const wsUrls = [...new Set(host.tiers.flat().filter((u) => /^wss?:\/\//.test(u)))]
    if (ctx.signaling && wsUrls.length > 0) {
      this.#signaling = ctx.signaling.join({
        infoHash: host.infoHash, peerId: ctx.peerId, urls: wsUrls,
        getStats: () => host.stats(),
        wantsPeers: () => host.wantsPeers(),
        addConnection: (conn, addr, initiator) => host.addConnection(conn, addr, initiator),
      })
    }
    if (ctx.dht && !host.private) {
      this.#dht = new DhtAnnouncer({
        dht: ctx.dht, infoHash: host.infoHash, port: () => ctx.port(),
        onPeers: (peers) => { for (const p of peers) host.addPeer(p, 'dht') },
        wantsPeers: () => host.wantsPeers(),
        onWarning: (e) => host.warn(e),
        now: () => ctx.clock.now(), timers: clockTimers(ctx.clock),
      })
      this.#dht.start()
    }
    if (ctx.lsd && !host.private) this.#lsd = ctx.lsd.join(host.infoHash, (a) => host.addPeer(a, 'lsd'))
    this.#pex = new PeerExchange({
      clock: ctx.clock, peers: () => host.peers(), add: (a) => host.addPeer(a, 'pex'), isPrivate: () => host.private,
    })
    this.#pex.start()
    if (host.tiers.length === 0) return
    const announcer = new Announcer({
      announce: host.tiers, infoHash: host.infoHash, peerId: ctx.peerId, port: ctx.port(),
      getStats: () => host.stats(), transports: ctx.trackerTransports, clock: ctx.clock,
    })
    for (const url of announcer.tiers.flat()) this.#trackers.set(url, { url, state: 'waiting', peers: 0 })
    announcer.on('response', (url, res) => this.#trackers.set(url, { url, state: 'ok', peers: res.peers.length }))
    announcer.on('failure', (url, err) => this.#trackers.set(url, { url, state: 'failed', error: err.message, peers: 0 }))
    announcer.on('peers', (peers) => { for (const p of peers) host.addPeer(p, 'tracker') })
    announcer.on('warning', (w) => host.warn(new Error(w)))
    announcer.on('error', (e) => host.warn(e))
    announcer.start()
    this.#announcer = announcer
  }

  /** The metadata said private (BEP 27): the DHT and peer exchange are left. */
  private(): void {
    void this.#dht?.stop()
    this.#dht = undefined
    this.#pex?.stop()
    this.#pex = undefined
    this.#lsd?.leave()
    this.#lsd = undefined
  }

  /** A peer is active: peer exchange listens to it and tells it who we have. */
  peerActive(peer: PeerConnection): void { this.#pex?.add(peer) }

  /** We have everything we wanted (BEP 3 event=completed). */
  completed(): void {
    this.#announcer?.complete()
    this.#signaling?.update('completed')
  }

  /** More peers wanted now (rate-limited by the announcer and the DHT walker). */
  update(): void {
    this.#announcer?.update()
    this.#signaling?.update()
    this.#dht?.update()
  }

  async stop(): Promise<void> {
    this.#pex?.stop()
    this.#lsd?.leave()
    await Promise.all([this.#announcer?.stop(), this.#signaling?.leave(), this.#dht?.stop()].map((p) => p?.catch(() => undefined)))
  }
}
