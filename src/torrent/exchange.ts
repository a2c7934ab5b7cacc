/** The piece exchange of one torrent once its metadata and storage are known: what peers
 * have (availability), what we ask of them (the request pump), the blocks that come back
 * (assembler.ts) and what they ask of us (uploader.ts).
 *
 * The request pump: any event that may change what a peer should have in flight calls
 * `need(reason, peer?)`, which only marks that peer (or every peer) dirty; one pass per
 * microtask asks the planner for each dirty peer's plan and applies it (cancels, then
 * requests). Many triggers fold into one pass. */
import type { Clock } from '../util/clock.js'
import { allowedFastSet } from '../wire/index.js'
import { PiecePicker, type BlockRequest } from '../engine/picker.js'
import { RequestPlanner, queueDepth, type PlannerPeer } from '../engine/request-planner.js'
import type { Storage } from '../storage/types.js'
import type { Hasher } from '../util/hasher.js'
import type { TokenBucket } from '../util/token-bucket.js'
import type { RequestBudget } from '../engine/request-planner.js'
import { PieceAssembler } from './assembler.js'
import { Uploader } from './uploader.js'
import type { PeerConnection } from './peer-connection.js'
import type { PieceSet, PieceChange } from './peer-pieces.js'

/** Why requests may need to change; urgent reasons skip the batching. */
export type PumpReason = 'joined' | 'pieces' | 'unchoke' | 'choke' | 'allowed-fast' | 'reject' | 'block' | 'verified' |
  'failed' | 'peer-gone' | 'priority' | 'tick'

const URGENT: ReadonlySet<PumpReason> = new Set(['priority'])

export interface ExchangeOptions {
  picker: PiecePicker
  storage: Storage
  hasher: Hasher
  clock: Clock
  infoHash: Uint8Array
  pieceHashes: Uint8Array
  uploadLimit?: TokenBucket | undefined
  /** paces what we request, so what we receive follows a download limit */
  downloadLimit?: RequestBudget | undefined
  /** blocks in, blocks out: for rates and totals */
  onDownload(bytes: number): void
  onUpload(bytes: number): void
  onVerified(index: number): void
  /** a piece failed its hash: the ids of the peers that sent parts of it */
  onFailed(index: number, senders: string[]): void
  onError(err: Error): void
  /** we want nothing this peer has, and it is a seed while we are done: let it go */
  onUselessSeed(peer: PeerConnection): void
}

export class Exchange {
  readonly picker: PiecePicker
  readonly planner: RequestPlanner
  readonly assembler: PieceAssembler
  readonly uploader: Uploader
  readonly #peers = new Map<string, PeerConnection>()
  readonly #dirty = new Set<PeerConnection>()
  #urgent = false
  #scheduled = false
  #done = false
  #destroyed = false
  /** pump passes and the reasons that asked for them, for tests and diagnostics */
  readonly stats = { passes: 0, reasons: new Map<PumpReason, number>() }

  constructor(private readonly o: ExchangeOptions) {
    this.picker = o.picker
    this.planner = new RequestPlanner(o.picker, { budget: o.downloadLimit })
    this.assembler = new PieceAssembler({ picker: o.picker, storage: o.storage, hasher: o.hasher, pieceHashes: o.pieceHashes })
    this.assembler.on('verified', (i) => this.#onVerified(i))
    this.assembler.on('failed', (i, senders) => { o.onFailed(i, senders); this.need('failed') })
    this.assembler.on('error', (e) => o.onError(e))
    this.uploader = new Uploader({
      storage: o.storage, has: (i) => o.picker.has(i), pieceSize: (i) => o.picker.pieceSize(i),
      onUpload: (n) => o.onUpload(n), limit: o.uploadLimit, now: () => o.clock.now(),
    })
  }

  get peers(): IterableIterator<PeerConnection> { return this.#peers.values() }

  /** We have every wanted piece (the torrent decides; it changes what seeds are good for). */
  setDone(done: boolean): void {
    this.#done = done
    for (const p of this.#peers.values()) this.#updateInterest(p)
  }

  /** An active peer joins the exchange (now, or when the metadata arrived). */
  add(peer: PeerConnection): void {
    if (this.#destroyed || this.#peers.has(peer.id)) return
    this.#peers.set(peer.id, peer)
    const { picker } = this
    const early = peer.pieces.setPieceCount(picker.pieceCount)
    if (early) this.#applyPieces(early)
    this.#sendPieceMap(peer)
    peer.on('pieces', (change) => { if (this.#peers.get(peer.id) !== peer) return; this.#applyPieces(change); this.#updateInterest(peer); this.need('pieces', peer) })
    peer.on('choke', () => { if (!peer.wire.peerSupportsFast) this.#dropRequests(peer); this.need('choke', peer) })
    peer.on('unchoke', () => this.need('unchoke', peer))
    peer.on('allowed-fast', () => this.need('allowed-fast', peer))
    peer.on('reject', (r) => { picker.onRequestDropped(r.index, r.offset, peer.id); this.need('reject', peer) })
    peer.on('interest', () => this.rechokeSoon())
    peer.on('block', (index, offset, data) => this.#onBlock(peer, index, offset, data))
    peer.on('request', (r) => this.uploader.onRequest(peer, r.index, r.offset, r.length))
    peer.on('cancel', (r) => this.uploader.onCancel(peer, r.index, r.offset, r.length))
    this.#updateInterest(peer)
    this.need('joined', peer)
  }

  remove(peer: PeerConnection): void {
    if (this.#peers.get(peer.id) !== peer) return
    this.#peers.delete(peer.id)
    this.#dirty.delete(peer)
    this.planner.forget(peer.id)
    const set = peer.pieces.set
    if (set) this.#removeSet(set)
    this.need('peer-gone')
  }

  /** Marks a peer (or all) as needing a new plan; one pass runs per microtask. */
  need(reason: PumpReason, peer?: PeerConnection): void {
    if (this.#destroyed) return
    this.stats.reasons.set(reason, (this.stats.reasons.get(reason) ?? 0) + 1)
    if (URGENT.has(reason)) this.#urgent = true
    if (peer) this.#dirty.add(peer)
    else for (const p of this.#peers.values()) this.#dirty.add(p)
    if (this.#scheduled) return
    this.#scheduled = true
    queueMicrotask(() => this.#pump())
  }

  /** Piece priorities changed (selection, a reader moved): interest and requests follow. */
  prioritiesChanged(): void {
    this.planner.prioritiesChanged()
    for (const p of this.#peers.values()) this.#updateInterest(p)
    this.need('priority')
  }

  /** Once a second: queue depths follow each peer's rate, stale requests expire, late
   * critical blocks are asked of a second peer, and everyone is topped up. */
  tick(): void {
    const now = this.o.clock.now()
    const views: PlannerPeer[] = []
    const byId = new Map<string, PeerConnection>()
    for (const peer of this.#peers.values()) {
      peer.depth = queueDepth(peer.wire.downloadRate, peer.reqq)
      const expired = this.planner.expire(peer.id, now)
      if (expired.length > 0) { peer.depth = 16; this.#send(peer, expired, []) }
      views.push(this.#view(peer))
      byId.set(peer.id, peer)
    }
    for (const { peer, request } of this.planner.hurry(views, now)) this.#send(byId.get(peer.id)!, [], [request])
    this.need('tick')
  }

  /** Recomputes who may download from us. */
  rechoke(): void {
    if (!this.#destroyed) this.uploader.rechoke([...this.#peers.values()], this.#done)
  }

  #rechokeScheduled = false
  rechokeSoon(): void {
    if (this.#rechokeScheduled) return
    this.#rechokeScheduled = true
    queueMicrotask(() => { this.#rechokeScheduled = false; this.rechoke() })
  }

  destroy(): void {
    this.#destroyed = true
    this.assembler.destroy()
    this.uploader.destroy()
  }

  #pump(): void {
    this.#scheduled = false
    if (this.#destroyed) return
    const urgent = this.#urgent
    this.#urgent = false
    this.stats.passes++
    const now = this.o.clock.now()
    const room = this.assembler.hasRoom
    const dirty = [...this.#dirty]
    this.#dirty.clear()
    for (const peer of dirty) {
      if (this.#peers.get(peer.id) !== peer || peer.wire.destroyed) continue
      const plan = this.planner.plan(this.#view(peer), now, urgent, room)
      this.#send(peer, plan.cancel, plan.request)
    }
  }

  #send(peer: PeerConnection, cancel: readonly BlockRequest[], request: readonly BlockRequest[]): void {
    const wire = peer.wire
    for (const r of cancel) wire.cancel(r.index, r.offset, r.length)
    for (const r of request) wire.request(r.index, r.offset, r.length)
  }

  #view(peer: PeerConnection): PlannerPeer {
    return {
      id: peer.id,
      has: (i) => peer.pieces.has(i),
      isSeed: peer.isSeed,
      choked: peer.wire.peerChoking,
      allowedFast: peer.allowedFast,
      depth: peer.depth,
    }
  }

  #onBlock(peer: PeerConnection, index: number, offset: number, data: Uint8Array): void {
    if (this.#peers.get(peer.id) !== peer) return
    this.o.onDownload(data.length)
    const cancel = this.assembler.onBlock(peer.id, index, offset, data)
    for (const id of cancel) {
      const other = id === peer.id ? undefined : this.#peers.get(id)
      if (other && !other.wire.destroyed) other.wire.cancel(index, offset, data.length)
    }
    this.need('block', peer)
  }

  #onVerified(index: number): void {
    for (const peer of this.#peers.values()) {
      // A seed has every piece: telling it about ours only costs a write per piece.
      if (!peer.isSeed) peer.wire.have(index)
      if (peer.wire.amInterested && this.picker.inFlightCount(peer.id) === 0) this.#updateInterest(peer)
    }
    this.o.onVerified(index)
    this.need('verified')
  }

  #dropRequests(peer: PeerConnection): void {
    for (const r of [...this.picker.inFlight(peer.id)]) this.picker.onRequestDropped(r.index, r.offset, peer.id)
  }

  /** Our piece map first (BEP 3; BEP 6 have_all / have_none), and the pieces the peer may
   * request while we choke it (BEP 6 allowed fast). A peer that met us before we knew our
   * pieces got have_none then: it gets a `have` for each piece instead. */
  #sendPieceMap(peer: PeerConnection): void {
    const { wire } = peer
    const have = this.picker.have
    const fast = wire.peerSupportsFast
    if (peer.mapSent) { for (let i = 0; i < have.length; i++) if (have.get(i)) wire.have(i) }
    else if (have.isEmpty()) { if (fast) wire.haveNone() }
    else if (have.isFull() && fast) wire.haveAll()
    else wire.bitfield(have)
    peer.mapSent = true
    if (!fast) return
    for (const i of allowedFastSet(ALLOWED_FAST, this.picker.pieceCount, this.o.infoHash, peer.address.host)) {
      peer.allowedFastForThem.add(i)
      if (this.picker.has(i)) wire.allowedFast(i)
    }
  }

  #applyPieces(change: PieceChange): void {
    if (change.kind === 'have') { this.picker.incrementAvailability(change.index); return }
    if (change.before) this.#removeSet(change.before)
    if (change.after.all) this.picker.peerHasAll()
    else this.picker.addAvailability(change.after.bits)
  }

  #removeSet(set: PieceSet): void {
    if (set.all) this.picker.peerLostAll()
    else this.picker.removeAvailability(set.bits)
  }

  #wants(index: number): boolean {
    return !this.picker.has(index) && this.picker.priority(index) > 0
  }

  #updateInterest(peer: PeerConnection): void {
    const { wire } = peer
    if (wire.destroyed || !peer.pieces.known) return
    let want = false
    if (peer.isSeed) want = !this.picker.done
    else for (let i = 0; i < this.picker.pieceCount && !want; i++) want = peer.pieces.has(i) && this.#wants(i)
    if (want && !wire.amInterested) wire.interested()
    else if (!want && wire.amInterested) wire.uninterested()
    // Two seeds have nothing to say to each other.
    if (!want && this.#done && peer.isSeed) this.o.onUselessSeed(peer)
  }
}

/** BEP 6 suggests 10 allowed-fast pieces per peer. */
const ALLOWED_FAST = 10
