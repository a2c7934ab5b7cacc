import type { Storage } from '../storage/types.js'
import { Choker } from '../engine/choker.js'
import type { PeerConnection as Peer } from './peer-connection.js'
import type { TokenBucket } from '../util/token-bucket.js'

export interface UploaderOptions {
  storage: Storage
  has: (index: number) => boolean
  pieceSize: (index: number) => number
  /** bytes of whole pieces kept in memory for serving blocks (a piece is read once, not
   * once per block); at least two pieces are kept whatever their size */
  cacheBytes?: number
  maxQueuedRequests?: number
  slots?: number
  /** told of every block sent, for rates and totals */
  onUpload?: (bytes: number) => void
  /** shared upload limit (bytes/s) */
  limit?: TokenBucket | undefined
  now?: () => number
}

/** Our half as a source: who is unchoked, and answering their requests from storage. */
export class Uploader {
  readonly choker: Choker
  readonly #o: Required<Omit<UploaderOptions, 'slots' | 'limit' | 'now'>> & { limit?: TokenBucket | undefined }
  readonly #cache = new Map<number, Promise<Uint8Array>>()
  #destroyed = false

  constructor(opts: UploaderOptions) {
    this.#o = { cacheBytes: 16 * 1024 * 1024, maxQueuedRequests: 500, onUpload: () => undefined, ...opts }
    this.choker = new Choker({ slots: opts.slots ?? 4, ...(opts.now ? { now: opts.now } : {}) })
  }

  /** Recomputes who may download from us and tells the wires that changed. */
  rechoke(peers: readonly Peer[], seeding: boolean): void {
    const candidates = peers.filter((p) => !p.wire.destroyed).map((p) => ({
      id: p.id,
      interested: p.wire.peerInterested,
      rate: seeding ? p.wire.uploadRate : p.wire.downloadRate,
    }))
    const unchoke = this.choker.decide(candidates)
    for (const p of peers) {
      if (p.wire.destroyed) continue
      if (unchoke.has(p.id)) { if (p.wire.amChoking) p.wire.unchoke() } else if (!p.wire.amChoking) this.choke(p)
    }
  }

  choke(peer: Peer): void {
    peer.wire.choke()
    // With the fast extension a choke cancels nothing implicitly: reject each pending request (BEP 6).
    for (const r of peer.uploadQueue.drain((q) => peer.allowedFastForThem.has(q.index))) {
      if (peer.wire.peerSupportsFast) peer.wire.reject(r.index, r.offset, r.length)
    }
  }

  onRequest(peer: Peer, index: number, offset: number, length: number): void {
    const ok = this.#o.has(index) && offset + length <= this.#o.pieceSize(index) &&
      (!peer.wire.amChoking || peer.allowedFastForThem.has(index)) &&
      peer.uploadQueue.length < this.#o.maxQueuedRequests
    if (!ok) {
      if (peer.wire.peerSupportsFast) peer.wire.reject(index, offset, length)
      return
    }
    if (!peer.uploadQueue.push({ index, offset, length })) return // asked again: one copy is enough
    if (peer.uploadQueue.length === 1) void this.#serve(peer)
  }

  onCancel(peer: Peer, index: number, offset: number, length: number): void {
    // The head is already being read: let it go out (sending it is harmless).
    peer.uploadQueue.cancel({ index, offset, length })
  }

  /** Sends queued blocks while the wire accepts them; resumes on 'drain'. */
  async #serve(peer: Peer): Promise<void> {
    while (!this.#destroyed && !peer.wire.destroyed) {
      const r = peer.uploadQueue.head
      if (!r) return
      if (!peer.wire.writable) { await drainOrClose(peer); continue }
      let piece: Uint8Array
      try {
        piece = await this.#piece(r.index)
      } catch {
        peer.uploadQueue.shift()
        if (peer.wire.peerSupportsFast && !peer.wire.destroyed) peer.wire.reject(r.index, r.offset, r.length)
        continue
      }
      if (this.#o.limit) await this.#o.limit.take(r.length)
      if (peer.uploadQueue.head !== r) continue // choked or cancelled meanwhile
      peer.uploadQueue.shift()
      if (peer.wire.destroyed) return
      peer.wire.piece(r.index, r.offset, piece.subarray(r.offset, r.offset + r.length))
      peer.touch()
      this.#o.onUpload(r.length)
    }
  }

  #piece(index: number): Promise<Uint8Array> {
    let p = this.#cache.get(index)
    if (p) {
      this.#cache.delete(index) // re-insert: most recently used last
      this.#cache.set(index, p)
      return p
    }
    p = this.#o.storage.read(index, 0, this.#o.pieceSize(index))
    p.catch(() => this.#cache.delete(index))
    this.#cache.set(index, p)
    const maxPieces = Math.max(2, Math.floor(this.#o.cacheBytes / Math.max(1, this.#o.pieceSize(0))))
    while (this.#cache.size > maxPieces) {
      const oldest = this.#cache.keys().next().value as number
      this.#cache.delete(oldest)
    }
    return p
  }

  destroy(): void {
    this.#destroyed = true
    this.#cache.clear()
  }
}

function drainOrClose(peer: Peer): Promise<void> {
  return new Promise((resolve) => {
    const done = () => { peer.wire.off('drain', done); peer.wire.off('close', done); resolve() }
    peer.wire.on('drain', done).on('close', done)
  })
}
