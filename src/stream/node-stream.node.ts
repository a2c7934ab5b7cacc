/** File bytes as a Node Readable, like fs.createReadStream: the adapter Node gives
 * `file.createReadStream()`. Destroying it releases the reader's priority window at once. */
import { Readable } from 'node:stream'
import type { FileAdapters } from '../torrent/files.js'

export class FileReadStream extends Readable {
  readonly #abort = new AbortController()
  readonly #chunks: AsyncGenerator<Uint8Array, void, undefined>
  #reading = false

  constructor(open: (signal: AbortSignal) => AsyncGenerator<Uint8Array, void, undefined>) {
    super({ highWaterMark: 1024 * 1024 })
    this.#chunks = open(this.#abort.signal)
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

export const nodeFileAdapters: FileAdapters = {
  readable: (open) => new FileReadStream(open),
}
