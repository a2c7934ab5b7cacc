/** A file range as a Node Readable, like fs.createReadStream. */
import { Readable } from 'node:stream'
import type { TorrentFile } from '../torrent/files.js'
import { readFileRange, type FileReadOptions } from './file-reader.js'

export class FileReadStream extends Readable {
  readonly #abort = new AbortController()
  readonly #chunks: AsyncGenerator<Uint8Array, void, undefined>
  #reading = false

  constructor(readonly file: TorrentFile, opts: Omit<FileReadOptions, 'signal'> = {}) {
    super({ highWaterMark: 1024 * 1024 })
    this.#chunks = readFileRange(file, { ...opts, signal: this.#abort.signal })
  }

  override _read(): void {
    if (this.#reading) return
    this.#reading = true
    this.#chunks.next().then((r) => {
      this.#reading = false
      if (this.destroyed) return
      if (r.done) { this.push(null); return }
      // push() false: wait for the next _read call; true: keep going
      if (this.push(r.value)) this._read()
    }, (err: Error) => {
      this.#reading = false
      this.destroy(err)
    })
  }

  override _destroy(err: Error | null, callback: (error?: Error | null) => void): void {
    // abort first: a reader waiting for a piece must let go of its window now
    this.#abort.abort()
    this.#chunks.return(undefined).catch(() => undefined)
    callback(err)
  }
}

export function createFileReadStream(file: TorrentFile, opts: Omit<FileReadOptions, 'signal'> = {}): FileReadStream {
  return new FileReadStream(file, opts)
}
