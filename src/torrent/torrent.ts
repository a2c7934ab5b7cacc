import type { Bitfield } from '../util/bitfield.js'
import type { Timer } from '../util/clock.js'
import { equalBytes } from '../util/bytes.js'
import { parseHostPort } from '../util/host-port.js'
import { parseInfo, type Metainfo } from '../metainfo/index.js'
import { Wire } from '../wire/index.js'
import { PiecePicker } from '../engine/picker.js'
import { PiecePriorities, changedRuns } from '../engine/piece-priorities.js'
import type { ReaderWindows } from '../engine/reader-windows.js'
import type { Storage } from '../storage/types.js'
import type { Duplex, PeerAddress } from '../transport/types.js'
import { TorrentDiscovery, type TrackerStatus } from './discovery.js'
import { webSeedsOf, type WebSeeds } from './web-seeds.js'
import { awaitHandshake } from './await-handshake.js'
import { openStorage } from './open-storage.js'
import { Connections, type PeerSource } from './connections.js'
import { Exchange } from './exchange.js'
import { Lifecycle, type TorrentState } from './lifecycle.js'
import type { PeerConnection } from './peer-connection.js'
import { TorrentFile, piecePriorities, type FileAdapters, type FileHost } from './files.js'
import { readRange, StreamError, type ReadOptions, type ReaderSource } from './readers.js'
import { Selections } from './selections.js'
import { TorrentView } from './torrent-view.js'
import { untilEvent } from './wait.js'
import type { TorrentContext } from './context.js'
import type { TorrentEvents, TorrentOptions, TorrentSource } from './types.js'

export type { TorrentOptions, TorrentEvents, TorrentState, TorrentSource }

/** how often 'noPeers' may fire (WebTorrent's default noPeersIntervalTime) */
const NO_PEERS_INTERVAL_MS = 30_000
const NO_HASH = new Uint8Array(20)

/** One torrent. It connects the parts and holds the lifecycle; the work is theirs:
 * Connections (who we talk to), Exchange (pieces in and out: picker, request planner,
 * assembler, uploader), PiecePriorities (files, ranges and stream readers), discovery.
 *
 * A torrent exists before its id is read (a .torrent path or URL): `identify()` gives it
 * its info hash and, when known, its metadata; `start()` (the client calls it once it
 * listens) starts discovery and storage. State events ('infoHash', 'metadata', 'ready',
 * 'done') reach listeners added late as well (util/state-emitter.ts). */
export class Torrent extends TorrentView implements FileHost, ReaderSource {
  files: TorrentFile[] = []
  readonly webSeeds: WebSeeds // BEP 19: the url-list, opts.webSeeds and addWebSeed's, each a peer

  readonly #life = new Lifecycle()
  readonly #connections: Connections
  #started = false
  #metainfo: Metainfo | undefined
  #storage: Storage | undefined
  #exchange: Exchange | undefined
  #priorities: PiecePriorities | undefined
  #selections: Selections | undefined
  /** priorities the picker has now, to hand it only what changed */
  #applied: Uint8Array = new Uint8Array(0)
  #discovery: TorrentDiscovery | undefined
  #timers: Timer[] = []
  #lonelySince: number
  readonly #abort = new AbortController()

  constructor(ctx: TorrentContext, opts: TorrentOptions, source?: TorrentSource) {
    super(ctx, opts)
    this.#lonelySince = ctx.clock.now()
    // eslint-disable-next-line @typescript-eslint/no-this-alias
    const self = this
    this.#connections = new Connections({
      // read when dialing or accepting, which starts only once the info hash is known
      get infoHash() { return self.infoHashBytes ?? NO_HASH },
      peerId: ctx.peerId, clock: ctx.clock, maxPeers: opts.maxPeers ?? 50,
      getMetadata: () => this.#metainfo?.infoBytes,
      connect: ctx.connect, canConnect: (a) => ctx.canConnect(a), isSelf: (a) => ctx.isSelf(a),
      wantsToDial: () => this.#started && this.#life.live,
      seeding: () => this.done,
      // BEP 27: no DHT for private torrents (0: no PORT message)
      dhtPort: ctx.dht ? () => this.#metainfo?.private ? 0 : ctx.dht!.port : undefined,
      listenPort: () => ctx.port(),
      onPeer: (peer) => this.#onPeer(peer),
      onClosed: (peer) => this.#onClosed(peer),
    })
    for (const p of opts.peers ?? []) this.#connections.addresses.add(p)
    this.webSeeds = webSeedsOf(this, opts)
    this.#life.on('state', (state, previous) => this.emit('state', state, previous))
    if (opts.paused) this.#life.pause(true)
    if (source) this.identify(source)
  }

  get state(): TorrentState { return this.#life.state }
  get metainfo(): Metainfo | undefined { return this.#metainfo }
  /** the metadata and storage are there: pieces can be exchanged and read */
  get ready(): boolean { return this.#exchange !== undefined }
  /** every selected piece is verified */
  get done(): boolean { return this.#life.progress === 'seeding' }
  get destroyed(): boolean { return this.#life.destroyed }
  get paused(): boolean { return this.#life.paused }
  /** why the torrent stopped, in the error state */
  get error(): Error | undefined { return this.#life.error }
  /** active peers by id */
  get peers(): ReadonlyMap<string, PeerConnection> { return this.#connections.active }
  /** the wires of the active peers */
  get wires(): Wire[] { return [...this.#connections.active.values()].map((p) => p.wire) }
  get numPeers(): number { return this.#connections.size }
  get addresses(): Connections['addresses'] { return this.#connections.addresses }
  get have(): Bitfield | undefined { return this.#exchange?.picker.have }
  /** the piece exchange, once ready (tests and diagnostics) */
  get exchange(): Exchange | undefined { return this.#exchange }
  get adapters(): FileAdapters { return this.ctx.fileAdapters ?? {} }

  /** What the id named: the info hash, and the metadata when the id carried it. Once. */
  identify(source: TorrentSource): void {
    if (this.destroyed || !this.setSource(source)) return
    for (const p of source.peers ?? []) this.#connections.addresses.add(p)
    this.emit('infoHash', this.infoHash)
    if (source.metainfo) this.#setMetadata(source.metainfo)
  }

  /** Starts discovery and, when the metadata is known, storage (once identified). */
  start(): void {
    if (this.#started || !this.infoHashBytes || this.destroyed) return
    this.#started = true
    const { clock } = this.ctx
    this.#timers.push(clock.setInterval(() => this.#tick(), 1000).unref())
    this.#timers.push(clock.setInterval(() => this.#exchange?.rechoke(), 10_000).unref())
    if (this.#life.live) this.#startDiscovery()
    this.#connections.connectMore()
    if (this.#metainfo) void this.#openStorage(this.#metainfo)
  }

  /** WebTorrent's piece selection (selections.ts): want, skip, or rush pieces start..end. */
  select(start: number, end: number, priority?: number): void { this.#pieceSelections().select(start, end, priority) }
  deselect(start: number, end: number): void { this.#pieceSelections().deselect(start, end) }
  critical(start: number, end: number): void { this.#pieceSelections().critical(start, end) }

  #pieceSelections(): Selections {
    if (!this.#selections) throw new RangeError('no pieces to select before the metadata is known')
    return this.#selections
  }

  protected limitsChanged(): void { this.#exchange?.need('tick') }

  /** A peer to dial: an address or 'host:port'. */
  addPeer(addr: PeerAddress | string, source: PeerSource = 'manual'): boolean {
    const a = typeof addr === 'string' ? parseHostPort(addr) : addr
    if (!a || !this.#life.live) return false
    this.#connections.add(a, source)
    return true
  }

  /** Where peers come from and what each source said: for "why no peers?". */
  get discovery(): { trackers: TrackerStatus[]; dhtNodes: number | undefined; found: Readonly<Record<PeerSource, number>> } {
    return { trackers: this.#discovery?.trackers ?? [], dhtNodes: this.ctx.dht?.nodeCount, found: this.#connections.found }
  }
  addWebSeed(url: string): void { this.webSeeds.add(url) } // BEP 19: a file's URL, or a multi-file torrent's folder

  /** A connected transport from elsewhere (a WebRTC data channel): the initiator sends the
   * handshake first, the other side waits for it. */
  addConnection(conn: Duplex, addr: PeerAddress, initiator: boolean): void {
    if (!this.#life.live || !this.#connections.hasRoom) { conn.destroy(); return }
    if (initiator) { this.#connections.adopt(conn, addr); return }
    const wire = new Wire(conn, { clock: this.ctx.clock })
    awaitHandshake(wire, this.ctx.clock, () => this.acceptWire(wire, addr))
  }

  /** A peer that dialed us and named our info hash. */
  acceptWire(wire: Wire, addr: PeerAddress): void {
    if (!this.#life.live) { wire.destroy(); return }
    this.#connections.accept(wire, addr)
  }

  /** Asks trackers for more peers now (rate-limited by the announcer). */
  reannounce(): void { this.#discovery?.update() }

  /** Stops exchanging: peers are let go, trackers told; resume() goes on where it was. */
  async pause(): Promise<void> {
    if (!this.#life.live) return
    this.#life.pause(true)
    for (const p of [...this.#connections.active.values()]) p.close()
    const discovery = this.#discovery
    this.#discovery = undefined
    await discovery?.stop()
  }

  resume(): void {
    if (!this.#life.paused || this.destroyed) return
    this.#life.pause(false)
    if (!this.#started) return
    this.#startDiscovery()
    this.#connections.redialLeftSeeds()
  }

  // --- reading (FileHost, ReaderSource) ----------------------------------------------------

  openReader(file: TorrentFile, opts: ReadOptions = {}): AsyncGenerator<Uint8Array, void, undefined> {
    return readRange(this, file, opts)
  }

  async untilReady(signal?: AbortSignal): Promise<{ pieceLength: number; windows: ReaderWindows }> {
    if (!this.#exchange) await untilEvent(this, 'ready', signal)
    return { pieceLength: this.pieceLength, windows: this.#priorities!.readers }
  }

  async untilPiece(index: number, signal?: AbortSignal): Promise<void> {
    if (!this.have?.get(index)) await untilEvent(this, 'piece', signal, (i) => i === index)
  }

  /** Reads verified bytes of piece `index` from storage. */
  async read(index: number, offset: number, length: number): Promise<Uint8Array> {
    if (!this.#storage || !this.have?.get(index)) throw new StreamError(`piece ${index} is not verified yet`)
    return this.#storage.read(index, offset, length)
  }

  selectionChanged(): void {
    this.#priorities?.setSelection(piecePriorities(this.files, this.#metainfo!.pieceCount))
    this.#storage?.setSelection?.((i) => this.files[i]?.selected ?? true).catch((err: Error) => this.fail(err))
  }

  // --- peers ------------------------------------------------------------------------------

  #onPeer(peer: PeerConnection): void {
    peer.on('active', () => {
      if (this.#exchange) this.#exchange.add(peer)
      else if (peer.wire.peerSupportsFast) { peer.wire.haveNone(); peer.mapSent = true }
      this.#discovery?.peerActive(peer)
      this.emit('wire', peer.wire, peer.address)
    })
    peer.on('metadata-offer', () => { if (!this.#metainfo) peer.fetchMetadata() })
    peer.on('metadata', (info) => { void this.#onMetadataBytes(info) })
    peer.on('warning', (err) => this.emit('warning', err))
    peer.on('dht-port', (port) => this.ctx.dht?.addNode({ host: peer.address.host, port }))
  }

  #onClosed(peer: PeerConnection): void {
    this.#exchange?.remove(peer)
    if (peer.error) this.emit('warning', peer.error)
    if (!this.done && this.#life.live) this.#connections.redialLeftSeeds()
  }

  // --- metadata, storage, lifecycle ------------------------------------------------------

  #onMetadataBytes(infoBytes: Uint8Array): void {
    if (this.#metainfo || !this.#life.live) return
    let metainfo: Metainfo
    try {
      metainfo = parseInfo(infoBytes, { announce: this.tiers })
    } catch (err) {
      this.emit('warning', err as Error)
      return
    }
    if (!this.infoHashBytes || !equalBytes(metainfo.infoHash, this.infoHashBytes)) return
    this.#setMetadata(metainfo)
    void this.#openStorage(metainfo)
  }

  /** The metadata is known: files, priorities; storage opens once started. */
  #setMetadata(metainfo: Metainfo): void {
    if (this.#metainfo) return
    this.#metainfo = metainfo
    if (metainfo.private) this.#discovery?.private()
    const select = this.opts.deselect ? [] : this.opts.select ?? this.source?.select
    const selected = select ? new Set(select) : undefined
    this.files = metainfo.files.map((entry, i) => new TorrentFile(i, entry, metainfo.pieceLength, this, !selected || selected.has(i)))
    this.#priorities = new PiecePriorities(metainfo.pieceCount, () => this.#applyPriorities())
    this.#priorities.setSelection(piecePriorities(this.files, metainfo.pieceCount))
    this.#selections = new Selections(this.#priorities, this.files)
    this.emit('metadata')
    this.#life.advance('checking')
  }

  async #openStorage(metainfo: Metainfo): Promise<void> {
    const picker = new PiecePicker({ pieceCount: metainfo.pieceCount, pieceLength: metainfo.pieceLength, length: metainfo.length })
    picker.setSequential(this.opts.sequential ?? false)
    try {
      const opened = await openStorage(this.ctx, metainfo, { ...this.opts, selected: (i) => this.files[i]?.selected ?? true, signal: this.#abort.signal })
      this.#storage = opened.storage
      for (let i = 0; i < metainfo.pieceCount; i++) if (opened.have === 'all' || opened.have.get(i)) picker.setHave(i)
    } catch (err) {
      if (!this.destroyed) this.fail(err as Error)
      return
    }
    if (this.destroyed) { await this.#storage.close().catch(() => undefined); return }
    this.#exchange = new Exchange({
      picker, storage: this.#storage, hasher: this.ctx.hasher, clock: this.ctx.clock,
      infoHash: metainfo.infoHash, pieceHashes: metainfo.pieceHashes,
      uploadLimit: this.uploadLimit, downloadLimit: this.downloadLimit,
      onDownload: (n) => { this.downloadMeter.add(n); this.emit('download', n) },
      onUpload: (n) => { this.uploadMeter.add(n); this.emit('upload', n) },
      onVerified: (i) => { this.emit('piece', i); this.emit('verified', i); this.#checkDone() },
      onFailed: (i, senders) => { this.emit('warning', new Error(`piece ${i} failed its hash check`)); this.#connections.badPiece(senders) },
      onError: (e) => this.fail(e),
      onUselessSeed: (peer) => this.#connections.leaveSeed(peer),
    })
    this.#applied = new Uint8Array(metainfo.pieceCount).fill(1)
    this.#applyPriorities()
    this.#life.advance('downloading')
    for (const peer of this.#connections.active.values()) this.#exchange.add(peer)
    this.emit('ready')
    this.#checkDone()
    this.#exchange.rechoke()
  }

  #applyPriorities(): void {
    const exchange = this.#exchange
    if (!exchange || !this.#priorities) return
    const prio = this.#priorities.compute()
    // hand the picker runs of equal priority, only where something changed
    changedRuns(prio, this.#applied, (start, end, p) => exchange.picker.setPriority(start, end, p))
    this.#applied = prio
    exchange.prioritiesChanged()
    const wasDone = this.done
    if (wasDone && !exchange.picker.done) {
      this.#life.advance('downloading')
      exchange.setDone(false)
      this.#connections.redialLeftSeeds()
    }
    this.#checkDone(wasDone)
  }

  /** `quiet`: it was done before and stays done (priorities moved), nothing to announce. */
  #checkDone(quiet = false): void {
    const exchange = this.#exchange
    if (!exchange || this.done || !exchange.picker.done) return
    this.#life.advance('seeding')
    exchange.setDone(true)
    if (quiet) return
    this.#discovery?.completed()
    this.emit('done')
  }

  /** Storage failed, or the id could not be read: the torrent stops in the error state.
   * The error goes to the torrent's listeners, else to the client's; it is never thrown. */
  fail(err: Error): void {
    if (this.destroyed || this.error) return
    this.#life.fail(err)
    this.#connections.closeAll()
    void this.#discovery?.stop()
    if (this.listenerCount('error') > 0) this.emit('error', err)
    else this.ctx.onError?.(err)
  }

  #left(): number {
    if (!this.#metainfo) return 1 // unknown yet, but not a seed (BEP 3 trackers read 0 as seed)
    const { have, total } = this.wanted
    return total - have
  }

  #startDiscovery(): void {
    this.#discovery = new TorrentDiscovery(this.ctx, {
      infoHash: this.infoHashBytes!,
      tiers: this.tiers,
      private: this.#metainfo?.private ?? false,
      stats: () => ({ uploaded: this.uploaded, downloaded: this.received, left: this.#left() }),
      wantsPeers: () => this.#life.live && this.#connections.hasRoom,
      addPeer: (addr, source) => this.addPeer(addr, source),
      addConnection: (conn, addr, initiator) => this.addConnection(conn, addr, initiator),
      peers: () => this.#connections.active.values(),
      warn: (e) => this.emit('warning', e),
    })
    this.#discovery.start()
  }

  #tick(): void {
    if (!this.#life.live) return
    this.#exchange?.tick()
    this.#connections.connectMore()
    const now = this.ctx.clock.now()
    if (this.numPeers > 0 || (this.done && this.ready)) this.#lonelySince = now
    else if (now - this.#lonelySince >= NO_PEERS_INTERVAL_MS) {
      this.#lonelySince = now
      this.emit('noPeers', this.tiers.length > 0 ? 'tracker' : 'none')
    }
  }

  /** Stops everything and lets go of storage; `cb` (WebTorrent style) runs after. */
  async destroy(optsOrCb?: { destroyStore?: boolean } | ((err?: Error) => void), cb?: (err?: Error) => void): Promise<void> {
    const done = typeof optsOrCb === 'function' ? optsOrCb : cb
    await this.#destroy()
    done?.()
  }

  async #destroy(): Promise<void> {
    if (this.destroyed) return
    this.#life.destroy()
    this.#abort.abort()
    for (const t of this.#timers) t.cancel()
    this.#connections.closeAll()
    this.#exchange?.destroy()
    await this.#discovery?.stop()
    await this.#storage?.close().catch(() => undefined)
    this.emit('close')
  }
}

