import { Emitter } from '../util/emitter.js'
import { toHex } from '../util/bytes.js'
import type { Bitfield } from '../util/bitfield.js'
import type { Timer } from '../util/clock.js'
import { RateMeter } from '../util/rate.js'
import { TokenBucket } from '../util/token-bucket.js'
import { equalBytes } from '../util/bytes.js'
import { parseInfo, type Metainfo } from '../metainfo/index.js'
import { Wire } from '../wire/index.js'
import { PiecePicker } from '../engine/picker.js'
import { PiecePriorities } from '../engine/piece-priorities.js'
import type { ReaderWindows } from '../engine/reader-windows.js'
import type { Storage } from '../storage/types.js'
import type { Duplex, PeerAddress } from '../transport/types.js'
import { TorrentDiscovery } from './discovery.js'
import { webSeedsOf, type WebSeeds } from './web-seeds.js'
import { Strikes } from './strikes.js'
import { awaitHandshake } from './await-handshake.js'
import { openStorage } from './open-storage.js'
import { Connections } from './connections.js'
import { Exchange } from './exchange.js'
import { Lifecycle, type TorrentState } from './lifecycle.js'
import { addressKey, type PeerConnection } from './peer-connection.js'
import { TorrentFile, piecePriorities, verifiedBytesOf, type FileAdapters, type FileHost } from './files.js'
import { readRange, StreamError, type ReadOptions, type ReaderSource } from './readers.js'
import type { TorrentContext } from './context.js'
import type { TorrentEvents, TorrentOptions } from './types.js'

export type { TorrentOptions, TorrentEvents, TorrentState }

/** One torrent. It connects the parts and holds the lifecycle; the work is theirs:
 * Connections (who we talk to), Exchange (pieces in and out: picker, request planner,
 * assembler, uploader), PiecePriorities (files, ranges and stream readers), discovery. */
export class Torrent extends Emitter<TorrentEvents> implements FileHost, ReaderSource {
  readonly infoHash: Uint8Array
  readonly infoHashHex: string
  files: TorrentFile[] = []
  readonly downloadMeter: RateMeter
  readonly uploadMeter: RateMeter
  readonly webSeeds: WebSeeds // BEP 19: the url-list, opts.webSeeds and addWebSeed's, each a peer

  readonly #life = new Lifecycle()
  readonly #connections: Connections
  #metainfo: Metainfo | undefined
  #storage: Storage | undefined
  #exchange: Exchange | undefined
  #priorities: PiecePriorities | undefined
  /** priorities the picker has now, to hand it only what changed */
  #applied: Uint8Array = new Uint8Array(0)
  #discovery: TorrentDiscovery | undefined
  #timers: Timer[] = []
  readonly #abort = new AbortController()
  readonly #strikes = new Strikes()

  constructor(readonly ctx: TorrentContext, readonly opts: TorrentOptions) {
    super()
    this.infoHash = opts.infoHash
    this.infoHashHex = toHex(opts.infoHash)
    const now = () => ctx.clock.now()
    this.downloadMeter = new RateMeter(5, now)
    this.uploadMeter = new RateMeter(5, now)
    this.#connections = new Connections({
      infoHash: this.infoHash, peerId: ctx.peerId, clock: ctx.clock, maxPeers: opts.maxPeers ?? 50,
      getMetadata: () => this.#metainfo?.infoBytes,
      connect: ctx.connect, canConnect: (a) => ctx.canConnect(a), isSelf: (a) => ctx.isSelf(a),
      wantsToDial: () => this.#life.live,
      seeding: () => this.done,
      onPeer: (peer) => this.#onPeer(peer),
      onClosed: (peer) => this.#onClosed(peer),
    })
    for (const p of opts.peers ?? []) this.#connections.addresses.add(p)
    this.webSeeds = webSeedsOf(this, opts)
    this.#life.on('state', (state, previous) => this.emit('state', state, previous))
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
  get name(): string { return this.#metainfo?.name ?? this.opts.name ?? this.infoHashHex }
  get length(): number { return this.#metainfo?.length ?? 0 }
  get pieceLength(): number { return this.#metainfo?.pieceLength ?? 0 }
  /** active peers by id */
  get peers(): ReadonlyMap<string, PeerConnection> { return this.#connections.active }
  get numPeers(): number { return this.#connections.size }
  get addresses(): Connections['addresses'] { return this.#connections.addresses }
  get downloadSpeed(): number { return this.downloadMeter.rate() }
  get uploadSpeed(): number { return this.uploadMeter.rate() }
  get downloaded(): number { return this.downloadMeter.total }
  get uploaded(): number { return this.uploadMeter.total }
  get have(): Bitfield | undefined { return this.#exchange?.picker.have }
  /** the piece exchange, once ready (tests and diagnostics) */
  get exchange(): Exchange | undefined { return this.#exchange }
  get adapters(): FileAdapters { return this.ctx.fileAdapters ?? {} }

  /** bytes of the selected files that are verified, and how many are wanted */
  get wanted(): { have: number; total: number } {
    let have = 0, total = 0
    for (const f of this.files) {
      if (!f.selected || f.padding) continue
      total += f.length
      have += this.verifiedBytes(f)
    }
    return { have, total }
  }

  get progress(): number {
    const { have, total } = this.wanted
    return total === 0 ? (this.ready ? 1 : 0) : have / total
  }

  /** Starts discovery and, when the metadata is known, storage. */
  async start(): Promise<void> {
    const { clock } = this.ctx
    this.#timers.push(clock.setInterval(() => this.#tick(), 1000).unref())
    this.#timers.push(clock.setInterval(() => this.#exchange?.rechoke(), 10_000).unref())
    this.#startDiscovery()
    this.#connections.connectMore()
    if (this.opts.metainfo) await this.#setMetadata(this.opts.metainfo)
  }

  addPeer(addr: PeerAddress): void {
    if (this.#life.live) this.#connections.add(addr)
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
  announce(): void { this.#discovery?.update() }

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
    this.#startDiscovery()
    this.#connections.redialLeftSeeds()
  }

  // --- reading (FileHost, ReaderSource) ----------------------------------------------------

  openReader(file: TorrentFile, opts: ReadOptions = {}): AsyncGenerator<Uint8Array, void, undefined> {
    return readRange(this, file, opts)
  }

  async untilReady(signal?: AbortSignal): Promise<{ pieceLength: number; windows: ReaderWindows }> {
    if (!this.#exchange) await this.#until('ready', signal)
    return { pieceLength: this.pieceLength, windows: this.#priorities!.readers }
  }

  async untilPiece(index: number, signal?: AbortSignal): Promise<void> {
    if (!this.have?.get(index)) await this.#until('piece', signal, (i) => i === index)
  }

  /** Reads verified bytes of piece `index` from storage. */
  async read(index: number, offset: number, length: number): Promise<Uint8Array> {
    if (!this.#storage || !this.have?.get(index)) throw new StreamError(`piece ${index} is not verified yet`)
    return this.#storage.read(index, offset, length)
  }

  /** Waits for an event; fails when the torrent closes or fails, or the signal aborts. */
  #until(event: 'ready' | 'piece', signal?: AbortSignal, accept?: (index: number) => boolean): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      if (this.destroyed) { reject(new StreamError('the torrent was removed')); return }
      if (this.error) { reject(this.error); return }
      if (signal?.aborted) { reject(signal.reason instanceof Error ? signal.reason : new StreamError('aborted')); return }
      const finish = (err?: Error) => {
        this.off('ready', onEvent).off('piece', onEvent).off('close', onClose).off('state', onState)
        signal?.removeEventListener('abort', onAbort)
        if (err) reject(err); else resolve()
      }
      const onEvent = (index?: number) => { if (!accept || (index !== undefined && accept(index))) finish() }
      const onClose = () => finish(new StreamError('the torrent was removed'))
      const onState = (state: TorrentState) => { if (state === 'error') finish(this.error) }
      const onAbort = () => finish(signal?.reason instanceof Error ? signal.reason : new StreamError('aborted'))
      this.on(event, onEvent).on('close', onClose).on('state', onState)
      signal?.addEventListener('abort', onAbort, { once: true })
    })
  }

  verifiedBytes(file: TorrentFile): number {
    const have = this.have
    return have ? verifiedBytesOf(file, (i) => have.get(i), file.pieceLength) : 0
  }

  selectionChanged(): void {
    this.#priorities?.setSelection(piecePriorities(this.files, this.#metainfo!.pieceCount))
    this.#storage?.setSelection?.((i) => this.files[i]?.selected ?? true).catch((err: Error) => this.#fail(err))
  }

  // --- peers ------------------------------------------------------------------------------

  #onPeer(peer: PeerConnection): void {
    peer.on('active', () => {
      if (this.#exchange) this.#exchange.add(peer)
      else if (peer.wire.peerSupportsFast) { peer.wire.haveNone(); peer.mapSent = true }
      this.emit('wire', peer.wire, peer.address)
    })
    peer.on('metadata-offer', () => { if (!this.#metainfo) peer.fetchMetadata() })
    peer.on('metadata', (info) => { void this.#onMetadataBytes(info) })
    peer.on('warning', (err) => this.emit('warning', err))
  }

  #onClosed(peer: PeerConnection): void {
    this.#exchange?.remove(peer)
    if (peer.error) this.emit('warning', peer.error)
    if (!this.done && this.#life.live) this.#connections.redialLeftSeeds()
  }

  // --- metadata, storage, lifecycle ------------------------------------------------------

  async #onMetadataBytes(infoBytes: Uint8Array): Promise<void> {
    if (this.#metainfo || !this.#life.live) return
    let metainfo: Metainfo
    try {
      metainfo = parseInfo(infoBytes, { announce: this.opts.announce ?? [] })
    } catch (err) {
      this.emit('warning', err as Error)
      return
    }
    if (equalBytes(metainfo.infoHash, this.infoHash)) await this.#setMetadata(metainfo)
  }

  async #setMetadata(metainfo: Metainfo): Promise<void> {
    if (this.#metainfo) return
    this.#metainfo = metainfo
    const select = this.opts.select ? new Set(this.opts.select) : undefined
    this.files = metainfo.files.map((entry, i) => new TorrentFile(i, entry, metainfo.pieceLength, this, !select || select.has(i)))
    this.#priorities = new PiecePriorities(metainfo.pieceCount, () => this.#applyPriorities())
    this.#priorities.setSelection(piecePriorities(this.files, metainfo.pieceCount))
    this.emit('metadata')
    this.#life.advance('checking')
    const picker = new PiecePicker({ pieceCount: metainfo.pieceCount, pieceLength: metainfo.pieceLength, length: metainfo.length })
    picker.setSequential(this.opts.sequential ?? false)
    try {
      const opened = await openStorage(this.ctx, metainfo, { ...this.opts, selected: (i) => this.files[i]?.selected ?? true, signal: this.#abort.signal })
      this.#storage = opened.storage
      for (let i = 0; i < metainfo.pieceCount; i++) if (opened.have === 'all' || opened.have.get(i)) picker.setHave(i)
    } catch (err) {
      if (!this.destroyed) this.#fail(err as Error)
      return
    }
    if (this.destroyed) { await this.#storage.close().catch(() => undefined); return }
    this.#exchange = new Exchange({
      picker, storage: this.#storage, hasher: this.ctx.hasher, clock: this.ctx.clock,
      infoHash: this.infoHash, pieceHashes: metainfo.pieceHashes,
      uploadLimit: this.opts.uploadLimit ? new TokenBucket(this.opts.uploadLimit, this.ctx.clock) : undefined,
      onDownload: (n) => this.downloadMeter.add(n), onUpload: (n) => this.uploadMeter.add(n),
      onVerified: (i) => { this.emit('piece', i); this.#checkDone() },
      onFailed: (i, senders) => this.#onFailed(i, senders),
      onError: (e) => this.#fail(e),
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
    for (let i = 0; i < prio.length;) {
      if (prio[i] === this.#applied[i]) { i++; continue }
      let j = i
      while (j + 1 < prio.length && prio[j + 1] === prio[i] && prio[j + 1] !== this.#applied[j + 1]) j++
      exchange.picker.setPriority(i, j, prio[i]!)
      i = j + 1
    }
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

  /** A piece failed its hash: its senders get strikes (strikes.ts) and the worst are banned. */
  #onFailed(index: number, senders: string[]): void {
    this.emit('warning', new Error(`piece ${index} failed its hash check`))
    const byKey = new Map<string, PeerConnection | undefined>()
    for (const id of senders) { const peer = this.peers.get(id); byKey.set(peer ? addressKey(peer.address) : id, peer) }
    for (const key of this.#strikes.record([...byKey.keys()])) {
      const peer = byKey.get(key)
      if (peer) this.#connections.ban(peer, new Error('banned: sent data that failed hash checks'))
    }
  }

  /** Storage failed: the torrent stops in the error state (it never throws without a listener). */
  #fail(err: Error): void {
    this.#life.fail(err)
    this.#connections.closeAll()
    void this.#discovery?.stop()
    if (this.listenerCount('error') > 0) this.emit('error', err)
  }

  #left(): number {
    if (!this.#metainfo) return 1 // unknown yet, but not a seed (BEP 3 trackers read 0 as seed)
    const { have, total } = this.wanted
    return total - have
  }

  #startDiscovery(): void {
    this.#discovery = new TorrentDiscovery(this.ctx, {
      infoHash: this.infoHash,
      tiers: [...(this.#metainfo?.announce ?? this.opts.metainfo?.announce ?? []), ...(this.opts.announce ?? [])],
      stats: () => ({ uploaded: this.uploaded, downloaded: this.downloaded, left: this.#left() }),
      wantsPeers: () => this.#life.live && this.#connections.hasRoom,
      addPeer: (addr) => this.addPeer(addr),
      addConnection: (conn, addr, initiator) => this.addConnection(conn, addr, initiator),
      warn: (e) => this.emit('warning', e),
    })
    this.#discovery.start()
  }

  #tick(): void {
    if (!this.#life.live) return
    this.#exchange?.tick()
    this.#connections.connectMore()
  }

  async destroy(): Promise<void> {
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
