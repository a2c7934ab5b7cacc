import type { LeanRequest } from './http-server.node.js'
import type { Duplex } from 'node:stream'
import type { IncomingMessage } from 'node:http'
import { WebSocketServer, type WebSocket, type RawData } from 'ws'
import type { TrackerCore } from './tracker-core.js'
import type { Swarm, WsPeer } from './swarm-store.js'
import { take, type Bucket } from './rate-limiter.js'
import { requestIp } from './http-handler.node.js'
import {
  MAX_SDP, TrackerError, WsRequestError, encodeWsAnnounceResponse, encodeWsAnswerRelay, encodeWsFailure, encodeWsOfferRelay,
  encodeWsScrapeResponse, parseWsRequest, type WsAnnounce, type WsAnswer, type WsScrape,
} from '../tracker-protocol/index.js'
import { OfferRoutes, splitOffers } from './cluster/relay.js'
import type { Relay } from './cluster/messages.js'

/** The WebSocket tracker (specs/websocket-tracker.md): announces, offer relay to random
 * WebSocket peers of the swarm, answers relayed by `to_peer_id`, scrape. One `WsConn` per
 * socket; it remembers which swarms it joined so a closed socket leaves all of them. */

export class WsConn implements Bucket {
  /** `infoHash + peerId` (40 chars) of each swarm membership announced on this socket; one
   * socket may carry several peer ids (bittorrent-tracker shares a socket per URL). The first
   * is kept inline: most sockets join one swarm, and a Set per socket costs more than the rest. */
  #first: string | undefined
  #more: Set<string> | undefined
  tokens: number
  at: number
  strikes = 0
  lastMessage: number
  constructor(readonly ws: WebSocket, readonly ip: string, now: number, burst: number) {
    this.tokens = burst; this.at = now; this.lastMessage = now
  }
  has(key: string): boolean { return this.#first === key || (this.#more?.has(key) ?? false) }
  add(key: string): void {
    if (this.has(key)) return
    if (this.#first === undefined) this.#first = key
    else (this.#more ??= new Set()).add(key)
  }
  delete(key: string): void {
    if (this.#first === key) this.#first = undefined
    else this.#more?.delete(key)
  }
  get size(): number { return (this.#first === undefined ? 0 : 1) + (this.#more?.size ?? 0) }
  keys(): string[] { return [...(this.#first === undefined ? [] : [this.#first]), ...(this.#more ?? [])] }
  clear(): void { this.#first = undefined; this.#more = undefined }
}

/** After this many refused (rate-limited) messages in a row, the socket is closed. */
const MAX_STRIKES = 20

/** How a WebSocket tracker reaches the sockets held by other processes of its cluster. */
export interface RemoteRelay {
  readonly origin: string
  send(to: string, r: Relay): void
}

export class WsTracker {
  readonly #perAddress = new Map<string, number>()
  #cluster: RemoteRelay | undefined
  readonly #routes: OfferRoutes
  readonly #wss: WebSocketServer
  readonly #core: TrackerCore<WsConn>
  readonly #trustProxy: boolean
  readonly #byWs = new Map<WebSocket, WsConn>()
  // One set of listeners shared by every socket (`this` is the WebSocket): closures per socket
  // would cost more than the connection's own state.
  readonly #onWsMessage: (this: WebSocket, data: RawData, isBinary: boolean) => void
  readonly #onWsError: (this: WebSocket, err: Error) => void
  readonly #onWsClose: (this: WebSocket) => void

  constructor(core: TrackerCore<WsConn>, opts: { trustProxy: boolean }) {
    this.#core = core
    this.#trustProxy = opts.trustProxy
    this.#routes = new OfferRoutes(core.now)
    this.#wss = new WebSocketServer({
      noServer: true, clientTracking: false, perMessageDeflate: false,
      maxPayload: core.limits.maxFrameBytes,
    })
    // eslint-disable-next-line @typescript-eslint/no-this-alias
    const self = this
    this.#onWsMessage = function (data, isBinary) {
      const conn = self.#byWs.get(this)
      if (conn) self.#onMessage(conn, data, isBinary)
    }
    // ws closes the socket itself after protocol errors (e.g. a frame over maxPayload: 1009).
    this.#onWsError = function (err) { self.#core.reject('ws', self.#byWs.get(this)?.ip ?? '', err.message) }
    this.#onWsClose = function () {
      const conn = self.#byWs.get(this)
      if (conn) self.#onClose(conn)
    }
  }

  handleUpgrade(req: LeanRequest, socket: Duplex, head: Buffer): void {
    const ip = requestIp(req, this.#trustProxy)
    const max = this.#core.limits.maxSocketsPerAddress
    const count = this.#perAddress.get(ip) ?? 0
    if (max > 0 && count >= max) {
      this.#core.reject('ws', ip, 'too many connections from this address')
      socket.end('HTTP/1.1 429 Too Many Requests\r\nConnection: close\r\nContent-Length: 0\r\n\r\n')
      return
    }
    // ws reads only method, url, headers and socket from the request.
    this.#wss.handleUpgrade(req as unknown as IncomingMessage, socket, head, (ws) => this.#onConnection(ws, ip))
  }

  #onConnection(ws: WebSocket, ip: string): void {
    const core = this.#core
    const conn = new WsConn(ws, ip, core.now(), core.limits.messageBurstPerSocket)
    this.#byWs.set(ws, conn)
    this.#perAddress.set(ip, (this.#perAddress.get(ip) ?? 0) + 1)
    ws.on('message', this.#onWsMessage)
    ws.on('error', this.#onWsError)
    ws.on('close', this.#onWsClose)
  }

  get connections(): number { return this.#byWs.size }

  #onClose(conn: WsConn): void {
    if (!this.#byWs.delete(conn.ws)) return
    const n = (this.#perAddress.get(conn.ip) ?? 1) - 1
    if (n <= 0) this.#perAddress.delete(conn.ip)
    else this.#perAddress.set(conn.ip, n)
    for (const key of conn.keys()) this.#core.store.removeWs(key.slice(0, 20), key.slice(20), conn)
    conn.clear()
  }

  #onMessage(conn: WsConn, data: RawData, isBinary: boolean): void {
    const core = this.#core
    const now = core.now()
    conn.lastMessage = now
    const l = core.limits
    if (l.messagesPerSecondPerSocket > 0 && !take(conn, now, l.messagesPerSecondPerSocket, l.messageBurstPerSocket)) {
      core.reject('ws', conn.ip, 'rate limited')
      if (++conn.strikes >= MAX_STRIKES) { conn.ws.close(1008, 'rate limited'); return }
      this.#send(conn, encodeWsFailure(new WsRequestError('rate limited: slow down')))
      return
    }
    conn.strikes = 0
    try {
      if (isBinary) throw new WsRequestError('binary frames are not supported: send JSON text')
      const text = Buffer.isBuffer(data) ? data.toString() : Array.isArray(data) ? Buffer.concat(data).toString() : Buffer.from(data).toString()
      const msg = parseWsRequest(text, l)
      if (msg.action === 'announce') this.#announce(conn, msg)
      else if (msg.action === 'answer') this.#answer(conn, msg)
      else this.#scrape(conn, msg)
    } catch (err) {
      // A refusal is the client's fault; anything else is ours, and still must not take the
      // process (and every other swarm) down.
      const refusal = err instanceof TrackerError ? err : new TrackerError('internal error')
      core.reject('ws', conn.ip, err instanceof TrackerError ? err.message : `internal error: ${(err as Error).message}`)
      this.#send(conn, encodeWsFailure(refusal))
    }
  }

  #announce(conn: WsConn, msg: WsAnnounce): void {
    const core = this.#core
    const { infoHash, peerId } = msg
    const refuse = (reason: string): never => { throw new WsRequestError(reason, 'announce', infoHash) }
    try { core.checkAllowed(infoHash) } catch (err) { refuse((err as Error).message) }
    const key = infoHash + peerId
    if (!conn.has(key) && msg.event !== 'stopped' && conn.size >= core.limits.maxSwarmsPerSocket) {
      refuse('too many torrents on this connection')
    }
    const req = { kind: 'ws' as const, ...msg, ip: conn.ip, port: 0 }
    let r
    try { r = core.store.announceWs(req, conn, core.now()) } catch (err) {
      if (err instanceof TrackerError) refuse(err.message)
      throw err
    }
    core.noteAnnounce(req)
    if (msg.event === 'stopped') conn.delete(key)
    else conn.add(key)
    const counts = 'swarm' in r! ? r.swarm.counts() : r!
    this.#send(conn, encodeWsAnnounceResponse({ infoHash, interval: core.wsInterval, complete: counts.complete, incomplete: counts.incomplete }))
    if (!('swarm' in r!) || msg.offers.length === 0) return
    const n = Math.min(msg.numwant, msg.offers.length)
    const cluster = this.#cluster
    // Alone, or nobody else holds WebSocket peers of this swarm: every offer stays here.
    if (!cluster || r.swarm.others.ws === 0) { this.#offerLocally(r.swarm, n, r.peer, msg); return }
    const split = splitOffers(r.swarm, n, true, core.random)
    let next = this.#offerLocally(r.swarm, split.local, r.peer, msg)
    for (const [origin, count] of split.remote) {
      const offers = msg.offers.slice(next, next + count).map((o) => ({ id: o.offerId, sdp: o.offer.sdp }))
      next += count
      cluster.send(origin, { t: 'offer', h: infoHash, from: peerId, back: cluster.origin, offers })
      core.counters.relaysOut += offers.length
    }
  }

  /** Sends offers from the start of the list to up to `n` random local peers; returns how
   * many offers were used. */
  #offerLocally(swarm: Swarm<WsConn>, n: number, self: WsPeer<WsConn> | undefined, msg: WsAnnounce): number {
    const targets = this.#core.store.pickWs(swarm, n, self)
    targets.forEach((t, i) => {
      const o = msg.offers[i]!
      this.#send(t.handle, encodeWsOfferRelay({ infoHash: msg.infoHash, peerId: msg.peerId, offerId: o.offerId, offer: o.offer }))
    })
    this.#core.counters.relaysLocal += targets.length
    return targets.length
  }

  /** Joins a cluster: offers and answers may now cross to sockets held elsewhere. */
  attachCluster(relay: RemoteRelay): void { this.#cluster = relay }

  /** A relay from another process: offers for our peers of the swarm, or an answer for one. */
  deliver(r: Relay): void {
    if (typeof r !== 'object' || r === null || typeof r.h !== 'string' || typeof r.from !== 'string') return
    const swarm = this.#core.store.swarms.get(r.h)
    if (!swarm) return
    const core = this.#core
    if (r.t === 'answer') {
      const target = swarm.ws.byId.get(r.to)
      if (!target || typeof r.sdp !== 'string' || typeof r.id !== 'string' || r.sdp.length > MAX_SDP) return
      core.counters.relaysIn++
      this.#send(target.handle, encodeWsAnswerRelay({ infoHash: r.h, peerId: r.from, offerId: r.id, answer: { type: 'answer', sdp: r.sdp } }))
      return
    }
    if (r.t !== 'offer' || !Array.isArray(r.offers) || typeof r.back !== 'string') return
    const offers = r.offers.slice(0, core.limits.maxOffers)
    // One spare pick in case the offerer itself also holds a socket here.
    const targets = core.store.pickWs(swarm, offers.length + 1, undefined).filter((t) => t.peerId !== r.from)
    for (let i = 0; i < offers.length && i < targets.length; i++) {
      const o = offers[i]!
      if (typeof o?.sdp !== 'string' || typeof o.id !== 'string' || o.sdp.length > MAX_SDP) continue
      this.#routes.set(o.id, r.back)
      core.counters.relaysIn++
      this.#send(targets[i]!.handle, encodeWsOfferRelay({ infoHash: r.h, peerId: r.from, offerId: o.id, offer: { type: 'offer', sdp: o.sdp } }))
    }
  }

  /** Relays an answer to the offerer. The answerer must have joined the swarm under that
   * peer id on this socket, so nobody can inject answers in another peer's name. */
  #answer(conn: WsConn, msg: WsAnswer): void {
    if (!conn.has(msg.infoHash + msg.peerId)) {
      throw new WsRequestError('announce to this torrent before answering', 'announce', msg.infoHash)
    }
    const target = this.#core.store.swarms.get(msg.infoHash)?.ws.byId.get(msg.toPeerId)
    if (target) {
      this.#core.counters.relaysLocal++
      this.#send(target.handle, encodeWsAnswerRelay({ infoHash: msg.infoHash, peerId: msg.peerId, offerId: msg.offerId, answer: msg.answer }))
      return
    }
    // The offer came from another process: the answer goes back there. Otherwise the offerer
    // left meanwhile: the answer is dropped, as the spec gives the answerer no reply.
    const origin = this.#cluster && this.#routes.take(msg.offerId)
    if (!origin) return
    this.#core.counters.relaysOut++
    this.#cluster!.send(origin, { t: 'answer', h: msg.infoHash, from: msg.peerId, to: msg.toPeerId, id: msg.offerId, sdp: msg.answer.sdp })
  }

  #scrape(conn: WsConn, msg: WsScrape): void {
    this.#send(conn, encodeWsScrapeResponse(this.#core.scrape('ws', msg.infoHashes)))
  }

  /** Sends unless the reader is too slow (its queue is over the limit): relays are best-effort. */
  #send(conn: WsConn, text: string): void {
    const ws = conn.ws
    if (ws.readyState !== ws.OPEN) return
    if (ws.bufferedAmount > this.#core.limits.maxBufferedBytes) {
      this.#core.reject('ws', conn.ip, 'slow reader: message dropped')
      return
    }
    ws.send(text)
  }

  /** Closes sockets silent for longer than two intervals plus a minute (dead or idle). */
  sweep(): void {
    const before = this.#core.now() - (this.#core.wsInterval * 2 + 60) * 1000
    for (const c of this.#byWs.values()) if (c.lastMessage < before) c.ws.terminate()
  }

  /** A peer expired from a swarm by the store: forget it on its socket too. */
  forget(infoHash: string, peerId: string, conn: WsConn): void {
    conn.delete(infoHash + peerId)
  }

  close(): void {
    for (const c of [...this.#byWs.values()]) c.ws.terminate()
    this.#wss.close()
  }
}
