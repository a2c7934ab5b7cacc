import { Announcer } from '../discovery/announcer.js'
import type { Duplex, PeerAddress } from '../transport/types.js'
import type { Signaling, TorrentContext } from './context.js'

export interface DiscoveryHost {
  infoHash: Uint8Array
  /** announce tiers: HTTP and UDP URLs go to the announcer, ws:// and wss:// to signaling */
  tiers: string[][]
  stats(): { uploaded: number; downloaded: number; left: number }
  wantsPeers(): boolean
  addPeer(addr: PeerAddress): void
  addConnection(conn: Duplex, addr: PeerAddress, initiator: boolean): void
  warn(err: Error): void
}

/** Where a torrent's peers come from: trackers that answer with addresses (HTTP, UDP) and
 * WebSocket trackers that broker WebRTC connections. */
export class TorrentDiscovery {
  #announcer: Announcer | undefined
  #signaling: ReturnType<Signaling['join']> | undefined

  constructor(private readonly ctx: TorrentContext, private readonly host: DiscoveryHost) {}

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
    if (host.tiers.length === 0) return
    const announcer = new Announcer({
      announce: host.tiers, infoHash: host.infoHash, peerId: ctx.peerId, port: ctx.port(),
      getStats: () => host.stats(), transports: ctx.trackerTransports, clock: ctx.clock,
    })
    announcer.on('peers', (peers) => { for (const p of peers) host.addPeer(p) })
    announcer.on('warning', (w) => host.warn(new Error(w)))
    announcer.on('error', (e) => host.warn(e))
    announcer.start()
    this.#announcer = announcer
  }

  /** We have everything we wanted (BEP 3 event=completed). */
  completed(): void {
    this.#announcer?.complete()
    this.#signaling?.update('completed')
  }

  /** More peers wanted now (rate-limited by the announcer). */
  update(): void {
    this.#announcer?.update()
    this.#signaling?.update()
  }

  async stop(): Promise<void> {
    await Promise.all([this.#announcer?.stop(), this.#signaling?.leave()].map((p) => p?.catch(() => undefined)))
  }
}
