/** Streams over torrent files, platform-neutral part. Importing this module gives every
 * TorrentFile `stream()` (a web ReadableStream) and `chunks()` (an async iterator). */
import { TorrentFile } from '../torrent/files.js'
import { readFileRange, type FileReadOptions } from './file-reader.js'
import { fileWebStream } from './web-stream.js'
import './whole-file.js'

export { readFileRange, resolveRange, streamWindowsOf, StreamError, type FileReadOptions, type ReadRange } from './file-reader.js'
export { StreamWindows, StreamWindow, windowSize, PRIORITY_READAHEAD, type WindowSize } from './windows.js'
export { fileWebStream } from './web-stream.js'
export { contentTypeOf } from './mime.js'

declare module '../torrent/files.js' {
  interface TorrentFile {
    /** Bytes start..end (inclusive) as a web ReadableStream, fetched in reading order:
     * the pieces at the reader become critical, a readahead window follows it. */
    stream(opts?: FileReadOptions): ReadableStream<Uint8Array>
    /** The same as an async iterator of chunks. */
    chunks(opts?: FileReadOptions): AsyncGenerator<Uint8Array, void, undefined>
  }
}

TorrentFile.prototype.stream = function stream(this: TorrentFile, opts?: FileReadOptions) { return fileWebStream(this, opts) }
TorrentFile.prototype.chunks = function chunks(this: TorrentFile, opts?: FileReadOptions) { return readFileRange(this, opts) }
