/** Reading a file of a torrent in order while it downloads: the reader's window makes the
 * pieces at its position critical and a readahead behind them high (reader-windows.ts); the
 * reader waits for each piece to be verified, then reads it from storage. Stream adapters
 * (src/stream: Node Readable, web stream, HTTP, service worker) all sit on this. */
import { windowSize, type ReaderWindows } from '../engine/reader-windows.js'

export interface ReadRange {
  /** first byte of the file to read (default 0) */
  start?: number
  /** last byte to read, inclusive as in fs.createReadStream (default: end of file) */
  end?: number
}

export interface ReadOptions extends ReadRange {
  /** bytes to fetch at high priority ahead of the reader (default 8 MiB) */
  readahead?: number
  /** largest chunk yielded (default 1 MiB; never more than the rest of a piece) */
  chunkSize?: number
  signal?: AbortSignal
}

export class StreamError extends Error {
  override name = 'StreamError'
}

/** What a reader needs of its torrent. */
export interface ReaderSource {
  /** resolves when the metadata and storage are there; rejects when the torrent goes away */
  untilReady(signal?: AbortSignal): Promise<{ pieceLength: number; windows: ReaderWindows }>
  /** resolves when the piece is verified */
  untilPiece(index: number, signal?: AbortSignal): Promise<void>
  read(index: number, offset: number, length: number): Promise<Uint8Array>
}

/** Checks a range against a file: returns inclusive [start, end], end < start when empty. */
export function resolveRange(length: number, range: ReadRange = {}): { start: number; end: number } {
  const start = range.start ?? 0
  const end = Math.min(range.end ?? length - 1, length - 1)
  if (!Number.isSafeInteger(start) || start < 0 || !Number.isSafeInteger(end) || (start > end + 1)) {
    throw new RangeError(`invalid range ${start}..${end} for a file of ${length} bytes`)
  }
  return { start, end }
}

/** Yields bytes start..end of the file at `fileOffset` (in the torrent) as they become available. */
export async function* readRange(source: ReaderSource, file: { offset: number; length: number }, opts: ReadOptions = {}): AsyncGenerator<Uint8Array, void, undefined> {
  const { start, end } = resolveRange(file.length, opts)
  if (end < start) return
  const { pieceLength, windows } = await source.untilReady(opts.signal)
  const chunkSize = Math.max(16384, opts.chunkSize ?? 1024 * 1024)
  const window = windows.add(Math.floor((file.offset + end) / pieceLength), windowSize(pieceLength, opts.readahead))
  try {
    let at = file.offset + start
    const last = file.offset + end
    while (at <= last) {
      const piece = Math.floor(at / pieceLength)
      window.moveTo(piece)
      await source.untilPiece(piece, opts.signal)
      const upTo = Math.min(last, (piece + 1) * pieceLength - 1, at + chunkSize - 1)
      const data = await source.read(piece, at - piece * pieceLength, upTo - at + 1)
      at += data.length
      yield data
    }
  } finally {
    window.remove()
  }
}
