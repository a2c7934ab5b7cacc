/** The platform-neutral core of file streams: an async generator of a file's bytes in
 * order, which moves its priority window as it goes and waits for verified pieces. The Node
 * Readable (node-stream.node.ts) and web ReadableStream (web-stream.ts) wrap it. */
import type { Torrent } from '../torrent/torrent.js'
import type { TorrentFile } from '../torrent/files.js'
import { StreamWindows, windowSize } from './windows.js'

export interface ReadRange {
  /** first byte of the file to read (default 0) */
  start?: number
  /** last byte to read, inclusive as in fs.createReadStream (default: end of file) */
  end?: number
}

export interface FileReadOptions extends ReadRange {
  /** bytes to fetch at high priority ahead of the reader (default 8 MiB) */
  readahead?: number
  /** largest chunk yielded (default 1 MiB; never more than the rest of a piece) */
  chunkSize?: number
  signal?: AbortSignal
}

export class StreamError extends Error {
  override name = 'StreamError'
}

const registries = new WeakMap<Torrent, StreamWindows>()

/** The reader windows of a torrent, hooked into its piece priorities on first use. */
export function streamWindowsOf(torrent: Torrent): StreamWindows {
  let windows = registries.get(torrent)
  if (!windows) {
    const w = new StreamWindows(() => { if (!torrent.destroyed) torrent.updatePriorities() })
    torrent.prioritySources.add((prio) => w.apply(prio))
    registries.set(torrent, w)
    windows = w
  }
  return windows
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

/** Yields bytes start..end of `file` as they become available, in order. */
export async function* readFileRange(file: TorrentFile, opts: FileReadOptions = {}): AsyncGenerator<Uint8Array, void, undefined> {
  const torrent = file.torrent
  if (!torrent) throw new StreamError('this file belongs to no torrent')
  const { start, end } = resolveRange(file.length, opts)
  if (end < start) return
  await untilReady(torrent, opts.signal)
  const pieceLength = file.pieceLength
  const chunkSize = Math.max(16384, opts.chunkSize ?? 1024 * 1024)
  const window = streamWindowsOf(torrent).add(Math.floor((file.offset + end) / pieceLength), windowSize(pieceLength, opts.readahead))
  try {
    let at = file.offset + start
    const last = file.offset + end
    while (at <= last) {
      const piece = Math.floor(at / pieceLength)
      window.moveTo(piece)
      await untilPiece(torrent, piece, opts.signal)
      const upTo = Math.min(last, (piece + 1) * pieceLength - 1, at + chunkSize - 1)
      const data = await torrent.read(piece, at - piece * pieceLength, upTo - at + 1)
      at += data.length
      yield data
    }
  } finally {
    window.remove()
  }
}

function untilReady(torrent: Torrent, signal: AbortSignal | undefined): Promise<void> {
  if (torrent.ready) return Promise.resolve()
  return waitFor(torrent, signal, (done) => {
    const onReady = () => done()
    torrent.on('ready', onReady)
    return () => torrent.off('ready', onReady)
  })
}

function untilPiece(torrent: Torrent, index: number, signal: AbortSignal | undefined): Promise<void> {
  if (torrent.have?.get(index)) return Promise.resolve()
  return waitFor(torrent, signal, (done) => {
    const onPiece = (i: number) => { if (i === index) done() }
    torrent.on('piece', onPiece)
    return () => torrent.off('piece', onPiece)
  })
}

/** Waits for `listen` to call done, failing when the torrent closes or the signal aborts. */
function waitFor(torrent: Torrent, signal: AbortSignal | undefined, listen: (done: () => void) => () => void): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    if (torrent.destroyed) { reject(new StreamError('the torrent was removed')); return }
    if (signal?.aborted) { reject(signal.reason instanceof Error ? signal.reason : new StreamError('aborted')); return }
    const finish = (err?: Error) => {
      stop()
      torrent.off('close', onClose)
      torrent.off('error', onError)
      signal?.removeEventListener('abort', onAbort)
      if (err) reject(err); else resolve()
    }
    const onClose = () => finish(new StreamError('the torrent was removed'))
    const onError = (e: Error) => finish(e)
    const onAbort = () => finish(signal?.reason instanceof Error ? signal.reason : new StreamError('aborted'))
    const stop = listen(() => finish())
    torrent.on('close', onClose)
    torrent.on('error', onError)
    signal?.addEventListener('abort', onAbort)
  })
}
