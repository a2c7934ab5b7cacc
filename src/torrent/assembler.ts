/** Blocks into pieces: a received block goes into its piece's buffer; a full piece is
 * hashed (off the main thread where the platform can), and a good one is written to storage.
 * Who sent what is remembered per piece, so a piece that fails its hash can cost its senders. */
import { Emitter } from '../util/emitter.js'
import { equalBytes } from '../util/bytes.js'
import type { Hasher } from '../util/hasher.js'
import type { PiecePicker } from '../engine/picker.js'
import type { Storage } from '../storage/types.js'

export interface AssemblerOptions {
  picker: PiecePicker
  storage: Storage
  hasher: Hasher
  pieceHashes: Uint8Array
  /** most bytes of finished pieces waiting for hashing and writing before we stop requesting */
  maxPendingBytes?: number
}

type Events = {
  verified: [index: number]
  /** a piece failed its hash: the keys of the peers that sent parts of it */
  failed: [index: number, senders: string[]]
  /** storage refused a write: the torrent cannot go on */
  error: [Error]
}

interface PartialPiece {
  data: Uint8Array
  senders: Set<string>
}

export class PieceAssembler extends Emitter<Events> {
  readonly #o: Required<AssemblerOptions>
  readonly #partial = new Map<number, PartialPiece>()
  /** finished piece buffers, reused: no allocation, zero-filling or GC per piece */
  readonly #spare: Uint8Array[] = []
  #pendingBytes = 0
  #destroyed = false

  constructor(opts: AssemblerOptions) {
    super()
    this.#o = { maxPendingBytes: 16 * 1024 * 1024, ...opts }
  }

  /** False while too many finished pieces wait for the hasher or the disk. */
  get hasRoom(): boolean { return this.#pendingBytes < this.#o.maxPendingBytes }

  /** A block arrived from `sender` (a peer key). Returns the peers that had the same block
   * requested (endgame, hurry) and should get a cancel; the data is copied. */
  onBlock(sender: string, index: number, offset: number, block: Uint8Array): string[] {
    const { picker } = this.#o
    if (this.#destroyed || block.length === 0 || block.length !== picker.blockLength(index, offset)) return []
    const { pieceComplete, duplicate, cancel } = picker.onBlockReceived(index, offset, sender)
    if (duplicate) return cancel
    let partial = this.#partial.get(index)
    if (!partial) {
      const size = picker.pieceSize(index)
      const data = size === picker.pieceLength ? this.#spare.pop() ?? new Uint8Array(size) : new Uint8Array(size)
      partial = { data, senders: new Set() }
      this.#partial.set(index, partial)
    }
    partial.data.set(block, offset)
    partial.senders.add(sender)
    if (pieceComplete) {
      this.#partial.delete(index)
      void this.#finish(index, partial)
    }
    return cancel
  }

  async #finish(index: number, partial: PartialPiece): Promise<void> {
    const size = partial.data.length
    const { picker, hasher } = this.#o
    this.#pendingBytes += size
    let buffer = partial.data
    try {
      const { digest, data } = hasher.sha1Owned ? await hasher.sha1Owned(partial.data) : { digest: await hasher.sha1(partial.data), data: partial.data }
      buffer = data
      if (this.#destroyed) return
      if (!equalBytes(digest, this.#o.pieceHashes.subarray(index * 20, index * 20 + 20))) {
        picker.onPieceFailed(index)
        this.emit('failed', index, [...partial.senders])
        return
      }
      await this.#o.storage.write(index, 0, data)
      if (this.#destroyed) return
      picker.onPieceVerified(index)
      this.emit('verified', index)
    } catch (err) {
      if (this.#destroyed) return
      picker.onPieceFailed(index)
      this.emit('error', err instanceof Error ? err : new Error(String(err)))
    } finally {
      this.#pendingBytes -= size
      if (buffer.length === picker.pieceLength && buffer.buffer.byteLength > 0 && this.#spare.length < 4) this.#spare.push(buffer)
    }
  }

  destroy(): void {
    this.#destroyed = true
    this.#partial.clear()
  }
}
