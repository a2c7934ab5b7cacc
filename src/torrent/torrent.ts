import { Emitter } from '../util/emitter.js'
import { toHex, equalBytes } from '../util/bytes.js'
import { Bitfield } from '../util/bitfield.js'
import { RateMeter } from '../util/rate.js'
import { TokenBucket } from '../util/token-bucket.js'
import { parseInfo, type Metainfo } from '../metainfo/index.js'
import { Wire, UtMetadata } from '../wire/index.js'
import { PiecePicker } from '../engine/picker.js'
import { TorrentDiscovery } from './discovery.js'
import { Strikes } from './strikes.js'
import { awaitHandshake } from './await-handshake.js'
import type { Storage } from '../storage/types.js'
import { openStorage } from './open-storage.js'
import type { Duplex, PeerAddress } from '../transport/types.js'
import { AddressBook } from './address-book.js'
import { Downloader } from './downloader.js'
import { Uploader } from './uploader.js'
import { Peer } from './peer.js'
import { attachPeerHandlers, type PeerHost } from './peer-handlers.js'
import { TorrentFile, piecePriorities, verifiedBytesOf } from './files.js'
import type { TorrentContext } from './context.js'
import type { TorrentEvents, TorrentOptions } from './types.js'

export type { TorrentOptions, TorrentEvents }

/** One torrent: it connects wires, storage, picker and trackers, and delegates the work to
 * the downloader and the uploader. */
export class Torrent extends Emitter<TorrentEvents> {
  readonly infoHash: Uint8Array
  readonly infoHashHex: string
  metainfo: Metainfo | undefined
  files: TorrentFile[] = []
  readonly peers = new Map<string, Peer>()
  readonly addresses: AddressBook
  ready = false
  done = false
  destroyed = false
  readonly downloadMeter: RateMeter
  readonly uploadMeter: RateMeter

  #picker: PiecePicker | undefined
  #storage: Storage | undefined
  #downloader: Downloader | undefined
  #uploader: Uploader | undefined
  readonly #discovery: TorrentDiscovery
  #dialing = 0
  #timers: ReturnType<typeof setInterval>[] = []
  readonly #abort = new AbortController()
  readonly #strikes = new Strikes()

  /** what peer message handlers may touch (see peer-handlers.ts) */
  readonly #host: PeerHost

  constructor(readonly ctx: TorrentContext, readonly opts: TorrentOptions) {
    super()
    this.#host = {
      pieceCount: () => this.metainfo?.pieceCount,
      picker: () => this.#picker,
      downloader: () => this.#downloader,
      uploader: () => this.#uploader,
      wants: (i) => this.#wants(i),
      updateInterest: (p) => this.#updateInterest(p),
      rechokeSoon: () => this.#rechokeSoon(),
      removePeer: (p) => this.#removePeer(p),
      fetchMetadata: (p) => { if (!this.metainfo) wireExtensions.get(p.wire)?.fetch() },
      countDownload: (n) => this.downloadMeter.add(n),
      peerById: (id) => this.peers.get(id),
      warn: (e) => this.emit('warning', e),
    }
    this.infoHash = opts.infoHash
    this.infoHashHex = toHex(opts.infoHash)
    this.addresses = new AddressBook(2000, ctx.now)
    this.downloadMeter = new RateMeter(5, ctx.now)
    this.uploadMeter = new RateMeter(5, ctx.now)
    for (const p of opts.peers ?? []) this.addresses.add(p)
    this.#discovery = new TorrentDiscovery(ctx, {
      infoHash: this.infoHash,
      tiers: [...(opts.metainfo?.announce ?? []), ...(opts.announce ?? [])],
      stats: () => ({ uploaded: this.uploaded, downloaded: this.downloaded, left: this.#left() }),
      wantsPeers: () => !this.destroyed && this.peers.size < this.#maxPeers,
      addPeer: (addr) => this.addPeer(addr),
      addConnection: (conn, addr, initiator) => this.addConnection(conn, addr, initiator),
      warn: (e) => this.emit('warning', e),
    })
  }

  get name(): string { return this.metainfo?.name ?? this.opts.name ?? this.infoHashHex }
  get length(): number { return this.metainfo?.length ?? 0 }
  get numPeers(): number { return this.peers.size }
  get downloadSpeed(): number { return this.downloadMeter.rate() }
  get uploadSpeed(): number { return this.uploadMeter.rate() }
  get downloaded(): number { return this.downloadMeter.total }
  get uploaded(): number { return this.uploadMeter.total }
  get have(): Bitfield | undefined { return this.#picker?.have }

  /** bytes of the selected files that are verified, and how many are wanted */
  get wanted(): { have: number; total: number } {
    let have = 0, total = 0
    const picker = this.#picker
    if (!picker || !this.metainfo) return { have: 0, total: 0 }
    for (const f of this.files) {
      if (!f.selected || f.padding) continue
      total += f.length
      have += verifiedBytesOf(f, (i) => picker.has(i), this.metainfo.pieceLength)
    }
    return { have, total }
  }

  get progress(): number {
    const { have, total } = this.wanted
    return total === 0 ? (this.ready ? 1 : 0) : have / total
  }

  /** Starts discovery and, when the metadata is known, storage. */
  async start(): Promise<void> {
    this.#timers.push(setInterval(() => this.#tick(), 1000))
    this.#timers.push(setInterval(() => this.#rechoke(), 10_000))
    for (const t of this.#timers) (t as { unref?: () => void }).unref?.()
    this.#discovery.start()
    this.#connectMore()
    if (this.opts.metainfo) await this.#setMetadata(this.opts.metainfo)
  }

  addPeer(addr: PeerAddress): void {
    if (this.destroyed || this.ctx.isSelf(addr)) return
    if (this.addresses.add(addr)) this.#connectMore()
  }

  /** A connected transport from elsewhere (a WebRTC data channel): the initiator sends the
   * handshake first, the other side waits for it. */
  addConnection(conn: Duplex, addr: PeerAddress, initiator: boolean): void {
    if (this.destroyed || this.peers.size >= this.#maxPeers) { conn.destroy(); return }
    if (initiator) { this.#dialed(conn, addr); return }
    const wire = new Wire(conn)
    awaitHandshake(wire, (infoHash) => {
      if (!equalBytes(infoHash, this.infoHash)) { wire.destroy(new Error('peer named another info hash')); return }
      this.acceptWire(wire, addr)
    })
  }

  /** A peer that dialed us and named our info hash. */
  acceptWire(wire: Wire, addr: PeerAddress): void {
    if (this.destroyed || this.peers.size >= this.#maxPeers || this.addresses.isBanned(addr)) { wire.destroy(); return }
    this.#prepareWire(wire)
    wire.handshake(this.infoHash, this.ctx.peerId, { dht: false, fast: true, extended: true })
    this.#attach(wire, addr, true)
  }

  get #maxPeers(): number { return this.opts.maxPeers ?? 50 }

  #connectMore(): void {
    const connect = this.ctx.connect
    if (!connect || this.destroyed || (this.done && this.ready)) return
    const room = this.#maxPeers - this.peers.size - this.#dialing
    if (room <= 0) return
    for (const addr of this.addresses.takeDialable(Math.min(room, 8))) {
      if (!this.ctx.canConnect()) { this.addresses.disconnected(addr, false); break }
      this.#dialing++
      connect(addr, { signal: this.#abort.signal, infoHash: this.infoHash }).then((conn) => {
        this.#dialing--
        this.#dialed(conn, addr)
      }, () => {
        this.#dialing--
        this.addresses.disconnected(addr, true)
        this.#connectMore()
      })
    }
  }

  #dialed(conn: Duplex, addr: PeerAddress): void {
    if (this.destroyed) { conn.destroy(); return }
    const wire = new Wire(conn)
    this.#prepareWire(wire)
    wire.once('close', () => { if (!this.peers.has(peerKey(wire, addr))) this.addresses.disconnected(addr, true) })
    awaitHandshake(wire, (infoHash) => {
      if (!equalBytes(infoHash, this.infoHash)) { wire.destroy(new Error('peer answered with another info hash')); return }
      this.#attach(wire, addr, false)
    })
    wire.handshake(this.infoHash, this.ctx.peerId, { dht: false, fast: true, extended: true })
  }

  /** Extensions must be in place before our handshake goes out (BEP 10 advertises them). */
  #prepareWire(wire: Wire): void {
    const ut = new UtMetadata({ wire, infoHash: this.infoHash, getMetadata: () => this.metainfo?.infoBytes })
    wire.use(ut)
    ut.on('metadata', (bytes: Uint8Array) => { void this.#onMetadataBytes(bytes) })
    // A peer that lies about the metadata (size, pieces, hash) is of no use to us: drop it.
    ut.on('failed', (err: Error) => { this.emit('warning', err); wire.destroy(err) })
    wireExtensions.set(wire, ut)
  }

  #attach(wire: Wire, addr: PeerAddress, inbound: boolean): void {
    const peerId = wire.peerId
    if (peerId && equalBytes(peerId, this.ctx.peerId)) { wire.destroy(); this.addresses.ban(addr); return }
    const key = peerKey(wire, addr)
    if (this.peers.has(key) || this.destroyed) { wire.destroy(); return }
    const peer = new Peer(wire, addr, key, this.ctx.now())
    this.peers.set(key, peer)
    if (!inbound) this.addresses.connected(addr)
    this.#sendHave(peer)
    attachPeerHandlers(peer, this.#host)
    this.emit('wire', wire, addr)
  }

  /** Our piece map goes first after the handshake (BEP 3; BEP 6 have_all / have_none). */
  #sendHave(peer: Peer): void {
    const have = this.#picker?.have
    const fast = peer.wire.peerSupportsFast
    if (!have || have.isEmpty()) { if (fast) peer.wire.haveNone() }
    else if (have.isFull() && fast) peer.wire.haveAll()
    else peer.wire.bitfield(have)
  }

  #removePeer(peer: Peer): void {
    if (this.peers.get(peer.id) !== peer) return
    this.peers.delete(peer.id)
    this.#downloader?.dropAll(peer)
    if (peer.have) this.#picker?.removeAvailability(peer.have)
    this.addresses.disconnected(peer.address, false)
    if (!this.done && this.#leftWhenDone.size > 0) this.#redialLeftSeeds()
    if (!this.destroyed) {
      for (const other of this.peers.values()) this.#downloader?.fill(other)
      this.#connectMore()
    }
  }

  #wants(index: number): boolean {
    const p = this.#picker
    return !!p && !p.has(index) && (this.#priorities[index] ?? 0) > 0
  }

  #updateInterest(peer: Peer): void {
    const have = peer.have
    if (!have || !this.#picker) return
    let want = false
    for (let i = 0; i < have.length && !want; i++) want = have.get(i) && this.#wants(i)
    if (want && !peer.wire.amInterested) peer.wire.interested()
    else if (!want && peer.wire.amInterested) peer.wire.uninterested()
    if (want) this.#downloader?.fill(peer)
    // Two seeds have nothing to say to each other.
    if (!want && this.done && peer.isSeed) { this.#leftWhenDone.add(AddressBook.key(peer.address)); peer.wire.destroy() }
  }

  async #onMetadataBytes(infoBytes: Uint8Array): Promise<void> {
    if (this.metainfo || this.destroyed) return
    let metainfo: Metainfo
    try {
      metainfo = parseInfo(infoBytes, { announce: this.opts.announce ?? [] })
    } catch (err) {
      this.emit('warning', err as Error)
      return
    }
    if (!equalBytes(metainfo.infoHash, this.infoHash)) return
    await this.#setMetadata(metainfo)
  }

  async #setMetadata(metainfo: Metainfo): Promise<void> {
    if (this.metainfo) return
    this.metainfo = metainfo
    const select = this.opts.select ? new Set(this.opts.select) : undefined
    this.files = metainfo.files.map((entry, i) => {
      const f = new TorrentFile(i, entry, metainfo.pieceLength, () => this.#applySelection(),
        (file) => verifiedBytesOf(file, (p) => this.#picker?.has(p) ?? false, metainfo.pieceLength))
      if (select && !select.has(i)) f.selected = false
      f.torrent = this
      return f
    })
    this.emit('metadata')
    const picker = new PiecePicker({ pieceCount: metainfo.pieceCount, pieceLength: metainfo.pieceLength, length: metainfo.length })
    picker.setSequential(this.opts.sequential ?? false)
    let storage: Storage
    try {
      const opened = await openStorage(this.ctx, metainfo, { ...this.opts, signal: this.#abort.signal })
      storage = this.#storage = opened.storage
      for (let i = 0; i < metainfo.pieceCount; i++) if (opened.have === 'all' || opened.have.get(i)) picker.setHave(i)
    } catch (err) {
      if (!this.destroyed) this.emit('error', err as Error)
      return
    }
    if (this.destroyed) return
    this.#picker = picker
    this.#applySelection()
    const pieceSize = (i: number) => Math.min(metainfo.pieceLength, metainfo.length - i * metainfo.pieceLength)
    this.#downloader = new Downloader({ picker, storage, hasher: this.ctx.hasher, pieceLength: metainfo.pieceLength, length: metainfo.length, pieceHashes: metainfo.pieceHashes, now: this.ctx.now })
    this.#downloader.on('verified', (i) => this.#onVerified(i))
    this.#downloader.on('failed', (i, contributors) => this.#onFailed(i, contributors))
    this.#downloader.on('error', (e) => this.emit('error', e))
    this.#uploader = new Uploader({
      storage, has: (i) => picker.has(i), pieceSize, onUpload: (n) => this.uploadMeter.add(n),
      limit: this.opts.uploadLimit ? new TokenBucket(this.opts.uploadLimit, this.ctx.now) : undefined,
    })
    this.ready = true
    for (const peer of this.peers.values()) {
      const bf = peer.materialize(metainfo.pieceCount)
      picker.addAvailability(bf)
      this.#updateInterest(peer)
    }
    this.emit('ready')
    this.#checkDone()
    this.#rechoke()
  }

  #applySelection(): void {
    const picker = this.#picker
    if (!picker || !this.metainfo) return
    const prio = piecePriorities(this.files, this.metainfo.pieceCount)
    for (const raise of this.prioritySources) raise(prio)
    this.#priorities = prio
    let start = 0
    for (let i = 1; i <= prio.length; i++) {
      if (i === prio.length || prio[i] !== prio[start]) { picker.setPriority(start, i - 1, prio[start] ?? 0); start = i }
    }
    const wasDone = this.done
    this.done = false
    this.#checkDone(wasDone)
    if (wasDone && !this.done) { for (const p of this.peers.values()) this.#updateInterest(p); this.#redialLeftSeeds() }
  }

  #priorities: Uint8Array = new Uint8Array(0)
  /** seeds we left because we had all we wanted (AddressBook keys): redialed at once when
   * we want more (a stream reader on a deselected file) */
  readonly #leftWhenDone = new Set<string>()

  #redialLeftSeeds(): void {
    for (const key of this.#leftWhenDone) if (this.addresses.retryNow(key)) this.#leftWhenDone.delete(key)
    this.#connectMore()
  }

  /** Piece priorities on top of file selection (stream readers, src/stream): each source
   * raises entries of the array it is given, so a piece gets the max of all of them. */
  readonly prioritySources = new Set<(prio: Uint8Array) => void>()

  /** Recomputes piece priorities after a priority source changed, and asks peers for newly
   * urgent blocks now rather than at the next tick. */
  updatePriorities(): void {
    this.#applySelection()
    for (const peer of this.peers.values()) {
      this.#updateInterest(peer)
      this.#downloader?.fill(peer, true)
    }
  }

  /** Reads verified bytes of piece `index` from storage (stream readers). */
  async read(index: number, offset: number, length: number): Promise<Uint8Array> {
    if (!this.#storage || !this.#picker?.has(index)) throw new Error(`piece ${index} is not verified yet`)
    return this.#storage.read(index, offset, length)
  }

  #onVerified(index: number): void {
    for (const peer of this.peers.values()) {
      // A seed has every piece: telling it about ours only costs a write per piece.
      if (!peer.isSeed) peer.wire.have(index)
      if (peer.wire.amInterested && peer.requests.size === 0) this.#updateInterest(peer)
    }
    this.emit('piece', index)
    this.#checkDone()
  }

  /** A piece failed its hash: its senders get strikes (strikes.ts) and the worst are banned. */
  #onFailed(index: number, contributors: string[]): void {
    this.emit('warning', new Error(`piece ${index} failed its hash check`))
    const byKey = new Map<string, Peer | undefined>()
    for (const id of contributors) { const peer = this.peers.get(id); byKey.set(peer ? AddressBook.key(peer.address) : id, peer) }
    for (const key of this.#strikes.record([...byKey.keys()])) {
      const peer = byKey.get(key)
      if (!peer) continue
      this.addresses.ban(peer.address)
      peer.wire.destroy(new Error('banned: sent data that failed hash checks'))
    }
    for (const peer of this.peers.values()) this.#downloader?.fill(peer)
  }

  /** `quiet`: it was done before and stays done (priorities moved), nothing to announce. */
  #checkDone(quiet = false): void {
    const picker = this.#picker
    if (!picker || this.done) return
    for (let i = 0; i < this.#priorities.length; i++) if (this.#priorities[i]! > 0 && !picker.has(i)) return
    this.done = true
    if (quiet) return
    this.#discovery.completed()
    this.emit('done')
    for (const peer of this.peers.values()) this.#updateInterest(peer)
  }

  #left(): number {
    if (!this.metainfo) return 1 // unknown yet, but not a seed (BEP 3 trackers read 0 as seed)
    const { have, total } = this.wanted
    return total - have
  }

  #rechokeTimer: ReturnType<typeof setTimeout> | undefined
  #rechokeSoon(): void {
    this.#rechokeTimer ??= setTimeout(() => { this.#rechokeTimer = undefined; this.#rechoke() }, 0)
  }

  #rechoke(): void {
    if (!this.#uploader || this.destroyed) return
    this.#uploader.rechoke([...this.peers.values()], this.done)
  }

  #tick(): void {
    if (this.#downloader) {
      this.#downloader.tick(this.peers.values())
      this.#downloader.hurry(this.peers.values())
      for (const peer of this.peers.values()) this.#downloader.fill(peer)
    }
    this.#connectMore()
  }

  /** Asks trackers for more peers now (rate-limited by the announcer). */
  announce(): void { this.#discovery.update() }

  async destroy(): Promise<void> {
    if (this.destroyed) return
    this.destroyed = true
    this.#abort.abort()
    for (const t of this.#timers) clearInterval(t)
    if (this.#rechokeTimer) clearTimeout(this.#rechokeTimer)
    for (const peer of this.peers.values()) peer.wire.destroy()
    this.peers.clear()
    this.#downloader?.destroy()
    this.#uploader?.destroy()
    await this.#discovery.stop()
    await this.#storage?.close().catch(() => undefined)
    this.emit('close')
  }
}

const wireExtensions = new WeakMap<Wire, UtMetadata>()

function peerKey(wire: Wire, addr: PeerAddress): string {
  return `${AddressBook.key(addr)}/${wire.peerId ? toHex(wire.peerId) : '?'}`
}
