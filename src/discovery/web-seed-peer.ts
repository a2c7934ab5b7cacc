/** A web seed (BEP 19) presented as a peer: the torrent gets a Duplex (`duplex`) and talks
 * the peer wire protocol over it as to anyone else; on the other end a Wire of ours plays a
 * seed that never chokes. It answers the handshake, says have_all (BEP 6) and unchoke, and
 * turns the torrent's `request`s into ranged HTTP GETs: requests that arrive together are
 * gathered for a moment, contiguous blocks merged into one GET (across pieces and, one GET
 * per file, across file boundaries), a few GETs in flight. Bytes go back as `piece`
 * messages as the body streams in. So the planner, endgame, hashing, strikes and bans treat
 * it as any peer: a web seed that serves wrong data fails the hash check and is banned
 * by the torrent like a peer.
 *
 * A failed GET (HTTP error, a lie about the range, a cut body, a stall, a redirect to
 * another host) rejects what is outstanding and closes the connection with the error;
 * the manager (web-seeds.ts) decides when to try again. Platform-neutral. */
import { Emitter } from '../util/emitter.js'
import { equalBytes, randomBytes } from '../util/bytes.js'
import { Bitfield } from '../util/bitfield.js'
import type { Clock, Timer } from '../util/clock.js'
import { MemoryDuplex } from '../transport/memory-pair.js'
import type { Duplex, PeerAddress } from '../transport/types.js'
import { Wire } from '../wire/index.js'
import { spanRange, pieceSize } from '../storage/file-span.js'
import type { StorageLayout } from '../storage/types.js'
import type { TorrentFileEntry } from '../metainfo/index.js'
import { rangedGet, WebSeedError, type RangeGetLimits } from './web-seed-get.js'
import { takeRun, webSeedFileUrls, type SeedRequest } from './web-seed-plan.js'

export interface WebSeedTorrent {
  infoHash: Uint8Array
  pieceLength: number
  pieceCount: number
  length: number
  files: TorrentFileEntry[]
}

export interface WebSeedPeerOptions {
  /** the url-list entry (BEP 19) */
  url: string
  torrent: WebSeedTorrent
  clock: Clock
  /** GETs in flight at once (default 2) */
  maxGets?: number
  /** the most bytes one GET asks for (default 4 MiB) */
  maxRunBytes?: number
  /** how long a request waits for more to merge with (default 0: the next turn of the event loop) */
  gatherMs?: number
  /** time bounds of each GET (web-seed-get.ts) */
  limits?: Omit<RangeGetLimits, 'clock' | 'signal'>
}

export type WebSeedPeerEvents = {
  /** a GET completed, with this many body bytes */
  served: [bytes: number]
  /** the connection is over; `error` when the web seed failed (not when the torrent left it) */
  close: [error: Error | undefined]
}

/** The pseudo-address a web seed's connection goes under: strikes and bans are keyed by it,
 * so a web seed that sent bad data stays banned however often it is reconnected. */
export function webSeedAddress(url: string): PeerAddress {
  return { host: `webseed:${url}`, port: 1 }
}

export class WebSeedPeer extends Emitter<WebSeedPeerEvents> {
  /** the end the torrent talks to: hand it to `torrent.addConnection(duplex, address, true)` */
  readonly duplex: Duplex
  readonly address: PeerAddress
  /** GETs sent and body bytes received, for tests and diagnostics */
  readonly stats = { gets: 0, bytes: 0 }
  readonly #wire: Wire
  readonly #o: WebSeedPeerOptions
  readonly #layout: StorageLayout
  readonly #urls: (string | undefined)[]
  /** requests not yet in a GET, by torrent byte offset, oldest first */
  readonly #pending = new Map<number, SeedRequest>()
  /** requests inside running GETs, by torrent byte offset (for cancels) */
  readonly #fetching = new Map<number, { request: SeedRequest; run: RunningGet }>()
  readonly #abort = new AbortController()
  #active = 0
  #gather: Timer | undefined
  #error: Error | undefined
  #closed = false

  constructor(opts: WebSeedPeerOptions) {
    super()
    this.#o = opts
    const { torrent } = opts
    this.address = webSeedAddress(opts.url)
    this.#layout = { pieceLength: torrent.pieceLength, length: torrent.length, files: torrent.files }
    this.#urls = webSeedFileUrls(opts.url, torrent.files)
    const [near, far] = MemoryDuplex.pair()
    this.duplex = near
    // keep-alives let the torrent's idle timeout see a live seed while it asks nothing of it
    const wire = new Wire(far, { clock: opts.clock, idleTimeoutMs: 0, keepAliveMs: 30_000 })
    this.#wire = wire
    wire.on('handshake', (infoHash) => {
      if (!equalBytes(infoHash, torrent.infoHash)) { wire.destroy(new WebSeedError('handshake for another torrent')); return }
      wire.handshake(torrent.infoHash, randomBytes(20), { dht: false, fast: true, extended: false })
      if (wire.peerSupportsFast) wire.haveAll()
      else { const all = new Bitfield(torrent.pieceCount); all.setAll(); wire.bitfield(all) }
      wire.unchoke()
    })
    wire.on('request', (index, offset, length) => this.#onRequest(index, offset, length))
    wire.on('cancel', (index, offset) => this.#onCancel(index, offset))
    wire.on('error', (err) => { this.#error ??= err })
    wire.once('close', () => this.#onClose())
  }

  /** why the web seed failed, if it did */
  get error(): Error | undefined { return this.#error }
  get closed(): boolean { return this.#closed }

  /** Ends the connection (the torrent sees the peer leave); `error` says the web seed failed. */
  destroy(error?: Error): void {
    if (this.#closed) return
    this.#error ??= error
    this.#wire.destroy(error)
  }

  #onRequest(index: number, offset: number, length: number): void {
    const { pieceLength, pieceCount } = this.#o.torrent
    const start = index * pieceLength + offset
    if (index >= pieceCount || offset + length > pieceSize(this.#layout, index)) { this.#reject({ index, offset, length, start }); return }
    if (this.#pending.has(start)) return
    const running = this.#fetching.get(start)
    if (running && !running.run.abort.signal.aborted) { running.request.cancelled = false; return } // asked again
    this.#pending.set(start, { index, offset, length, start })
    this.#gather ??= this.#o.clock.setTimeout(() => { this.#gather = undefined; this.#pump() }, this.#o.gatherMs ?? 0)
  }

  #onCancel(index: number, offset: number): void {
    const start = index * this.#o.torrent.pieceLength + offset
    if (this.#pending.delete(start)) return
    const running = this.#fetching.get(start)
    if (!running) return
    running.request.cancelled = true
    // nobody wants the rest of this GET any more (endgame, a seek): free its slot
    if (running.run.sink.allCancelled()) running.run.abort.abort()
  }

  #pump(): void {
    const maxGets = this.#o.maxGets ?? 2
    while (!this.#closed && this.#active < maxGets && this.#pending.size > 0) {
      const run = takeRun(this.#pending, this.#o.maxRunBytes ?? 4 * 1024 * 1024)
      this.#active++
      void this.#fetch(run).finally(() => { this.#active--; this.#pump() })
    }
  }

  /** One run of contiguous blocks: a GET per file it covers (pad files are zeros). */
  async #fetch(run: SeedRequest[]): Promise<void> {
    const sink = new BlockSink(run, (r, data) => {
      this.#fetching.delete(r.start)
      if (!r.cancelled && !this.#closed) this.#wire.piece(r.index, r.offset, data)
    })
    const running: RunningGet = { sink, abort: new AbortController() }
    for (const r of run) this.#fetching.set(r.start, { request: r, run: running })
    const first = run[0]!, last = run[run.length - 1]!
    const signal = AbortSignal.any([this.#abort.signal, running.abort.signal])
    try {
      for (const seg of spanRange(this.#layout, first.start, last.start + last.length - first.start)) {
        if (sink.allCancelled()) break
        if (seg.padding) { sink.push(new Uint8Array(seg.length)); continue }
        const file = this.#layout.files[seg.fileIndex]!
        this.stats.gets++
        await rangedGet({ url: this.#urls[seg.fileIndex]!, start: seg.fileOffset, length: seg.length, fileLength: file.length }, (chunk) => {
          sink.push(chunk)
          this.stats.bytes += chunk.length
        }, { ...this.#o.limits, clock: this.#o.clock, signal })
        this.emit('served', seg.length)
      }
    } catch (err) {
      if (this.#closed || running.abort.signal.aborted) return
      for (const r of sink.unanswered()) this.#reject(r)
      for (const r of this.#pending.values()) this.#reject(r)
      this.#pending.clear()
      this.destroy(err instanceof Error ? err : new WebSeedError(String(err)))
    } finally {
      for (const r of run) this.#fetching.delete(r.start)
    }
  }

  #reject(r: SeedRequest): void {
    if (!this.#closed && this.#wire.peerSupportsFast && !r.cancelled) this.#wire.reject(r.index, r.offset, r.length)
  }

  #onClose(): void {
    this.#closed = true
    this.#gather?.cancel()
    this.#pending.clear()
    this.#abort.abort()
    this.emit('close', this.#error)
  }
}

interface RunningGet { sink: BlockSink; abort: AbortController }

/** Cuts a run's body into its blocks: whole blocks inside a chunk go as views of it (the
 * chunk is ours alone), blocks split across chunks are assembled in a buffer of their own. */
class BlockSink {
  #next = 0
  #buf: Uint8Array | undefined
  #filled = 0

  constructor(private readonly blocks: readonly SeedRequest[], private readonly deliver: (r: SeedRequest, data: Uint8Array) => void) {}

  push(chunk: Uint8Array): void {
    let pos = 0
    while (pos < chunk.length && this.#next < this.blocks.length) {
      const block = this.blocks[this.#next]!
      if (this.#filled === 0 && chunk.length - pos >= block.length) {
        this.#done(block, chunk.subarray(pos, pos + block.length))
        pos += block.length
        continue
      }
      this.#buf ??= new Uint8Array(block.length)
      const n = Math.min(block.length - this.#filled, chunk.length - pos)
      this.#buf.set(chunk.subarray(pos, pos + n), this.#filled)
      this.#filled += n
      pos += n
      if (this.#filled === block.length) { const data = this.#buf; this.#buf = undefined; this.#filled = 0; this.#done(block, data) }
    }
  }

  allCancelled(): boolean {
    for (let i = this.#next; i < this.blocks.length; i++) if (!this.blocks[i]!.cancelled) return false
    return true
  }

  unanswered(): SeedRequest[] { return this.blocks.slice(this.#next) }

  #done(block: SeedRequest, data: Uint8Array): void {
    this.#next++
    this.deliver(block, data)
  }
}
