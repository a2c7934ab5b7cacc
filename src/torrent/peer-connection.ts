/** One peer of one torrent, with an explicit lifecycle:
 *
 *   connecting → handshaking → active → closed
 *
 * (inbound peers start at handshaking: their handshake named our torrent already). It owns
 * the Wire, the extensions, what the peer has (peer-pieces.ts), the choke and interest state
 * (on the wire) and the requests it asked of us, and tells the torrent what happens through
 * typed events. The state changes in one place, `#enter`. */
import { Emitter } from '../util/emitter.js'
import { equalBytes, toHex } from '../util/bytes.js'
import type { Clock, Timer } from '../util/clock.js'
import type { BDict } from '../bencode/index.js'
import { getInt } from '../bencode/index.js'
import { Wire, UtMetadata, UtPex } from '../wire/index.js'
import type { Duplex, PeerAddress } from '../transport/types.js'
import type { BlockRequest } from '../engine/picker.js'
import { PeerPieces, type PieceChange } from './peer-pieces.js'
import { UploadQueue } from './upload-queue.js'

export type PeerState = 'connecting' | 'handshaking' | 'active' | 'closed'

export type PeerEvents = {
  /** the handshakes are done: the peer may now exchange pieces */
  active: []
  /** what the peer has changed (for availability and interest) */
  pieces: [change: PieceChange]
  choke: []
  unchoke: []
  /** the peer became interested or not */
  interest: []
  'allowed-fast': [index: number]
  reject: [request: BlockRequest]
  /** a block; valid only during the event */
  block: [index: number, offset: number, data: Uint8Array]
  request: [request: BlockRequest]
  cancel: [request: BlockRequest]
  /** the peer can give us the metadata (or sent it): see fetchMetadata */
  'metadata-offer': []
  /** the peer's DHT node listens on this UDP port (BEP 5 PORT) */
  'dht-port': [port: number]
  metadata: [info: Uint8Array]
  warning: [Error]
  closed: [error: Error | undefined]
}

export interface PeerOptions {
  infoHash: Uint8Array
  peerId: Uint8Array
  clock: Clock
  /** the verified info dictionary once known, served to peers (BEP 9) */
  getMetadata(): Uint8Array | undefined
  /** our DHT's UDP port, when we run one: set in the handshake and sent as PORT (BEP 5) */
  dhtPort?: (() => number) | undefined
  /** our peer port, sent in the extension handshake (`p`, BEP 10) so inbound peers can be
   * told of (PEX) and dialed again */
  listenPort?: (() => number) | undefined
  handshakeTimeoutMs?: number
}

export class PeerConnection extends Emitter<PeerEvents> {
  #state: PeerState
  #wire: Wire | undefined
  #metadata: UtMetadata | undefined
  #pex: UtPex | undefined
  /** the port the peer listens on: its address's for peers we dialed, its `p` (BEP 10) for inbound ones */
  listenPort: number | undefined
  #error: Error | undefined
  #timer: Timer | undefined
  #id: string
  #self = false
  readonly pieces = new PeerPieces()
  /** requests the peer asked of us, served in order (uploader.ts) */
  readonly uploadQueue = new UploadQueue()
  /** pieces the peer lets us request while it chokes us (BEP 6) */
  readonly allowedFast = new Set<number>()
  /** pieces we let it request while we choke it (BEP 6) */
  readonly allowedFastForThem = new Set<number>()
  /** the most requests the peer wants queued at once (`reqq`, BEP 10) */
  reqq = 250
  /** how many requests we keep queued at the peer; adapts to its rate */
  depth = 32
  /** we told the peer our piece map (have_none before we knew our pieces, or the map) */
  mapSent = false
  /** when a block last went either way (or the connection started): who is useless longest */
  lastUsefulAt: number

  private constructor(readonly address: PeerAddress, readonly inbound: boolean, private readonly opts: PeerOptions, state: PeerState) {
    super()
    this.#state = state
    this.#id = addressKey(address)
    this.listenPort = inbound ? undefined : address.port
    this.lastUsefulAt = opts.clock.now()
  }

  /** A peer we dial: `dial` opens the transport (aborted if the peer is closed first). */
  static outgoing(address: PeerAddress, dial: (signal: AbortSignal) => Promise<Duplex>, opts: PeerOptions): PeerConnection {
    const peer = new PeerConnection(address, false, opts, 'connecting')
    peer.#start = () => {
      const abort = new AbortController()
      peer.once('closed', () => abort.abort())
      peer.#armTimeout(opts.handshakeTimeoutMs ?? 15_000, 'no connection and handshake in time')
      dial(abort.signal).then((conn) => {
        if (peer.#state === 'closed') { conn.destroy(); return }
        const wire = new Wire(conn, { clock: opts.clock })
        peer.#attach(wire)
        wire.on('handshake', (infoHash) => {
          if (!equalBytes(infoHash, opts.infoHash)) { peer.close(new Error('peer answered with another info hash')); return }
          peer.#activate()
        })
        peer.#enter('handshaking')
        wire.handshake(opts.infoHash, opts.peerId, { dht: opts.dhtPort !== undefined, fast: true, extended: true })
      }, (err: Error) => peer.close(err))
    }
    return peer
  }

  /** A peer that dialed us and whose handshake named our torrent: we answer it. */
  static incoming(wire: Wire, address: PeerAddress, opts: PeerOptions): PeerConnection {
    const peer = new PeerConnection(address, true, opts, 'handshaking')
    peer.#wire = wire
    peer.#start = () => {
      peer.#attach(wire)
      wire.handshake(opts.infoHash, opts.peerId, { dht: opts.dhtPort !== undefined, fast: true, extended: true })
      if (!wire.destroyed) peer.#activate()
    }
    return peer
  }

  #start: (() => void) | undefined

  /** Starts dialing or answering, once the owner listens to the events. */
  start(): void {
    const start = this.#start
    this.#start = undefined
    start?.()
  }

  get state(): PeerState { return this.#state }
  /** address and peer id: unique per connection of one torrent ("host:port" until the handshake) */
  get id(): string { return this.#id }
  /** the wire, once the transport is connected */
  get wire(): Wire {
    if (!this.#wire) throw new Error(`peer ${this.#id} has no wire while ${this.#state}`)
    return this.#wire
  }
  get error(): Error | undefined { return this.#error }
  get isSeed(): boolean { return this.pieces.isSeed }
  /** the handshake carried our own peer id: we dialed ourselves */
  get isSelf(): boolean { return this.#self }
  /** the peer can send us the metadata (BEP 9) */
  get offersMetadata(): boolean { return this.#metadata?.peerHasMetadata ?? false }

  /** A block went to or came from this peer. */
  touch(): void { this.lastUsefulAt = this.opts.clock.now() }

  /** Neither side wants anything of the other, and no block went either way for `ms`. */
  uselessFor(ms: number): boolean {
    const wire = this.#wire
    return this.#state === 'active' && !!wire && !wire.amInterested && !wire.peerInterested && this.opts.clock.now() - this.lastUsefulAt >= ms
  }

  /** peer exchange (BEP 11) on this wire, once attached */
  get pex(): UtPex | undefined { return this.#pex }

  /** Asks this peer for the metadata (once: a peer that refuses is not asked again). */
  fetchMetadata(): void { this.#metadata?.fetch() }

  close(error?: Error): void {
    if (this.#state === 'closed') return
    this.#error ??= error
    if (this.#wire && !this.#wire.destroyed) this.#wire.destroy(error)
    this.#enter('closed') // a no-op when the wire's close got here first
  }

  #enter(state: PeerState): void {
    if (this.#state === 'closed' || this.#state === state) return
    this.#state = state
    if (state === 'active' || state === 'closed') { this.#timer?.cancel(); this.#timer = undefined }
    if (state === 'active') this.emit('active')
    if (state === 'closed') this.emit('closed', this.#error)
  }

  #armTimeout(ms: number, why: string): void {
    this.#timer = this.opts.clock.setTimeout(() => this.close(new Error(why)), ms)
  }

  #activate(): void {
    const wire = this.#wire!
    if (wire.peerId && equalBytes(wire.peerId, this.opts.peerId)) { this.#self = true; this.close(new Error('connected to ourselves')); return }
    this.#id = `${addressKey(this.address)}/${wire.peerId ? toHex(wire.peerId) : '?'}`
    const dhtPort = this.opts.dhtPort?.()
    if (dhtPort && wire.peerSupportsDht) wire.port(dhtPort)
    this.#enter('active')
  }

  /** Extensions go on before our handshake (BEP 10 advertises them), listeners before any message. */
  #attach(wire: Wire): void {
    this.#wire = wire
    const ut = new UtMetadata({ wire, infoHash: this.opts.infoHash, getMetadata: () => this.opts.getMetadata() })
    this.#metadata = ut
    wire.use(ut)
    ut.on('metadata', (info) => this.emit('metadata', info))
    // A peer that lied is dropped by UtMetadata itself; one that refused stays useful for pieces.
    ut.on('failed', (err) => this.emit('warning', err))
    this.#pex = new UtPex(wire, () => this.opts.clock.now())
    wire.use(this.#pex)
    wire.setHandshakeFields(peerFields(this.opts))
    const pieces = (change: PieceChange | undefined) => { if (change) this.emit('pieces', change) }
    wire.on('extended-handshake', (h: BDict) => {
      const reqq = getInt(h, 'reqq')
      if (reqq && reqq > 0) this.reqq = Math.min(reqq, 2000)
      const p = getInt(h, 'p')
      if (this.inbound && p !== undefined && p > 0 && p < 65536) this.listenPort = p
      if (ut.peerHasMetadata) this.emit('metadata-offer')
    })
    wire.on('bitfield', (bytes) => {
      try { pieces(this.pieces.onBitfield(bytes)) } catch (e) { this.close(e as Error) }
    })
    wire.on('have-all', () => pieces(this.pieces.onHaveAll()))
    wire.on('have-none', () => pieces(this.pieces.onHaveNone()))
    wire.on('have', (index) => pieces(this.pieces.onHave(index)))
    wire.on('port', (port) => { if (port > 0 && port < 65536) this.emit('dht-port', port) })
    wire.on('choke', () => this.emit('choke'))
    wire.on('unchoke', () => this.emit('unchoke'))
    wire.on('interested', () => this.emit('interest'))
    wire.on('uninterested', () => this.emit('interest'))
    wire.on('allowed-fast', (index) => { this.allowedFast.add(index); this.emit('allowed-fast', index) })
    wire.on('reject', (index, offset, length) => this.emit('reject', { index, offset, length }))
    wire.on('piece', (index, offset, data) => { this.touch(); this.emit('block', index, offset, data) })
    wire.on('request', (index, offset, length) => this.emit('request', { index, offset, length }))
    wire.on('cancel', (index, offset, length) => this.emit('cancel', { index, offset, length }))
    wire.on('error', (err) => { this.#error ??= err })
    wire.once('close', () => this.#enter('closed'))
  }
}

/** Our fields in the extension handshake beyond the extensions' own. */
function peerFields(opts: PeerOptions): Record<string, number> {
  const port = opts.listenPort?.()
  return port ? { p: port } : {}
}

export function addressKey(a: PeerAddress): string {
  return a.host.includes(':') ? `[${a.host}]:${a.port}` : `${a.host}:${a.port}`
}
