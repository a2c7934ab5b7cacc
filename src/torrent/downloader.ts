import { Emitter } from '../util/emitter.js'
import { equalBytes } from '../util/bytes.js'
import type { Hasher } from '../util/hasher.js'
import { PRIORITY_CRITICAL, type PiecePicker, type BlockRequest } from '../engine/picker.js'
import type { Storage } from '../storage/types.js'
import { requestKey, type Peer } from './peer.js'

export interface DownloaderOptions {
  picker: PiecePicker
  storage: Storage
  hasher: Hasher
  pieceLength: number
  length: number
  pieceHashes: Uint8Array
  now?: () => number
  /** a request unanswered this long goes back to the pool (and the peer's queue shrinks) */
  requestTimeoutMs?: number
  /** most bytes of finished pieces waiting for hashing and writing before we stop requesting */
  maxPendingBytes?: number
}

type Events = {
  verified: [index: number]
  failed: [index: number, contributors: string[]]
  error: [Error]
}

interface PartialPiece {
  data: Uint8Array
  received: number
  contributors: Set<string>
}

/** Our half of the exchange: which blocks to ask each peer for, assembling them into pieces,
 * checking each piece's SHA-1 and handing good pieces to storage. The torrent tells it what
 * happened on the wires; it never touches sockets itself. */
export class Downloader extends Emitter<Events> {
  readonly #o: Required<Omit<DownloaderOptions, 'now'>> & { now: () => number }
  readonly #partial = new Map<number, PartialPiece>()
  /** finished piece buffers, reused: no allocation, zero-filling or GC per piece */
  readonly #spare: Uint8Array[] = []
  #pendingBytes = 0
  #destroyed = false

  constructor(opts: DownloaderOptions) {
    super()
    this.#o = { requestTimeoutMs: 30_000, maxPendingBytes: 16 * 1024 * 1024, now: Date.now, ...opts }
  }

  pieceSize(index: number): number {
    const { pieceLength, length } = this.#o
    return Math.min(pieceLength, length - index * pieceLength)
  }

  /** Tops up the peer's request queue to its depth. Call it whenever something changed;
   * `urgent` (a stream reader waits for new pieces) skips the batching below. */
  fill(peer: Peer, urgent = false): void {
    if (this.#destroyed || peer.wire.destroyed || !peer.have) return
    if (peer.wire.peerChoking && peer.allowedFast.size === 0) return
    if (this.#pendingBytes >= this.#o.maxPendingBytes) return
    // Refill in batches once half the queue is answered: one write carries many requests
    // (on loopback each socket write costs more than the request it carries).
    if (!urgent && peer.requests.size > peer.queueDepth / 2) return
    const room = peer.queueDepth - peer.requests.size
    const choked = peer.wire.peerChoking
    const have = peer.have
    const picks = this.#o.picker.pick({
      id: peer.id,
      has: choked ? (i) => peer.allowedFast.has(i) && have.get(i) : (i) => have.get(i),
      isSeed: peer.isSeed && !choked,
    }, room)
    const now = this.#o.now()
    for (const r of picks) {
      peer.requests.set(requestKey(r.index, r.offset), { ...r, sentAt: now })
      peer.wire.request(r.index, r.offset, r.length)
    }
  }

  /** A block arrived. Returns false when the peer sent something we never asked for. */
  onBlock(peer: Peer, index: number, offset: number, block: Uint8Array, others: (id: string) => Peer | undefined): boolean {
    const key = requestKey(index, offset)
    const req = peer.requests.get(key)
    if (!req || req.length !== block.length) return false
    peer.requests.delete(key)
    peer.lastBlockAt = this.#o.now()
    const { picker } = this.#o
    // In endgame the same block is asked of several peers: cancel it at the others.
    if (picker.isEndgame()) {
      for (const id of picker.inFlightPeers(index, offset)) {
        const other = id === peer.id ? undefined : others(id)
        if (other?.requests.delete(key)) other.wire.cancel(index, offset, block.length)
      }
    }
    const { pieceComplete, duplicate, cancel } = picker.onBlockReceived(index, offset, peer.id)
    // a late critical block was also asked of another peer (hurry): that copy is not needed
    for (const id of cancel) {
      const other = others(id)
      if (other?.requests.delete(key)) other.wire.cancel(index, offset, block.length)
    }
    if (duplicate) return true
    let partial = this.#partial.get(index)
    if (!partial) {
      const size = this.pieceSize(index)
      const data = size === this.#o.pieceLength ? this.#spare.pop() ?? new Uint8Array(size) : new Uint8Array(size)
      partial = { data, received: 0, contributors: new Set() }
      this.#partial.set(index, partial)
    }
    partial.data.set(block, offset)
    partial.received += block.length
    partial.contributors.add(peer.id)
    if (pieceComplete) {
      this.#partial.delete(index)
      void this.#finish(index, partial)
    }
    return true
  }

  async #finish(index: number, partial: PartialPiece): Promise<void> {
    const size = partial.data.length
    this.#pendingBytes += size
    let buffer = partial.data
    try {
      const { hasher } = this.#o
      const { digest, data } = hasher.sha1Owned ? await hasher.sha1Owned(partial.data) : { digest: await hasher.sha1(partial.data), data: partial.data }
      buffer = data
      if (this.#destroyed) return
      const expected = this.#o.pieceHashes.subarray(index * 20, index * 20 + 20)
      if (!equalBytes(digest, expected)) {
        this.#o.picker.onPieceFailed(index)
        this.emit('failed', index, [...partial.contributors])
        return
      }
      await this.#o.storage.write(index, 0, data)
      if (this.#destroyed) return
      this.#o.picker.onPieceVerified(index)
      this.emit('verified', index)
    } catch (err) {
      if (this.#destroyed) return
      this.#o.picker.onPieceFailed(index)
      this.emit('error', err instanceof Error ? err : new Error(String(err)))
    } finally {
      this.#pendingBytes -= size
      if (buffer.length === this.#o.pieceLength && buffer.buffer.byteLength > 0 && this.#spare.length < 4) this.#spare.push(buffer)
    }
  }

  /** Every outstanding request to this peer goes back to the pool (choke, close, ban). */
  dropAll(peer: Peer): void {
    for (const r of peer.requests.values()) this.#o.picker.onRequestDropped(r.index, r.offset, peer.id)
    peer.requests.clear()
  }

  /** The peer refused one request (BEP 6 reject). */
  dropOne(peer: Peer, index: number, offset: number): void {
    if (peer.requests.delete(requestKey(index, offset))) this.#o.picker.onRequestDropped(index, offset, peer.id)
  }

  /** Periodic housekeeping: expire stale requests and adapt each peer's queue depth to its
   * rate, so the link stays full (about a second of data in flight) without hoarding blocks. */
  tick(peers: Iterable<Peer>): void {
    const now = this.#o.now()
    for (const peer of peers) {
      const rate = peer.wire.downloadRate
      const reqq = peer.reqq
      const want = Math.ceil(rate / 16384)
      peer.queueDepth = Math.max(16, Math.min(reqq, 500, want))
      for (const [key, r] of peer.requests) {
        if (now - r.sentAt < this.#o.requestTimeoutMs) continue
        peer.requests.delete(key)
        this.#o.picker.onRequestDropped(r.index, r.offset, peer.id)
        peer.queueDepth = 16
      }
    }
  }

  /** A stream reader waits for critical pieces: a block of theirs unanswered for `lateMs`
   * is asked of one more unchoked peer that has the piece; the first copy wins and the
   * other is cancelled (onBlock). */
  hurry(peers: Iterable<Peer>, lateMs = 2000): void {
    const { picker } = this.#o
    const now = this.#o.now()
    const all = [...peers]
    for (const peer of all) {
      for (const [key, r] of peer.requests) {
        if (now - r.sentAt < lateMs || picker.priority(r.index) !== PRIORITY_CRITICAL) continue
        if (picker.inFlightPeers(r.index, r.offset).length > 1) continue
        const other = all.find((p) => p !== peer && !p.wire.peerChoking && p.hasPiece(r.index) &&
          !p.requests.has(key) && p.requests.size < p.queueDepth + 16)
        if (!other || !picker.requestAgain(r.index, r.offset, other.id)) continue
        other.requests.set(key, { index: r.index, offset: r.offset, length: r.length, sentAt: now })
        other.wire.request(r.index, r.offset, r.length)
      }
    }
  }

  get pendingBytes(): number { return this.#pendingBytes }

  /** bytes received so far for pieces not yet verified (for progress) */
  get partialBytes(): number {
    let n = 0
    for (const p of this.#partial.values()) n += p.received
    return n
  }

  destroy(): void {
    this.#destroyed = true
    this.#partial.clear()
  }
}

export type { BlockRequest }
