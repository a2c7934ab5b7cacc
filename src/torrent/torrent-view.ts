/** What a torrent shows, apart from what it does (torrent.ts): who it is (info hash,
 * trackers, magnet link, .torrent file), its figures (rates, totals, progress, time left)
 * and its rate limits. Names follow WebTorrent's where there is one (docs/webtorrent-api.md). */
import { StateEmitter } from '../util/state-emitter.js'
import { toHex } from '../util/bytes.js'
import type { Bitfield } from '../util/bitfield.js'
import { RateMeter } from '../util/rate.js'
import { TokenBucket, limitFrom } from '../util/token-bucket.js'
import { encodeTorrentFile, formatMagnet, type Metainfo } from '../metainfo/index.js'
import { verifiedBytesOf, type TorrentFile } from './files.js'
import { uniqueTiers } from './tiers.js'
import { remainingMs, verifiedLength, wantedBytes } from './stats.js'
import { untilEvent } from './wait.js'
import type { TorrentContext } from './context.js'
import type { TorrentEvents, TorrentOptions, TorrentSource } from './types.js'

export abstract class TorrentView extends StateEmitter<TorrentEvents> {
  readonly downloadMeter: RateMeter
  readonly uploadMeter: RateMeter
  protected readonly downloadLimit: TokenBucket
  protected readonly uploadLimit: TokenBucket
  #infoHash: Uint8Array | undefined
  #infoHashHex = ''
  #source: TorrentSource | undefined
  #tiers: string[][] = []
  #torrentFile: Uint8Array | undefined

  abstract get metainfo(): Metainfo | undefined
  abstract get files(): TorrentFile[]
  abstract get have(): Bitfield | undefined
  abstract get ready(): boolean
  abstract get done(): boolean
  abstract get destroyed(): boolean
  abstract get error(): Error | undefined

  constructor(readonly ctx: TorrentContext, readonly opts: TorrentOptions) {
    super()
    const now = () => ctx.clock.now()
    this.downloadMeter = new RateMeter(5, now)
    this.uploadMeter = new RateMeter(5, now)
    this.downloadLimit = new TokenBucket(opts.downloadLimit ?? Infinity, ctx.clock, ctx.downloadLimit)
    this.uploadLimit = new TokenBucket(opts.uploadLimit ?? Infinity, ctx.clock, ctx.uploadLimit)
  }

  /** Records what the id named; false when it was known already. */
  protected setSource(source: TorrentSource): boolean {
    if (this.#infoHash) return false
    this.#source = source
    this.#infoHash = source.infoHash
    this.#infoHashHex = toHex(source.infoHash)
    this.#torrentFile = source.torrentFile
    this.#tiers = uniqueTiers(source.announce)
    return true
  }

  protected get source(): TorrentSource | undefined { return this.#source }
  /** the tracker tiers to announce to */
  protected get tiers(): string[][] { return this.#tiers }

  /** Late listeners of state events are called too, while the state holds. */
  protected stateNow<K extends keyof TorrentEvents>(event: K): TorrentEvents[K] | undefined {
    const holds = event === 'infoHash' ? this.#infoHash !== undefined : event === 'metadata' ? this.metainfo !== undefined
      : event === 'ready' ? this.ready : event === 'done' ? this.ready && this.done : false
    if (!holds) return undefined
    return (event === 'infoHash' ? [this.#infoHashHex] : []) as TorrentEvents[K]
  }

  /** the info hash in hex ('' until known: a .torrent path or URL is read first) */
  get infoHash(): string { return this.#infoHashHex }
  get infoHashHex(): string { return this.#infoHashHex }
  get infoHashBytes(): Uint8Array | undefined { return this.#infoHash }
  get name(): string { return this.metainfo?.name ?? this.opts.name ?? this.#source?.name ?? this.#infoHashHex }
  get magnetURI(): string {
    if (!this.#infoHash) return ''
    const name = this.metainfo?.name ?? this.opts.name ?? this.#source?.name
    return formatMagnet({ infoHash: this.#infoHash, ...(name ? { name } : {}), trackers: this.announce })
  }
  /** the .torrent file (as given, or made from the metadata), once the metadata is known */
  get torrentFile(): Uint8Array | undefined {
    if (!this.#torrentFile && this.metainfo) this.#torrentFile = encodeTorrentFile(this.metainfo)
    return this.#torrentFile
  }
  /** every tracker URL, tiers flattened */
  get announce(): string[] { return [...new Set(this.#tiers.flat())] }
  get path(): string { return this.opts.path }
  get length(): number { return this.metainfo?.length ?? 0 }
  get pieceLength(): number { return this.metainfo?.pieceLength ?? 0 }
  get lastPieceLength(): number { return this.metainfo?.lastPieceLength ?? 0 }

  get downloadSpeed(): number { return this.downloadMeter.rate() }
  get uploadSpeed(): number { return this.uploadMeter.rate() }
  /** bytes received from peers (WebTorrent's `received`), verified or not */
  get received(): number { return this.downloadMeter.total }
  get uploaded(): number { return this.uploadMeter.total }
  /** bytes of verified pieces, all files (WebTorrent's `downloaded`) */
  get downloaded(): number { return verifiedLength(this.have, this.metainfo) }
  /** uploaded / received (or / length before anything came) */
  get ratio(): number { return this.uploaded / (this.received || this.length || 1) }
  /** bytes of the selected files that are verified, and how many are wanted */
  get wanted(): { have: number; total: number } { return wantedBytes(this.files, (f) => this.verifiedBytes(f)) }
  /** verified share of the selected files, 0..1 */
  get progress(): number {
    const { have, total } = this.wanted
    return total === 0 ? (this.ready ? 1 : 0) : have / total
  }
  /** milliseconds until the selected files are verified at the current rate (0 when done) */
  get timeRemaining(): number {
    const { have, total } = this.wanted
    return this.done && this.ready ? 0 : remainingMs(Math.max(1, total - have), this.downloadSpeed)
  }

  /** Resolves once ready (metadata and storage there); rejects when the torrent fails or
   * is removed first: `const t = await client.add(id).whenReady()`. */
  async whenReady(signal?: AbortSignal): Promise<this> {
    if (!this.ready) await untilEvent(this, 'ready', signal)
    return this
  }

  /** Resolves once every selected piece is verified; rejects like whenReady. */
  async whenDone(signal?: AbortSignal): Promise<this> {
    while (!(this.ready && this.done)) await untilEvent(this, 'done', signal)
    return this
  }

  verifiedBytes(file: TorrentFile): number {
    const have = this.have
    return have ? verifiedBytesOf(file, (i) => have.get(i), file.pieceLength) : 0
  }

  /** Bytes per second this torrent may receive / send, within the client's limits; -1 or
   * Infinity lifts it. Returns false (and changes nothing) for 0 or other values not above 0. */
  throttleDownload(rate: number): boolean {
    const limit = limitFrom(rate)
    if (limit === undefined) return false
    this.downloadLimit.setRate(limit)
    this.limitsChanged()
    return true
  }

  throttleUpload(rate: number): boolean {
    const limit = limitFrom(rate)
    if (limit === undefined) return false
    this.uploadLimit.setRate(limit)
    return true
  }

  /** a limit moved: requests may go out now */
  protected abstract limitsChanged(): void
}
