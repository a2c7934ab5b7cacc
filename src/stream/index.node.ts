/** Streams over torrent files in Node: everything in index.ts, plus
 * `TorrentFile.createReadStream()` (a Node Readable) and the HTTP range server. */
import { TorrentFile } from '../torrent/files.js'
import { FileReadStream } from './node-stream.node.js'
import type { FileReadOptions } from './file-reader.js'

export * from './index.js'
export { FileReadStream, createFileReadStream } from './node-stream.node.js'

declare module '../torrent/files.js' {
  interface TorrentFile {
    /** Bytes start..end (inclusive, as fs.createReadStream) as a Node Readable; see stream(). */
    createReadStream(opts?: Omit<FileReadOptions, 'signal'>): FileReadStream
  }
}

TorrentFile.prototype.createReadStream = function createReadStream(this: TorrentFile, opts?: Omit<FileReadOptions, 'signal'>) {
  return new FileReadStream(this, opts)
}
