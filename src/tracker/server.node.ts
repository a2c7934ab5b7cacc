import type { Server as NetServer, Socket } from 'node:net'
import { createSocket, type Socket as UdpSocket } from 'node:dgram'
import type { AddressInfo } from 'node:net'
import { createLeanHttpServer } from './http-server.node.js'
import { Emitter } from '../util/emitter.js'
import { TrackerCore, type CoreOptions, type TrackerEvents } from './tracker-core.js'
import { createHttpHandler } from './http-handler.node.js'
import { attachUdp } from './udp-handler.node.js'
import { WsTracker, type WsConn } from './ws-handler.node.js'
import { ConnectionIds } from './connection-id.node.js'
import { clusterStats, type TrackerStats } from './stats.js'
import { ClusterSync, type SyncOptions } from './cluster/sync.js'
import type { ClusterLink, OriginReport } from './cluster/messages.js'

/** One process, one swarm store, three transports: HTTP (BEP 3), UDP (BEP 15) and WebSocket
 * (WebRTC signaling). By default everything binds 127.0.0.1 on random ports and WebSocket
 * shares the HTTP port (upgrade). */

export interface Endpoint { port: number; host?: string }

export interface TrackerServerOptions extends CoreOptions {
  /** HTTP announce/scrape/stats (default: 127.0.0.1, random port); false disables */
  http?: Endpoint | false
  /** UDP announce/scrape (default: 127.0.0.1, random port); false disables */
  udp?: Endpoint | false
  /** WebSocket: its own endpoint, 'http' to share the HTTP port (the default), or false */
  ws?: Endpoint | 'http' | false
  /** take the client address from X-Forwarded-For (only behind a proxy you run; default false) */
  trustProxy?: boolean
  /** how often idle peers are swept, in ms (default 30 s) */
  sweepIntervalMs?: number
  /** share swarms with other tracker processes (workers through their primary, instances
   * through Redis); without it everything stays in this process */
  cluster?: ClusterLink
  /** batching and liveness of the cluster sync */
  sync?: SyncOptions
  /** key for UDP connection ids (BEP 15); processes sharing a UDP port must share it */
  connectionIdKey?: Uint8Array
}

export interface ListeningPorts { http?: number; udp?: number; ws?: number }

const DEFAULT_HOST = '127.0.0.1'

export class TrackerServer extends Emitter<TrackerEvents> {
  readonly #opts: TrackerServerOptions
  readonly #core: TrackerCore<WsConn>
  readonly #ws: WsTracker | undefined
  readonly #sync: ClusterSync<WsConn> | undefined
  #httpServer: NetServer | undefined
  #wsServer: NetServer | undefined
  #udp: UdpSocket | undefined
  /** open TCP sockets, so close() can end keep-alive connections too */
  readonly #sockets = new Set<Socket>()
  #timer: ReturnType<typeof setInterval> | undefined
  #listening = false
  #closed = false

  constructor(opts: TrackerServerOptions = {}) {
    super()
    this.#opts = opts
    let sync: ClusterSync<WsConn> | undefined
    this.#core = new TrackerCore(this, opts.cluster
      ? { ...opts, onChange: (h, s, p, r) => sync!.onChange(h, s, p, r), onMirrorHit: (h, p, stopped) => sync!.onMirrorHit(h, p, stopped) }
      : opts)
    const wsOpt = this.#wsEndpoint()
    const ws = wsOpt === false ? undefined : new WsTracker(this.#core, { trustProxy: opts.trustProxy ?? false })
    this.#ws = ws
    if (opts.cluster) {
      const link = opts.cluster
      sync = new ClusterSync(this.#core.store, link, {
        report: () => this.#report(link.origin),
        relay: (r) => ws?.deliver(r),
        warning: (m) => { if (this.listenerCount('warning') > 0) this.emit('warning', m) },
      }, { now: this.#core.now, ...opts.sync })
      ws?.attachCluster({ origin: link.origin, send: (to, r) => link.relay(to, r) })
    }
    this.#sync = sync
  }

  /** Binds every enabled transport; resolves with the actual ports. */
  async listen(): Promise<ListeningPorts> {
    if (this.#listening || this.#closed) throw new Error('listen() may be called once')
    this.#listening = true
    // Joining the cluster never blocks serving: a link that cannot connect keeps retrying.
    await this.#sync?.start()
    const ports: ListeningPorts = {}
    const trustProxy = this.#opts.trustProxy ?? false
    const stats = (): TrackerStats => this.stats()
    const http = this.#opts.http ?? { port: 0 }
    const wsOpt = this.#wsEndpoint()

    if (http !== false) {
      const handler = createHttpHandler(this.#core, { trustProxy, stats, clusterConnected: () => this.#sync?.link.connected })
      const ws = wsOpt === 'http' ? this.#ws : undefined
      const server = createLeanHttpServer({
        handle: handler,
        upgrade: (req, sock, head) => { if (ws) ws.handleUpgrade(req, sock, head); else sock.destroy() },
      })
      this.#httpServer = server
      ports.http = await this.#listenTcp(server, http)
      if (wsOpt === 'http') ports.ws = ports.http
    }
    if (wsOpt !== false && wsOpt !== 'http' && this.#ws) {
      const ws = this.#ws
      const server = createLeanHttpServer({
        handle: () => ({ status: 426, type: 'text/plain', body: 'WebSocket only' }),
        upgrade: (req, sock, head) => ws.handleUpgrade(req, sock, head),
      })
      this.#wsServer = server
      ports.ws = await this.#listenTcp(server, wsOpt)
    }
    const udp = this.#opts.udp ?? { port: 0 }
    if (udp !== false) {
      const host = udp.host ?? DEFAULT_HOST
      const sock = createSocket({ type: host.includes(':') ? 'udp6' : 'udp4', ipv6Only: false })
      this.#udp = sock
      await new Promise<void>((resolve, reject) => {
        sock.once('error', reject)
        sock.bind(udp.port, host, () => { sock.off('error', reject); resolve() })
      })
      sock.on('error', (err) => this.#error(err))
      attachUdp(sock, this.#core, new ConnectionIds({ now: this.#core.now, ...(this.#opts.connectionIdKey ? { key: this.#opts.connectionIdKey } : {}) }))
      ports.udp = sock.address().port
    }
    this.#timer = setInterval(() => this.sweep(), this.#opts.sweepIntervalMs ?? 30_000)
    this.#timer.unref()
    return ports
  }

  /** Expires idle peers and closes silent sockets now (also runs on a timer). */
  sweep(): void {
    const ws = this.#ws
    this.#core.expire(ws && ((infoHash, peerId, conn) => ws.forget(infoHash, peerId, conn)))
    ws?.sweep()
  }

  /** Figures of this process and, in a cluster, summed over every live process. */
  stats(): TrackerStats {
    const own = this.#ownStats()
    return this.#sync ? clusterStats(own, this.#sync.reports.values()) : own
  }

  #ownStats(): TrackerStats {
    const m = process.memoryUsage()
    return this.#core.stats(this.#ws?.connections ?? 0, { rss: m.rss, heapUsed: m.heapUsed, external: m.external })
  }

  #report(origin: string): OriginReport {
    const s = this.#ownStats()
    return {
      o: origin, at: this.#core.now(), seeders: s.seeders, leechers: s.leechers, ws: s.ws, http: s.http, udp: s.udp, sockets: s.sockets,
      perSecond: { http: s.announcesPerSecond.http, udp: s.announcesPerSecond.udp, ws: s.announcesPerSecond.ws },
      totals: s.totals, clients: s.clients, memory: s.memory,
    }
  }

  /** Closes every socket and timer; the process can exit afterwards. */
  async close(): Promise<void> {
    if (this.#closed) return
    this.#closed = true
    if (this.#timer) clearInterval(this.#timer)
    await this.#sync?.close()
    this.#ws?.close()
    const closing: Promise<void>[] = []
    for (const s of [this.#httpServer, this.#wsServer]) {
      if (!s || !s.listening) continue
      closing.push(new Promise((resolve) => s.close(() => resolve())))
      for (const sock of this.#sockets) sock.destroy()
    }
    if (this.#udp) {
      const u = this.#udp
      closing.push(new Promise((resolve) => { try { u.close(() => resolve()) } catch { resolve() } }))
    }
    await Promise.all(closing)
  }

  #wsEndpoint(): Endpoint | 'http' | false {
    const { ws, http } = this.#opts
    if (ws === undefined) return http === false ? { port: 0 } : 'http'
    if (ws !== false && ws !== 'http' && http && ws.port === http.port && ws.port !== 0 && (ws.host ?? DEFAULT_HOST) === (http.host ?? DEFAULT_HOST)) return 'http'
    if (ws === 'http' && http === false) return { port: 0 }
    return ws
  }

  #error(err: Error): void {
    if (this.listenerCount('error') > 0) this.emit('error', err)
  }

  #listenTcp(server: NetServer, ep: Endpoint): Promise<number> {
    const sockets = this.#sockets
    function forget(this: Socket): void { sockets.delete(this) }
    server.on('connection', (sock: Socket) => { sockets.add(sock); sock.on('close', forget) })
    server.on('error', (err) => this.#error(err))
    return listenOn(server, ep)
  }
}

function listenOn(server: NetServer, ep: Endpoint): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject)
    server.listen(ep.port, ep.host ?? DEFAULT_HOST, () => {
      server.off('error', reject)
      resolve((server.address() as AddressInfo).port)
    })
  })
}
