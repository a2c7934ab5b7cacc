/** Checks which pieces a storage already holds (resume, or seeding existing files): read each
 * piece whole, SHA-1 it, compare with the metadata hash (BEP 3). Reads are whole pieces with a
 * few in flight, so disks see large sequential requests and hashing overlaps I/O. */
import { Bitfield } from '../util/bitfield.js'
import type { Hasher } from '../util/hasher.js'
import { pieceCount, pieceSize } from './file-span.js'
import { StorageError, type Storage, type StorageLayout } from './types.js'

export interface VerifyOptions {
  signal?: AbortSignal
  /** Called after each piece considered (checked or skipped by a hint). */
  onProgress?(done: number, total: number): void
  /** Only these pieces are considered; others stay unset. */
  only?: (index: number) => boolean
  /** Cheap hint: pieces for which this is false are skipped without reading. Defaults to
   * storage.possiblyPresent() when the backend has it (FsStorage: by file sizes on disk). */
  possiblyPresent?: (index: number) => boolean
  /** Pieces read at once (default 3). */
  concurrency?: number
}

/** Resolves to the bitfield of pieces whose stored bytes match their hash. A StorageError
 * while reading a piece ('missing', 'io', ...) means "not present"; 'closed', other errors
 * and aborts reject. */
export async function verifyStorage(
  storage: Storage,
  layout: StorageLayout & { pieceHashes: Uint8Array },
  hasher: Hasher,
  opts: VerifyOptions = {},
): Promise<Bitfield> {
  const count = pieceCount(layout)
  if (layout.pieceHashes.length !== count * 20) {
    throw new RangeError(`pieceHashes holds ${layout.pieceHashes.length / 20} hashes for ${count} pieces`)
  }
  const result = new Bitfield(count)
  const todo: number[] = []
  for (let i = 0; i < count; i++) if (opts.only === undefined || opts.only(i)) todo.push(i)
  const total = todo.length
  let done = 0
  let next = 0
  opts.signal?.throwIfAborted()
  const possiblyPresent = opts.possiblyPresent ?? (await storage.possiblyPresent?.())

  const worker = async (): Promise<void> => {
    while (next < todo.length) {
      opts.signal?.throwIfAborted()
      const index = todo[next++]!
      if (possiblyPresent === undefined || possiblyPresent(index)) {
        if (await checkPiece(storage, layout, hasher, index)) result.set(index)
      }
      opts.onProgress?.(++done, total)
    }
  }
  const workers = Math.max(1, Math.min(opts.concurrency ?? 3, todo.length))
  await Promise.all(Array.from({ length: workers }, worker))
  opts.signal?.throwIfAborted()
  return result
}

async function checkPiece(
  storage: Storage,
  layout: StorageLayout & { pieceHashes: Uint8Array },
  hasher: Hasher,
  index: number,
): Promise<boolean> {
  let data: Uint8Array
  try {
    data = await storage.read(index, 0, pieceSize(layout, index))
  } catch (err) {
    if (err instanceof StorageError && err.code !== 'closed') return false
    throw err
  }
  const digest = await hasher.sha1(data)
  const expected = layout.pieceHashes.subarray(index * 20, index * 20 + 20)
  for (let i = 0; i < 20; i++) if (digest[i] !== expected[i]) return false
  return true
}
