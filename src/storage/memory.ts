/** Pieces held in memory, one Uint8Array per piece: for tests, browsers without a persistent
 * store, and short-lived streams. A piece never written reads as StorageError('missing');
 * bytes of a partly written piece that were not written read as zeros. Data is copied in and
 * out, so callers may reuse or mutate their buffers. */
import { pieceCount, pieceSize, validateLayout } from './file-span.js'
import { StorageError, type Storage, type StorageLayout } from './types.js'

export class MemoryStorage implements Storage {
  private readonly pieces = new Map<number, Uint8Array>()
  private readonly count: number
  private closed = false

  constructor(readonly layout: StorageLayout) {
    validateLayout(layout)
    this.count = pieceCount(layout)
  }

  async write(index: number, offset: number, data: Uint8Array): Promise<void> {
    const size = this.check(index, offset, data.length)
    let piece = this.pieces.get(index)
    if (piece === undefined) {
      piece = new Uint8Array(size)
      this.pieces.set(index, piece)
    }
    piece.set(data, offset)
  }

  async read(index: number, offset: number, length: number): Promise<Uint8Array> {
    this.check(index, offset, length)
    const piece = this.pieces.get(index)
    if (piece === undefined) throw new StorageError('missing', `piece ${index} not stored`)
    return piece.slice(offset, offset + length)
  }

  /** Bytes held, for memory limits. */
  get byteSize(): number {
    let n = 0
    for (const p of this.pieces.values()) n += p.length
    return n
  }

  async close(): Promise<void> {
    this.closed = true
  }

  async destroy(): Promise<void> {
    this.closed = true
    this.pieces.clear()
  }

  private check(index: number, offset: number, length: number): number {
    if (this.closed) throw new StorageError('closed', 'storage is closed')
    const size = Number.isInteger(index) && index >= 0 && index < this.count ? pieceSize(this.layout, index) : 0
    if (size === 0 || offset < 0 || length < 0 || offset + length > size) {
      throw new StorageError('range', `piece ${index} bytes ${offset}+${length} outside piece of ${size}`)
    }
    return size
  }
}
