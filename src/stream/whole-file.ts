/** A whole file in memory once it is complete: `file.blob()` and `file.arrayBuffer()`. */
import { TorrentFile } from '../torrent/files.js'
import { readFileRange } from './file-reader.js'
import { contentTypeOf } from './mime.js'

declare module '../torrent/files.js' {
  interface TorrentFile {
    /** The file's bytes (downloaded first, at streaming priority) as a Blob typed by extension. */
    blob(): Promise<Blob>
    arrayBuffer(): Promise<ArrayBuffer>
  }
}

TorrentFile.prototype.arrayBuffer = async function arrayBuffer(this: TorrentFile) {
  const out = new Uint8Array(this.length)
  let off = 0
  for await (const chunk of readFileRange(this)) { out.set(chunk, off); off += chunk.length }
  return out.buffer
}

TorrentFile.prototype.blob = async function blob(this: TorrentFile) {
  return new Blob([await this.arrayBuffer()], { type: contentTypeOf(this.name) })
}
