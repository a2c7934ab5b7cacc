import { randomBytes, toHex } from '../util/bytes.js'
import { RtcPeer } from '../transport/webrtc/rtc-peer.js'
import type { WebRtcOptions } from '../transport/webrtc/types.js'
import type { ChannelDuplex } from '../transport/webrtc/channel-duplex.js'
import type { PeerAddress } from '../transport/types.js'
import { encodeWsAnnounce, encodeWsAnswer, fromBinaryString, toBinaryString, type WsResponse } from '../tracker-protocol/index.js'
import type { SignalingTorrent } from './signaling.js'
import type { SocketHandler, TrackerSocket } from './ws-tracker-socket.js'

export interface SessionOptions {
  webrtc: WebRtcOptions
  offersPerAnnounce: number
  offerTimeoutMs: number
  minIntervalMs: number
  defaultIntervalMs: number
  maxAnswering: number
  warn: (err: Error) => void
}

/** The open WebRTC connections of one torrent by remote peer id, across all its trackers.
 * Two peers that offer to each other at the same time (glare) may both connect twice; the
 * rule that picks the survivor must give the same answer on both sides, so it depends only
 * on the two peer ids: the connection initiated by the lower id stays. */
export class OpenPeers {
  readonly #open = new Map<string, { duplex: ChannelDuplex; initiator: boolean }>()

  has(peerId: string): boolean { return this.#open.has(peerId) }
  get size(): number { return this.#open.size }

  /** Registers a newly opened connection; false if it lost to an existing one. */
  admit(ourId: string, peerId: string, duplex: ChannelDuplex, initiator: boolean): boolean {
    const existing = this.#open.get(peerId)
    if (existing && !existing.duplex.closed) {
      const keepOurs = ourId < peerId
      if (initiator !== keepOurs) return false
      existing.duplex.destroy()
    }
    this.#open.set(peerId, { duplex, initiator })
    duplex.on('close', () => { if (this.#open.get(peerId)?.duplex === duplex) this.#open.delete(peerId) })
    return true
  }
}

type Event = 'started' | 'completed' | 'stopped'

/** One torrent on one WebSocket tracker: announces with fresh offers, answers the offers the
 * tracker relays, matches answers to our offers by offer_id, and expires unanswered offers. */
export class TrackerSession implements SocketHandler {
  readonly #infoHash: string
  readonly #peerId: string
  readonly #offers = new Map<string, { peer: RtcPeer; timer: ReturnType<typeof setTimeout> }>()
  /** answering peers by remote peer id: one pending answer per remote peer */
  readonly #answering = new Map<string, RtcPeer>()
  #intervalMs: number
  /** the next re-announce delay while the torrent has no WebRTC peer (doubles, see #schedule) */
  #lonelyMs: number
  #timer: ReturnType<typeof setTimeout> | undefined
  #announcing = false
  #queued: Event | 'none' | undefined
  #left = false

  constructor(readonly torrent: SignalingTorrent, readonly socket: TrackerSocket, readonly peers: OpenPeers, readonly opts: SessionOptions) {
    this.#infoHash = toBinaryString(torrent.infoHash)
    this.#peerId = toBinaryString(torrent.peerId)
    this.#intervalMs = opts.defaultIntervalMs
    this.#lonelyMs = opts.minIntervalMs
  }

  get pendingOffers(): number { return this.#offers.size }
  get answering(): number { return this.#answering.size }

  start(): boolean {
    return this.socket.add(this.#infoHash, this)
  }

  /** (Re)connected: the tracker knows nothing of us yet. */
  onOpen(): void { void this.announce('started') }

  onWarning(err: Error): void { this.opts.warn(err) }

  onMessage(msg: WsResponse): void {
    if (this.#left) return
    switch (msg.kind) {
      case 'failure': this.opts.warn(new Error(`tracker ${this.socket.url}: ${msg.reason}`)); break
      case 'response':
        if (msg.warning) this.opts.warn(new Error(`tracker ${this.socket.url}: ${msg.warning}`))
        if (msg.interval !== undefined) this.#intervalMs = Math.max(this.opts.minIntervalMs, Math.min(3600_000, msg.interval * 1000))
        this.#schedule()
        break
      case 'offer': void this.#answer(msg.peerId, msg.offerId, msg.offer.sdp); break
      case 'answer': this.#onAnswer(msg.peerId, msg.offerId, msg.answer.sdp); break
      default: break
    }
  }

  /** Announces now (one at a time: a request while one is being prepared runs after it). */
  async announce(event?: Event): Promise<void> {
    if (this.#left) return
    if (this.#announcing) { this.#queued = event ?? this.#queued ?? 'none'; return }
    this.#announcing = true
    try {
      const offers = event === 'completed' || event === 'stopped' || !this.torrent.wantsPeers() ? [] : await this.#makeOffers()
      if (this.#left || !this.socket.isOpen) { for (const o of offers) this.#dropOffer(o.offerId); return }
      const stats = this.torrent.getStats()
      this.socket.send(encodeWsAnnounce({
        infoHash: this.#infoHash, peerId: this.#peerId, ...stats, event: event ?? 'none', numwant: offers.length,
        offers: offers.map((o) => ({ offerId: o.offerId, offer: { type: 'offer', sdp: o.sdp } })),
      }))
      this.#schedule()
    } finally {
      this.#announcing = false
      const next = this.#queued
      this.#queued = undefined
      if (next !== undefined) void this.announce(next === 'none' ? undefined : next)
    }
  }

  /** Stops announcing, says 'stopped', and closes every offer not yet connected. Connections
   * already handed to the torrent stay its own. */
  async leave(): Promise<void> {
    if (this.#left) return
    this.#left = true
    if (this.#timer) clearTimeout(this.#timer)
    try {
      const stats = this.torrent.getStats()
      this.socket.send(encodeWsAnnounce({ infoHash: this.#infoHash, peerId: this.#peerId, ...stats, event: 'stopped', numwant: 0, offers: [] }))
    } catch (err) {
      this.opts.warn(err as Error)
    }
    for (const id of [...this.#offers.keys()]) this.#dropOffer(id)
    for (const p of [...this.#answering.values()]) p.destroy()
    this.socket.remove(this.#infoHash, this)
  }

  /** The next announce: at the tracker's interval, or sooner while the torrent has no WebRTC
   * peer at all. An attempt can fail on the far side without a word (libdatachannel sometimes
   * loses the DTLS handshake of an answer it applies while the remote is already checking;
   * webtorrent then keeps its dead peer, and ignores our offers, for 25 s), so a lonely torrent
   * tries again at minInterval, doubling up to the interval, instead of waiting minutes. */
  #schedule(): void {
    if (this.#timer) clearTimeout(this.#timer)
    if (this.#left) return
    const lonely = this.peers.size === 0 && this.torrent.wantsPeers()
    const delay = lonely ? Math.min(this.#intervalMs, this.#lonelyMs) : this.#intervalMs
    this.#timer = setTimeout(() => {
      this.#timer = undefined
      if (lonely) this.#lonelyMs = Math.min(this.#intervalMs, this.#lonelyMs * 2)
      void this.announce()
    }, delay)
  }

  /** Offers are made and fully gathered before the announce goes out (no trickle ICE). */
  async #makeOffers(): Promise<{ offerId: string; sdp: string }[]> {
    const n = this.opts.offersPerAnnounce
    // At most two announces' worth pending: fresh offers push out the oldest, which a remote
    // may have dropped without answering (a peer it thinks it already has).
    for (const id of [...this.#offers.keys()].slice(0, Math.max(0, this.#offers.size + n - n * 2))) this.#dropOffer(id)
    const made = await Promise.allSettled(Array.from({ length: n }, () => RtcPeer.offer(this.opts.webrtc)))
    const out: { offerId: string; sdp: string }[] = []
    for (const r of made) {
      if (r.status === 'rejected') { this.opts.warn(r.reason as Error); continue }
      const offerId = toBinaryString(randomBytes(20))
      const { peer, sdp } = r.value
      // An offer nobody answers within the expiry is closed (reference clients: 50 s).
      const timer = setTimeout(() => this.#dropOffer(offerId), this.opts.offerTimeoutMs)
      this.#offers.set(offerId, { peer, timer })
      peer.once('close', () => { if (this.#offers.get(offerId)?.peer === peer) this.#dropOffer(offerId) })
      out.push({ offerId, sdp })
    }
    return out
  }

  #dropOffer(offerId: string): void {
    const o = this.#offers.get(offerId)
    if (!o) return
    this.#offers.delete(offerId)
    clearTimeout(o.timer)
    o.peer.destroy()
  }

  #onAnswer(peerId: string, offerId: string, sdp: string): void {
    const o = this.#offers.get(offerId)
    if (!o) return // unknown or expired offer: nothing to do
    this.#offers.delete(offerId)
    clearTimeout(o.timer)
    if (peerId === this.#peerId || this.peers.has(peerId) || !this.torrent.wantsPeers()) { o.peer.destroy(); return }
    this.#handOver(o.peer, peerId)
    o.peer.accept(sdp).catch((err: Error) => this.opts.warn(err))
  }

  async #answer(peerId: string, offerId: string, sdp: string): Promise<void> {
    if (peerId === this.#peerId || this.peers.has(peerId) || !this.torrent.wantsPeers()) return
    // A new offer from a peer we are still answering: it has given up on the old attempt
    // (which can fail on its side without a word reaching us), so the new one replaces it.
    this.#answering.get(peerId)?.destroy()
    if (this.#answering.size >= this.opts.maxAnswering) return
    const pending = RtcPeer.answer(sdp, this.opts.webrtc)
    let answered: { peer: RtcPeer; sdp: string }
    try {
      answered = await pending
    } catch (err) {
      this.opts.warn(err as Error)
      return
    }
    const { peer } = answered
    if (this.#left || !this.socket.isOpen || this.peers.has(peerId)) { peer.destroy(); return }
    this.#answering.get(peerId)?.destroy()
    this.#answering.set(peerId, peer)
    const settled = () => { if (this.#answering.get(peerId) === peer) this.#answering.delete(peerId) }
    peer.once('close', settled)
    peer.once('connect', settled)
    this.#handOver(peer, peerId)
    this.socket.send(encodeWsAnswer({ infoHash: this.#infoHash, peerId: this.#peerId, toPeerId: peerId, offerId, answer: { type: 'answer', sdp: answered.sdp } }))
  }

  /** When the channel opens the torrent gets it (unless a twin connection wins, see OpenPeers). */
  #handOver(peer: RtcPeer, peerId: string): void {
    peer.once('connect', (duplex) => {
      if (this.#left || !this.peers.admit(this.#peerId, peerId, duplex, peer.initiator)) { duplex.destroy(); return }
      this.#lonelyMs = this.opts.minIntervalMs
      this.torrent.addConnection(duplex, webrtcAddress(peerId), peer.initiator)
    })
    peer.on('error', (err) => this.opts.warn(err))
    // A failed attempt while we have no WebRTC peer at all: try again soon rather than at
    // the next regular announce, minutes away.
    peer.once('close', () => { if (!peer.connected) this.#retrySoon() })
  }

  #retrySoon(): void {
    if (this.#left || this.peers.size > 0 || !this.torrent.wantsPeers()) return
    const delay = Math.min(this.#intervalMs, this.opts.minIntervalMs)
    if (this.#timer) clearTimeout(this.#timer)
    this.#timer = setTimeout(() => { this.#timer = undefined; void this.announce() }, delay)
  }
}

/** A pseudo-address per remote peer, so the torrent's bookkeeping keeps WebRTC peers apart. */
export function webrtcAddress(peerId: string): PeerAddress {
  return { host: `webrtc:${toHex(fromBinaryString(peerId))}`, port: 1 }
}
