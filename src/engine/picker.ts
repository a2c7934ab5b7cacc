/** Which blocks to request from which peer. Pure: no I/O, no clock; randomness injected.
 *
 * Order, and why (BEP 3 leaves the strategy to clients; this is the common wisdom):
 * 1. Priority: critical (7, a stream reader is waiting) and high (2..6) before normal (1);
 *    0 = skip, never requested. The user asked for these bytes first.
 * 2. Within a priority, pieces already started come first: finishing them makes them
 *    verifiable, writable and shareable sooner, and bounds the pieces in progress (each holds
 *    memory until verified).
 * 3. Then rarest first (lowest availability among peers): rare pieces are the ones the swarm
 *    may lose, and having them makes us interesting to more peers. Ties are broken randomly
 *    (not by index) so that clients and peers spread over different pieces.
 * The critical tier and sequential mode use piece index order instead of 2 and 3: a reader
 * consumes pieces in order, so the lowest missing index is always the most urgent.
 *
 * A block is requested from one peer at a time, except in endgame (every wanted block is
 * requested or received): then a block may go to up to ENDGAME_EXTRA more peers, so that one
 * slow peer cannot hold back the last piece; the engine cancels the others on arrival.
 *
 * The picker is the one owner of in-flight requests: each block's requesters (per piece)
 * and each peer's outstanding requests with the time they went out (in-flight.ts) change
 * together, in the methods below, and nowhere else.
 *
 * Cost: pieces not started sit in buckets by (priority, availability) with O(1) updates
 * (picker-buckets.ts); a pick visits the few pieces in progress, then buckets from the rarest,
 * and stops as soon as `max` blocks are found. No per-pick scan over all pieces.
 */
import { Bitfield } from '../util/bitfield.js'
import type { PieceProgress } from './picker-progress.js'
import { InFlight, type InFlightRequest } from './in-flight.js'
import type { BlockRequest } from './block-request.js'
import {
  COMPLETE, HAVE, PARTIAL, POOL, PRIORITY_CRITICAL, PRIORITY_NORMAL, PRIORITY_SKIP, PieceStates,
} from './picker-state.js'

export { PRIORITY_CRITICAL, PRIORITY_NORMAL, PRIORITY_SKIP } from './picker-state.js'
export type { InFlightRequest } from './in-flight.js'

export type { BlockRequest } from './block-request.js'
export interface PickerPeer { has: (index: number) => boolean; isSeed?: boolean; id: string }
export interface PiecePickerOptions {
  pieceCount: number
  pieceLength: number
  /** total bytes */
  length: number
  /** default 16384, the size every client accepts */
  blockSize?: number
  random?: () => number
}
export interface BlockReceived {
  /** all blocks of the piece are in: verify it */
  pieceComplete: boolean
  /** already had this block (or piece), or not a block of this torrent: drop the data */
  duplicate: boolean
  /** other peers that had this block requested (endgame): send them a cancel */
  cancel: string[]
}

/** Extra peers a block may be requested from in endgame. */
export const ENDGAME_EXTRA = 2

export class PiecePicker {
  readonly pieceCount: number
  readonly pieceLength: number
  readonly length: number
  readonly blockSize: number
  readonly have: Bitfield
  private readonly s: PieceStates
  private readonly flight: InFlight
  private seeds = 0
  private sequential = false

  constructor(opts: PiecePickerOptions) {
    const { pieceCount, pieceLength, length } = opts
    this.blockSize = opts.blockSize ?? 16384
    if (!(pieceLength > 0 && length >= 0 && pieceCount === Math.ceil(length / pieceLength) && this.blockSize > 0)) {
      throw new RangeError(`inconsistent picker layout: ${pieceCount} pieces of ${pieceLength} for ${length} bytes`)
    }
    this.pieceCount = pieceCount
    this.pieceLength = pieceLength
    this.length = length
    this.have = new Bitfield(pieceCount)
    this.s = new PieceStates(pieceCount, opts.random ?? Math.random)
    this.flight = new InFlight(Math.ceil(pieceLength / this.blockSize))
  }

  /** True when every piece with priority > 0 is verified. */
  get done(): boolean {
    return this.s.wantedMissing === 0
  }

  pieceSize(index: number): number {
    return Math.max(0, Math.min(this.pieceLength, this.length - index * this.pieceLength))
  }

  blockCount(index: number): number {
    return Math.ceil(this.pieceSize(index) / this.blockSize)
  }

  /** Length of the block at (index, offset); 0 when that is no block of this torrent. */
  blockLength(index: number, offset: number): number {
    const block = this.blockOf(index, offset)
    return block < 0 ? 0 : this.request(index, block).length
  }

  has(index: number): boolean {
    return this.s.state[index] === HAVE
  }

  priority(index: number): number {
    return this.s.prio[index] ?? PRIORITY_SKIP
  }

  /** Peers known to have the piece (have_all peers included). */
  availability(index: number): number {
    return (this.s.avail[index] ?? 0) + this.seeds
  }

  setHave(index: number): void {
    this.checkIndex(index)
    if (this.s.state[index] === HAVE) return
    this.forgetRequests(index)
    this.s.setState(index, HAVE)
    this.have.set(index)
  }

  // --- availability ---------------------------------------------------------------------

  /** A seed or have_all peer (BEP 6) arrived: counted once, not per piece. It raises every
   * piece equally, so the rarest-first order does not change. Pick for it with isSeed: true. */
  peerHasAll(): void {
    this.seeds++
  }

  peerLostAll(): void {
    if (this.seeds > 0) this.seeds--
  }

  addAvailability(bf: Bitfield): void {
    for (let i = 0; i < this.pieceCount; i++) if (bf.get(i)) this.s.changeAvailability(i, 1)
  }

  removeAvailability(bf: Bitfield): void {
    for (let i = 0; i < this.pieceCount; i++) if (bf.get(i)) this.s.changeAvailability(i, -1)
  }

  /** A `have` message. */
  incrementAvailability(index: number): void {
    this.checkIndex(index)
    this.s.changeAvailability(index, 1)
  }

  // --- priorities -------------------------------------------------------------------------

  /** Sets the priority of pieces start..end (inclusive). 0 skips them (blocks already in
   * flight are left to arrive), 1 normal, 2..6 high, 7 critical. */
  setPriority(start: number, end: number, priority: number): void {
    if (!Number.isInteger(priority) || priority < PRIORITY_SKIP || priority > PRIORITY_CRITICAL) {
      throw new RangeError(`priority ${priority} not in 0..7`)
    }
    const last = Math.min(end, this.pieceCount - 1)
    for (let i = Math.max(0, start); i <= last; i++) this.s.setPriority(i, priority)
  }

  /** Index order instead of rarest first, for every priority (critical always is). */
  setSequential(on: boolean): void {
    this.sequential = on
  }

  // --- requesting -------------------------------------------------------------------------

  /** Up to `max` new block requests for `peer` (of priority `minPriority` or more), marked
   * as requested by peer.id at `now`. Pieces with
   * no tracked availability are only offered to peers flagged isSeed (see peerHasAll), which
   * spares scanning pieces that no partial peer has announced. */
  pick(peer: PickerPeer, max: number, now = 0, minPriority = PRIORITY_NORMAL): BlockRequest[] {
    const out: BlockRequest[] = []
    if (max <= 0 || this.done) return out
    this.pickedAt = now
    for (let p = PRIORITY_CRITICAL; p >= Math.max(minPriority, PRIORITY_NORMAL) && out.length < max; p--) {
      if (this.s.candidates(p) === 0) continue
      if (p === PRIORITY_CRITICAL || this.sequential) {
        this.pickInIndexOrder(p, peer, max, out)
      } else {
        this.pickPartials(p, peer, max, out)
        if (out.length < max) this.pickRarest(p, peer, max, out)
      }
    }
    if (out.length < max && minPriority <= PRIORITY_NORMAL && this.isEndgame()) this.pickEndgame(peer, max, out)
    return out
  }

  /** Up to `max` new requests among `pieces` only: the allowed-fast pieces of a peer that
   * chokes us (BEP 6). */
  pickAmong(peer: PickerPeer, pieces: Iterable<number>, max: number, now = 0): BlockRequest[] {
    const out: BlockRequest[] = []
    this.pickedAt = now
    for (const i of pieces) {
      if (out.length >= max) break
      const s = this.s.state[i]
      if (!peer.has(i) || !(this.s.prio[i]! > PRIORITY_SKIP) || (s !== POOL && s !== PARTIAL)) continue
      this.takeFree(i, peer, max, out)
    }
    return out
  }

  /** Some piece of this priority still has blocks to request (or in flight). */
  wants(priority: number): boolean {
    return this.s.candidates(priority) > 0
  }

  /** Every wanted block is requested or received (and some are still missing). */
  isEndgame(): boolean {
    if (this.done || this.s.pool.size > 0) return false
    for (const [i, prog] of this.s.progress) if (prog.free > 0 && this.s.prio[i]! > PRIORITY_SKIP) return false
    return true
  }

  /** Asks one more peer for a block already requested from another: a critical block (a
   * stream reader waits) that is late. False when the block is in, or this peer has it asked. */
  requestAgain(index: number, offset: number, peerId: string, now = 0): boolean {
    const block = this.blockOf(index, offset)
    const prog = block < 0 ? undefined : this.s.progress.get(index)
    if (!prog || prog.received[block] === 1 || prog.isRequestedBy(block, peerId)) return false
    this.pickedAt = now
    this.addRequest(index, prog, block, peerId)
    return true
  }

  /** A peer's outstanding requests, oldest first. */
  inFlight(peerId: string): IterableIterator<InFlightRequest> { return this.flight.of(peerId) }

  inFlightCount(peerId: string): number { return this.flight.count(peerId) }

  /** True while this peer has the block requested (a block that arrives otherwise was not asked of it). */
  isRequested(peerId: string, index: number, offset: number): boolean {
    const block = this.blockOf(index, offset)
    return block >= 0 && this.flight.has(peerId, index, block)
  }

  /** Peers with an outstanding request for this block. */
  inFlightPeers(index: number, offset: number): string[] {
    return this.s.progress.get(index)?.peersOf(Math.floor(offset / this.blockSize)) ?? []
  }

  onBlockReceived(index: number, offset: number, peerId?: string): BlockReceived {
    const block = this.blockOf(index, offset)
    const state = this.s.state[index]
    if (block < 0 || state === HAVE || state === COMPLETE) return { pieceComplete: false, duplicate: true, cancel: [] }
    // a block we did not (or no longer) request is still good data: keep it
    const prog = this.s.progress.get(index) ?? this.start(index)
    const requesters = prog.receive(block)
    if (requesters === null) return { pieceComplete: false, duplicate: true, cancel: [] }
    for (const id of requesters) this.flight.delete(id, index, block)
    const cancel = requesters.filter((id) => id !== peerId)
    if (prog.receivedCount < prog.blocks) return { pieceComplete: false, duplicate: false, cancel }
    this.s.setState(index, COMPLETE)
    return { pieceComplete: true, duplicate: false, cancel }
  }

  /** The request will not be answered (choke, reject, timeout): the block goes back to the pool. */
  onRequestDropped(index: number, offset: number, peerId: string): void {
    const block = this.blockOf(index, offset)
    const prog = this.s.progress.get(index)
    if (block < 0 || prog === undefined) return
    if (prog.dropRequest(block, peerId)) this.flight.delete(peerId, index, block)
    this.releaseIfIdle(index, prog)
  }

  /** Drops every outstanding request of a peer (it disconnected); returns them. */
  onPeerGone(peerId: string): InFlightRequest[] {
    const dropped = this.flight.take(peerId)
    for (const r of dropped) {
      const prog = this.s.progress.get(r.index)
      if (!prog) continue
      prog.dropRequest(r.offset / this.blockSize, peerId)
      this.releaseIfIdle(r.index, prog)
    }
    return dropped
  }

  /** The piece failed its hash (or its data was lost): every block is wanted again. */
  onPieceFailed(index: number): void {
    this.checkIndex(index)
    this.forgetRequests(index)
    if (this.s.state[index] === HAVE) this.have.set(index, false)
    this.s.setState(index, POOL)
  }

  onPieceVerified(index: number): void {
    this.setHave(index)
  }

  // --- internals --------------------------------------------------------------------------

  private pickInIndexOrder(p: number, peer: PickerPeer, max: number, out: BlockRequest[]): void {
    // stop once every candidate of this priority was seen, not at the end of the torrent
    let left = this.s.candidates(p)
    for (let i = this.s.firstCandidate(p); i < this.pieceCount && left > 0 && out.length < max; i++) {
      if (!this.s.isCandidate(i, p)) continue
      left--
      if (peer.isSeed === true || peer.has(i)) this.takeFree(i, peer, max, out)
    }
  }

  private pickPartials(p: number, peer: PickerPeer, max: number, out: BlockRequest[]): void {
    if (this.s.partials(p) === 0) return
    for (const [i, prog] of this.s.progress) {
      if (out.length >= max) return
      if (this.s.prio[i] !== p || prog.free === 0) continue
      if (peer.isSeed === true || peer.has(i)) this.takeFree(i, peer, max, out)
    }
  }

  private pickRarest(p: number, peer: PickerPeer, max: number, out: BlockRequest[]): void {
    const tier = this.s.pool.tier(p)
    for (let a = peer.isSeed === true ? 0 : 1; a < tier.length && out.length < max; a++) {
      const bucket = tier[a]
      if (bucket === undefined) continue
      let j = 0
      while (j < bucket.length && out.length < max) {
        const i = bucket[j]!
        if (peer.isSeed === true || peer.has(i)) {
          this.takeFree(i, peer, max, out) // moves i out of the bucket: another piece fills slot j
          if (bucket[j] === i) j++
        } else {
          j++
        }
      }
    }
  }

  private pickEndgame(peer: PickerPeer, max: number, out: BlockRequest[]): void {
    // blocks with the fewest requesters first, then higher priority first
    for (let level = 1; level <= ENDGAME_EXTRA; level++) {
      for (let p = PRIORITY_CRITICAL; p > PRIORITY_SKIP; p--) {
        for (const [i, prog] of this.s.progress) {
          if (this.s.prio[i] !== p || !(peer.isSeed === true || peer.has(i))) continue
          for (let b = 0; b < prog.blocks; b++) {
            if (out.length >= max) return
            if (prog.received[b] === 0 && prog.requestCount(b) === level && !prog.isRequestedBy(b, peer.id)) {
              out.push(this.addRequest(i, prog, b, peer.id))
            }
          }
        }
      }
    }
  }

  /** Requests the free blocks of piece i for peer, starting the piece if needed. */
  private takeFree(i: number, peer: PickerPeer, max: number, out: BlockRequest[]): void {
    const prog = this.s.progress.get(i) ?? this.start(i)
    for (let b = 0; b < prog.blocks && prog.free > 0 && out.length < max; b++) {
      if (prog.received[b] === 1 || prog.requestCount(b) > 0) continue
      out.push(this.addRequest(i, prog, b, peer.id))
    }
  }

  /** the `now` of the pick under way, stamped on the requests it makes */
  private pickedAt = 0

  private addRequest(index: number, prog: PieceProgress, block: number, peerId: string): BlockRequest {
    prog.addRequest(block, peerId)
    const req = this.request(index, block)
    this.flight.add(peerId, index, block, { ...req, sentAt: this.pickedAt })
    return req
  }

  /** A piece leaves PARTIAL other than by receiving its blocks: its requests are void. */
  private forgetRequests(index: number): void {
    const prog = this.s.progress.get(index)
    if (!prog) return
    for (let b = 0; b < prog.blocks; b++) for (const id of prog.peersOf(b)) this.flight.delete(id, index, b)
  }

  private start(i: number): PieceProgress {
    return this.s.setState(i, PARTIAL, this.blockCount(i))!
  }

  /** A piece with nothing received and nothing requested returns to the rarest-first pool. */
  private releaseIfIdle(i: number, prog: PieceProgress): void {
    if (prog.receivedCount === 0 && prog.requestedCount === 0) this.s.setState(i, POOL)
  }

  private request(index: number, block: number): BlockRequest {
    const offset = block * this.blockSize
    return { index, offset, length: Math.min(this.blockSize, this.pieceSize(index) - offset) }
  }

  /** Block number for (index, offset), or -1 if it is not a block boundary of that piece. */
  private blockOf(index: number, offset: number): number {
    if (!Number.isInteger(index) || index < 0 || index >= this.pieceCount) return -1
    if (offset < 0 || offset % this.blockSize !== 0 || offset >= this.pieceSize(index)) return -1
    return offset / this.blockSize
  }

  private checkIndex(index: number): void {
    if (!Number.isInteger(index) || index < 0 || index >= this.pieceCount) throw new RangeError(`no piece ${index}`)
  }
}
