/** One file of a torrent as users see it: select or skip it, read it as it downloads.
 * Reading goes through the torrent (readers.ts); the platform adds what only it can make
 * (a Node Readable, playback in a page) as adapters, so no module patches this class. */
import type { Readable } from 'node:stream'
import type { TorrentFileEntry } from '../metainfo/index.js'
import { toWebStream } from '../util/web-stream.js'
import { contentTypeOf } from '../util/mime.js'
import type { ReadOptions } from './readers.js'

export interface StreamToOptions {
  /** URL of swarmstream-sw.js on this origin (default '/swarmstream-sw.js') */
  serviceWorker?: string
  /** skip the service worker and play a Blob URL once the file is complete */
  blobOnly?: boolean
}

/** What a platform can make of a file's bytes beyond chunks and web streams. */
export interface FileAdapters {
  /** a Node Readable over `open`'s chunks (Node) */
  readable?(open: (signal: AbortSignal) => AsyncGenerator<Uint8Array, void, undefined>): Readable
  /** plays the file in a media element (browsers) */
  streamTo?(file: TorrentFile, media: HTMLMediaElement, opts: StreamToOptions): Promise<{ url: string; via: 'service-worker' | 'blob' }>
}

/** What a file needs of its torrent. */
export interface FileHost {
  readonly infoHashHex: string
  readonly adapters: FileAdapters
  selectionChanged(): void
  verifiedBytes(file: TorrentFile): number
  openReader(file: TorrentFile, opts: ReadOptions): AsyncGenerator<Uint8Array, void, undefined>
}

export class TorrentFile {
  #selected: boolean

  constructor(readonly index: number, readonly entry: TorrentFileEntry, readonly pieceLength: number, private readonly host: FileHost, selected = true) {
    this.#selected = selected
  }

  get name(): string { return this.entry.path[this.entry.path.length - 1] ?? '' }
  get path(): string { return this.entry.pathString }
  get length(): number { return this.entry.length }
  get offset(): number { return this.entry.offset }
  get padding(): boolean { return this.entry.padding }
  get selected(): boolean { return this.#selected }
  /** the torrent's info hash (hex), for URLs naming this file */
  get infoHash(): string { return this.host.infoHashHex }

  /** inclusive piece range covering this file; empty files cover none */
  get firstPiece(): number { return Math.floor(this.offset / this.pieceLength) }
  get lastPiece(): number { return Math.floor((this.offset + Math.max(this.length, 1) - 1) / this.pieceLength) }

  /** bytes of this file verified */
  get downloaded(): number { return this.host.verifiedBytes(this) }
  /** fraction of this file's bytes verified, 0..1 */
  get progress(): number { return this.length === 0 ? 1 : this.downloaded / this.length }

  select(): void { this.#setSelected(true) }
  deselect(): void { this.#setSelected(false) }

  /** Bytes start..end (inclusive) as they arrive, in order: the pieces at the reader become
   * critical and a readahead window follows it. */
  chunks(opts: ReadOptions = {}): AsyncGenerator<Uint8Array, void, undefined> {
    return this.host.openReader(this, opts)
  }

  /** The same as a web ReadableStream. */
  stream(opts: ReadOptions = {}): ReadableStream<Uint8Array> {
    const { signal, ...rest } = opts
    return toWebStream((s) => this.chunks({ ...rest, signal: s }), signal)
  }

  /** The same as a Node Readable (in Node), like fs.createReadStream. */
  createReadStream(opts: Omit<ReadOptions, 'signal'> = {}): Readable {
    const readable = this.host.adapters.readable
    if (!readable) throw new Error('createReadStream needs Node; use file.stream() or file.chunks()')
    return readable((signal) => this.chunks({ ...opts, signal }))
  }

  /** The whole file (fetched at streaming priority). */
  async arrayBuffer(): Promise<ArrayBuffer> {
    const out = new Uint8Array(this.length)
    let off = 0
    for await (const chunk of this.chunks()) { out.set(chunk, off); off += chunk.length }
    return out.buffer
  }

  /** The whole file as a Blob typed by its extension. */
  async blob(): Promise<Blob> {
    return new Blob([await this.arrayBuffer()], { type: contentTypeOf(this.name) })
  }

  /** Plays this file in a media element (in browsers); resolves with the URL it was given. */
  streamTo(media: HTMLMediaElement, opts: StreamToOptions = {}): Promise<{ url: string; via: 'service-worker' | 'blob' }> {
    const streamTo = this.host.adapters.streamTo
    if (!streamTo) return Promise.reject(new Error('streamTo needs a browser'))
    return streamTo(this, media, opts)
  }

  #setSelected(on: boolean): void {
    if (this.#selected === on) return
    this.#selected = on
    this.host.selectionChanged()
  }
}

/** Piece priorities from file selection: a piece is wanted when any selected file touches it. */
export function piecePriorities(files: readonly TorrentFile[], pieceCount: number): Uint8Array {
  const prio = new Uint8Array(pieceCount)
  for (const f of files) {
    if (!f.selected || f.padding || f.length === 0) continue
    prio.fill(1, f.firstPiece, f.lastPiece + 1)
  }
  return prio
}

/** Verified bytes of a file, counting the partial first and last pieces exactly. */
export function verifiedBytesOf(file: TorrentFile, has: (index: number) => boolean, pieceLength: number): number {
  let n = 0
  const start = file.offset, end = file.offset + file.length
  for (let i = file.firstPiece; i <= file.lastPiece && file.length > 0; i++) {
    if (!has(i)) continue
    n += Math.min(end, (i + 1) * pieceLength) - Math.max(start, i * pieceLength)
  }
  return n
}
