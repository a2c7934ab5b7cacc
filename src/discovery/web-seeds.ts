/** A torrent's web seeds (BEP 19): the url-list of its .torrent and any added later. Each
 * URL is kept connected as a peer (web-seed-peer.ts) while the torrent downloads: after a
 * failure it is tried again with an exponential backoff, and dropped after `maxFailures`
 * failures in a row (a GET that completes clears the count). A web seed the torrent banned
 * (its data failed hash checks: the torrent's strikes, as for any peer) is never connected
 * again. Nothing is connected while the torrent seeds, is paused, failed or is gone; the
 * torrent calls `update()` when its state changes. */
import { Emitter } from '../util/emitter.js'
import type { Clock, Timer } from '../util/clock.js'
import type { Duplex, PeerAddress } from '../transport/types.js'
import { checkUrl } from './safe-fetch.js'
import { WebSeedPeer, webSeedAddress, type WebSeedPeerOptions, type WebSeedTorrent } from './web-seed-peer.js'

export interface WebSeedHost {
  clock: Clock
  /** the torrent's metadata once known (web seeds need it to map pieces to files) */
  torrent(): (WebSeedTorrent & { urlList?: readonly string[] }) | undefined
  /** connecting is wanted now: the torrent is downloading */
  wantsPeers(): boolean
  isBanned(addr: PeerAddress): boolean
  /** hands the torrent a connected peer on which it sends the handshake first */
  addConnection(conn: Duplex, addr: PeerAddress): void
  warn(err: Error): void
}

export interface WebSeedsOptions {
  /** the first wait after a failure, doubled after each further one (default 2 s) */
  retryMs?: number
  /** failures in a row after which a URL is dropped (default 4) */
  maxFailures?: number
  /** passed to each web seed's peer: GETs in flight, bytes per GET, time bounds */
  peer?: Pick<WebSeedPeerOptions, 'maxGets' | 'maxRunBytes' | 'gatherMs' | 'limits'>
}

export type WebSeedState = 'waiting' | 'connected' | 'dropped' | 'banned'

export interface WebSeedInfo {
  url: string
  state: WebSeedState
  failures: number
  lastError: Error | undefined
  /** GETs sent and body bytes received over all its connections */
  gets: number
  bytes: number
}

export type WebSeedsEvents = {
  /** a URL will not be used again: it failed too often, or it was banned */
  dropped: [url: string, why: Error]
}

interface Entry extends WebSeedInfo {
  retryAt: number
  peer: WebSeedPeer | undefined
  timer: Timer | undefined
}

/** a torrent with thousands of url-list entries does not get thousands of connections */
const MAX_URLS = 64
const MAX_CONNECTED = 8

export class WebSeeds extends Emitter<WebSeedsEvents> {
  readonly #entries = new Map<string, Entry>()
  #listed = false
  #destroyed = false

  constructor(private readonly host: WebSeedHost, private readonly opts: WebSeedsOptions = {}) {
    super()
  }

  /** Adds a URL (BEP 19: one the client cannot use is ignored, with a warning). */
  add(url: string): void {
    if (this.#destroyed || this.#entries.has(url) || this.#entries.size >= MAX_URLS) return
    try { checkUrl(url) } catch (err) { this.host.warn(new Error(`web seed ${url} ignored: ${(err as Error).message}`)); return }
    this.#entries.set(url, { url, state: 'waiting', failures: 0, lastError: undefined, gets: 0, bytes: 0, retryAt: 0, peer: undefined, timer: undefined })
    this.update()
  }

  list(): WebSeedInfo[] {
    return [...this.#entries.values()].map(({ url, state, failures, lastError, gets, bytes }) => ({ url, state, failures, lastError, gets, bytes }))
  }

  /** Connects the web seeds that are due, if the torrent wants peers. */
  update(): void {
    if (this.#destroyed) return
    const torrent = this.host.torrent()
    if (!torrent) return
    if (!this.#listed) { this.#listed = true; for (const u of torrent.urlList ?? []) this.add(u) }
    if (!this.host.wantsPeers()) return
    const now = this.host.clock.now()
    let connected = [...this.#entries.values()].filter((e) => e.peer).length
    for (const e of this.#entries.values()) {
      if (e.state !== 'waiting' || e.peer || e.timer) continue
      if (this.host.isBanned(webSeedAddress(e.url))) { this.#drop(e, 'banned', new Error('banned: sent data that failed hash checks')); continue }
      if (e.retryAt > now) { this.#retryAt(e, e.retryAt - now); continue }
      if (connected >= MAX_CONNECTED) break
      this.#connect(e, torrent)
      connected++
    }
  }

  destroy(): void {
    this.#destroyed = true
    for (const e of this.#entries.values()) {
      e.timer?.cancel()
      e.timer = undefined
      e.peer?.destroy()
      if (e.state === 'connected') e.state = 'waiting'
    }
  }

  #connect(e: Entry, torrent: WebSeedTorrent): void {
    const peer = new WebSeedPeer({ ...this.opts.peer, url: e.url, torrent, clock: this.host.clock })
    e.peer = peer
    e.state = 'connected'
    let handshaken = false
    peer.duplex.on('data', () => { handshaken = true })
    peer.on('served', (n) => { e.failures = 0; e.gets++; e.bytes += n })
    peer.once('close', (err) => this.#onClose(e, peer, err, handshaken))
    this.host.addConnection(peer.duplex, peer.address)
  }

  #onClose(e: Entry, peer: WebSeedPeer, err: Error | undefined, answered: boolean): void {
    if (e.peer !== peer) return
    e.peer = undefined
    if (this.#destroyed) return
    e.state = 'waiting'
    const now = this.host.clock.now()
    const retryMs = this.opts.retryMs ?? 2000
    if (this.host.isBanned(peer.address)) {
      this.#drop(e, 'banned', new Error('banned: sent data that failed hash checks'))
    } else if (err) {
      e.failures++
      e.lastError = err
      this.host.warn(new Error(`web seed ${e.url}: ${err.message}`))
      if (e.failures >= (this.opts.maxFailures ?? 4)) this.#drop(e, 'dropped', err)
      else e.retryAt = now + retryMs * 2 ** (e.failures - 1)
    } else {
      // The torrent let it go: it is done, paused, or had no room for it (closed before
      // our answer arrived): wait a little in that last case rather than spin.
      e.retryAt = answered ? now : now + retryMs
    }
    this.update()
  }

  #retryAt(e: Entry, ms: number): void {
    e.timer = this.host.clock.setTimeout(() => { e.timer = undefined; this.update() }, ms)
    e.timer.unref()
  }

  #drop(e: Entry, state: 'dropped' | 'banned', why: Error): void {
    e.state = state
    e.lastError = why
    this.emit('dropped', e.url, why)
  }
}
