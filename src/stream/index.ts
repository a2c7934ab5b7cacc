/** Streams over torrent files, platform-neutral part. Reading itself is the torrent's
 * (`file.chunks()`, `file.stream()`, `file.blob()`); this layer adapts it for players. */
export { resolveRange, StreamError, type ReadOptions, type ReadRange } from '../torrent/readers.js'
export { windowSize, PRIORITY_READAHEAD, type WindowSize } from '../engine/reader-windows.js'
export { toWebStream } from '../util/web-stream.js'
export { contentTypeOf } from '../util/mime.js'
export { parseRange, type RangeResult } from './range.js'
