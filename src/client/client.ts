import { Emitter } from '../util/emitter.js'
import { randomBytes, toHex, utf8 } from '../util/bytes.js'
import { TokenBucket, limitFrom } from '../util/token-bucket.js'
import { Wire } from '../wire/index.js'
import type { Duplex, PeerAddress } from '../transport/types.js'
import { Torrent, type TorrentOptions } from '../torrent/torrent.js'
import type { TorrentContext } from '../torrent/context.js'
import { toTiers, type AnnounceList } from '../torrent/tiers.js'
import { ClientError } from './errors.js'
import { awaitHandshake } from '../torrent/await-handshake.js'
import { ConnectionBudget } from './connection-budget.js'
import type { Dht } from '../discovery/dht/index.js'
import type { LocalPeerDiscovery } from '../discovery/lsd-message.js'
import { systemClock, type Clock } from '../util/clock.js'
import type { EncryptionLayer, EncryptionLayerFactory, EncryptionPolicy } from './encryption.js'
import { infoHashOf, parseTorrentId, type IdReader, type ParsedId, type TorrentId } from './torrent-id.js'

export type { TorrentId }

/** The platform parts a client is built from: Node gives TCP and files, browsers WebRTC. */
export interface ClientPlatform extends Omit<TorrentContext, 'peerId' | 'port' | 'isSelf' | 'canConnect' | 'clock'>, IdReader {
  /** starts accepting peers; resolves to the port actually bound */
  listen?(port: number, host: string, onConnection: (conn: Duplex, addr: PeerAddress) => void): Promise<{ port: number; close(): Promise<void> }>
  /** the DHT node (Node), on a UDP socket bound to `port` (or any free one when taken) */
  startDht?(port: number, host: string, clock: Clock, options: DhtClientOptions): Promise<{ dht: Dht; close(): Promise<void> }>
  /** local service discovery (Node: UDP multicast, BEP 14) */
  startLsd?(opts: { clock: Clock; port(): number; interface?: string | undefined }): Promise<LocalPeerDiscovery & { close(): Promise<void> }>
  /** MSE/PE for the peers of `listen` and `connect` (Node: TCP) */
  encryption?: EncryptionLayerFactory
  /** where `add` puts files when given no path (Node: <tmpdir>/swarmstream) */
  defaultPath?: string
  close?(): Promise<void>
}

export interface ClientOptions {
  /** 20 bytes; default: "-SW0010-" and 12 random bytes (Azureus style, BEP 20) */
  peerId?: Uint8Array
  /** port to accept peers on (default 6881, or any free port when 6881 is taken); 0 picks
   * a free one; false accepts none */
  port?: number | false
  /** WebTorrent's name for `port` */
  torrentPort?: number
  /** address to listen on (default 0.0.0.0) */
  host?: string
  /** the most peer connections across all torrents (default 200; WebTorrent: maxConns) */
  maxConnections?: number
  maxConns?: number
  /** the most connections to or from one IP address (default 8) */
  maxConnectionsPerAddress?: number
  /** the most inbound sockets waiting for their handshake (default 32; the oldest make way) */
  maxPendingConnections?: number
  /** announce to trackers (default true; WebTorrent: `tracker: false`) */
  trackers?: boolean
  tracker?: boolean | object
  /** the mainline DHT (BEP 5) for public torrents: true, or options (default false for the
   * library, so nothing reaches the public routers unless asked; the CLI turns it on) */
  dht?: boolean | DhtClientOptions
  /** local service discovery (BEP 14): true, or the interface to multicast on (default
   * false for the library; the CLI turns it on) */
  lsd?: boolean | { interface?: string }
  /** bytes per second across all torrents (default -1: no limit) */
  downloadLimit?: number
  uploadLimit?: number
  /** time for every timeout, interval and rate (default: the system clock; tests pass a fake one) */
  clock?: Clock
  /** MSE/PE on TCP: 'enabled' (default) accepts both and dials encrypted first, 'forced'
   * only RC4, 'disabled' only plaintext (see encryption.ts) */
  encryption?: EncryptionPolicy
}

export interface DhtClientOptions {
  /** entry points, "host:port" (default: the well-known public routers) */
  bootstrap?: string[]
  /** where the routing table is kept between runs (default: not kept) */
  stateFile?: string
  /** BEP 43: ask, never answer */
  readOnly?: boolean
  /** BEP 42: only nodes whose id matches their address enter the table */
  bep42?: boolean
}

export interface AddOptions extends Partial<Omit<TorrentOptions, 'path'>> {
  /** folder for the files (default: the platform's, <tmpdir>/swarmstream in Node) */
  path?: string
  /** more trackers: a URL, a list of URLs (one tier each) or tiers */
  announce?: AnnounceList
  /** WebTorrent's piece order: 'sequential', or 'rarest' (ours by default) */
  strategy?: 'sequential' | 'rarest'
}

export type TorrentCallback = (torrent: Torrent) => void

type ClientEvents = { add: [Torrent]; torrent: [Torrent]; remove: [Torrent]; error: [Error]; warning: [Error] }

const DEFAULT_PORT = 6881

/** Many torrents sharing one peer id, one listening port, one connection budget and the
 * client's rate limits. The calls follow WebTorrent's (docs/webtorrent-api.md). */
export class BaseClient extends Emitter<ClientEvents> {
  readonly peerId: Uint8Array
  destroyed = false
  readonly #torrents: Torrent[] = []
  readonly #byHash = new Map<string, Torrent>()
  #port = 0
  #listener: { port: number; close(): Promise<void> } | undefined
  readonly #listening: Promise<void>
  readonly #budget: ConnectionBudget
  #dht: { dht: Dht; close(): Promise<void> } | undefined
  #lsd: (LocalPeerDiscovery & { close(): Promise<void> }) | undefined
  readonly #clock: Clock
  readonly #encryption: EncryptionLayer | undefined
  readonly #downloadLimit: TokenBucket
  readonly #uploadLimit: TokenBucket

  constructor(readonly options: ClientOptions, readonly platform: ClientPlatform) {
    super()
    this.peerId = options.peerId ?? defaultPeerId()
    this.#clock = options.clock ?? systemClock
    this.#budget = new ConnectionBudget({
      maxConnections: options.maxConnections ?? options.maxConns ?? 200,
      maxPerAddress: options.maxConnectionsPerAddress ?? 8,
      maxPending: options.maxPendingConnections ?? 32,
    })
    this.#downloadLimit = new TokenBucket(limitFrom(options.downloadLimit ?? -1) ?? Infinity, this.#clock)
    this.#uploadLimit = new TokenBucket(limitFrom(options.uploadLimit ?? -1) ?? Infinity, this.#clock)
    this.#encryption = platform.encryption?.(options.encryption ?? 'enabled', () => this.#torrents.flatMap((t) => t.infoHashBytes ? [t.infoHashBytes] : []))
    this.#listening = this.#listen()
    this.#listening.catch(() => undefined)
  }

  /** the torrents, in the order added (a copy) */
  get torrents(): Torrent[] { return [...this.#torrents] }
  /** the port peers can reach us on (0 until listening) */
  get port(): number { return this.#port }
  get torrentPort(): number { return this.#port }
  get downloadSpeed(): number { return this.#torrents.reduce((n, t) => n + t.downloadSpeed, 0) }
  get uploadSpeed(): number { return this.#torrents.reduce((n, t) => n + t.uploadSpeed, 0) }
  /** verified share of what the unfinished torrents want */
  get progress(): number {
    const open = this.#torrents.filter((t) => t.progress < 1)
    const total = open.reduce((n, t) => n + t.wanted.total, 0)
    return total === 0 ? 1 : open.reduce((n, t) => n + t.wanted.have, 0) / total
  }
  get ratio(): number {
    const received = this.#torrents.reduce((n, t) => n + t.received, 0)
    return this.#torrents.reduce((n, t) => n + t.uploaded, 0) / (received || 1)
  }

  /** Resolves once listening (rejects when the port could not be bound). */
  async ready(): Promise<void> { await this.#listening }

  /** Bytes per second across all torrents; -1 or Infinity lifts the limit. False (and no
   * change) for 0 or anything else not above 0. */
  throttleDownload(rate: number): boolean { return this.#throttle(this.#downloadLimit, rate) }
  throttleUpload(rate: number): boolean { return this.#throttle(this.#uploadLimit, rate) }

  #throttle(bucket: TokenBucket, rate: number): boolean {
    const limit = limitFrom(rate)
    if (limit === undefined) return false
    bucket.setRate(limit)
    for (const t of this.#torrents) t.exchange?.need('tick')
    return true
  }

  async #listen(): Promise<void> {
    const { host = '0.0.0.0' } = this.options
    const asked = this.options.port ?? this.options.torrentPort
    if (asked === false || !this.platform.listen) return
    const onConnection = (conn: Duplex, addr: PeerAddress) => this.#onIncoming(conn, addr)
    try {
      this.#listener = await this.platform.listen(asked ?? DEFAULT_PORT, host, onConnection)
    } catch (err) {
      // the default port is a preference: a second client on this machine takes any free one
      if (asked !== undefined || (err as { code?: string }).code !== 'EADDRINUSE') throw err
      this.#listener = await this.platform.listen(0, host, onConnection)
    }
    this.#port = this.#listener.port
    const dht = this.options.dht
    if (dht && this.platform.startDht) this.#dht = await this.platform.startDht(this.#port, host, this.#clock, dht === true ? {} : dht)
    const lsd = this.options.lsd
    if (lsd && this.platform.startLsd) {
      // LSD is a nicety: a LAN without multicast must not stop the client
      this.#lsd = await this.platform.startLsd({ clock: this.#clock, port: () => this.#port, interface: lsd === true ? undefined : lsd.interface })
        .catch((err: Error) => { if (this.listenerCount('warning') > 0) this.emit('warning', new Error(`local service discovery is off: ${err.message}`)); return undefined })
    }
  }

  /** the DHT node, when the client runs one */
  get dht(): Dht | undefined { return this.#dht?.dht }

  #onIncoming(conn: Duplex, addr: PeerAddress): void {
    if (this.destroyed || !this.#budget.admitIncoming(conn, addr.host)) { conn.destroy(); return }
    const accepted = this.#encryption?.accept(conn) ?? Promise.resolve(conn)
    accepted.then((stream) => {
      const wire = new Wire(stream, { clock: this.#clock })
      wire.on('error', () => undefined)
      awaitHandshake(wire, this.#clock, (infoHash) => {
        const torrent = this.#byHash.get(toHex(infoHash))
        if (!torrent || this.#encryption?.sameTorrent(stream, infoHash) === false || !this.#budget.promote(conn)) { wire.destroy(); return }
        torrent.acceptWire(wire, addr)
      }, HANDSHAKE_TIMEOUT_MS)
    }, () => undefined)
  }

  /** Adds a torrent by magnet link, info hash, .torrent path, URL, bytes or Blob, or parsed
   * metainfo, and returns it at once (`await` it or not: it is not a promise; use
   * `torrent.whenReady()` to wait). `ontorrent` runs when it is ready, as in WebTorrent.
   * A torrent already in the client is returned as it is. Malformed ids throw; ids that
   * need reading (paths, URLs) fail later, as the torrent's 'error'. */
  add(id: TorrentId, opts?: AddOptions | TorrentCallback, ontorrent?: TorrentCallback): Torrent {
    if (typeof opts === 'function') return this.add(id, {}, opts)
    return this.addParsed(parseTorrentId(id, this.platform), opts ?? {}, ontorrent)
  }

  /** Adds a torrent whose id is read (or made, as seeding does) by `parsed`. */
  protected addParsed(parsed: ParsedId | Promise<ParsedId>, opts: AddOptions, ontorrent?: TorrentCallback): Torrent {
    if (this.destroyed) throw new ClientError('client is destroyed')
    const existing = parsed instanceof Promise ? undefined : this.#byHash.get(toHex(parsed.infoHash))
    if (existing) {
      if (ontorrent) existing.whenReady().then(ontorrent, () => undefined)
      return existing
    }
    const { announce: _a, strategy, path, ...rest } = opts
    const torrent = new Torrent(this.#context(), {
      ...rest,
      path: path ?? this.platform.defaultPath ?? '.',
      ...(opts.sequential === undefined && strategy ? { sequential: strategy === 'sequential' } : {}),
    })
    this.#torrents.push(torrent)
    torrent.once('close', () => this.#forget(torrent))
    torrent.once('ready', () => { ontorrent?.(torrent); this.emit('torrent', torrent) })
    this.emit('add', torrent)
    if (parsed instanceof Promise) parsed.then((p) => this.#identify(torrent, p, opts, ontorrent), (err: Error) => this.#failToAdd(torrent, err))
    else this.#identify(torrent, parsed, opts, ontorrent)
    return torrent
  }

  #identify(torrent: Torrent, parsed: ParsedId, opts: AddOptions, ontorrent?: TorrentCallback): void {
    if (torrent.destroyed) return
    const hex = toHex(parsed.infoHash)
    const existing = this.#byHash.get(hex)
    if (existing) {
      // the same torrent added twice, known only once read: the first one stays (as WebTorrent)
      if (ontorrent) existing.whenReady().then(ontorrent, () => undefined)
      this.#failToAdd(torrent, new ClientError(`torrent ${hex} is already added`))
      return
    }
    this.#byHash.set(hex, torrent)
    const trackers = this.options.trackers === false || this.options.tracker === false
    torrent.identify({
      infoHash: parsed.infoHash, metainfo: parsed.metainfo, torrentFile: parsed.torrentFile, name: parsed.name,
      announce: trackers ? [] : [...(parsed.metainfo?.announce ?? []), ...parsed.trackers.map((u) => [u]), ...toTiers(opts.announce)],
      peers: parsed.peers, select: parsed.select,
    })
    for (const url of parsed.webSeeds ?? []) torrent.addWebSeed(url)
    this.#listening.then(() => torrent.start(), (err: Error) => torrent.fail(err))
  }

  #failToAdd(torrent: Torrent, err: Error): void {
    torrent.fail(err)
    void torrent.destroy()
  }

  #forget(torrent: Torrent): void {
    const i = this.#torrents.indexOf(torrent)
    if (i >= 0) this.#torrents.splice(i, 1)
    if (this.#byHash.get(torrent.infoHash) === torrent) this.#byHash.delete(torrent.infoHash)
    this.emit('remove', torrent)
  }

  /** The torrent an id names (a Torrent, info hash, magnet link, .torrent bytes or
   * metainfo), or null. Synchronous; `await client.get(id)` works as in WebTorrent. */
  get(id: TorrentId | Torrent): Torrent | null {
    if (id instanceof Torrent) return this.#torrents.includes(id) ? id : null
    const hash = infoHashOf(id)
    return hash ? this.#byHash.get(toHex(hash)) ?? null : null
  }

  /** Removes a torrent and closes its peers and files (they stay on disk). */
  async remove(id: TorrentId | Torrent, opts?: object | ((err?: Error) => void), cb?: (err?: Error) => void): Promise<void> {
    const done = typeof opts === 'function' ? opts : cb
    await this.get(id)?.destroy()
    done?.()
  }

  #context(): TorrentContext {
    const { platform } = this
    const dht = () => this.#dht?.dht
    const lsd = () => this.#lsd
    return {
      ...platform,
      peerId: this.peerId,
      port: () => this.#port,
      clock: this.#clock,
      isSelf: (addr) => addr.port === this.#port && isLocalHost(addr.host, this.options.host),
      canConnect: (addr) => this.#budget.canDial(addr?.host),
      // read when used: torrents are made before the client listens and starts its DHT
      get dht() { return dht() },
      get lsd() { return lsd() },
      ...(platform.connect ? { connect: this.#connector(platform.connect) } : {}),
      trackerTransports: this.options.trackers === false || this.options.tracker === false ? {} : platform.trackerTransports,
      downloadLimit: this.#downloadLimit,
      uploadLimit: this.#uploadLimit,
      onError: (err) => { if (this.listenerCount('error') > 0) this.emit('error', err) },
    }
  }

  /** The platform's dialer, each raw connection tracked, under the encryption policy. */
  #connector(raw: NonNullable<ClientPlatform['connect']>): NonNullable<TorrentContext['connect']> {
    const tracked = async (addr: PeerAddress, opts: { signal: AbortSignal }) => { const c = await raw(addr, opts); this.#budget.addOutgoing(c, addr.host); return c }
    return this.#encryption?.connect(tracked) ?? tracked
  }

  /** Closes every torrent, socket and timer; `cb` (WebTorrent style) runs after. */
  async destroy(cb?: (err?: Error) => void): Promise<void> {
    if (!this.destroyed) {
      this.destroyed = true
      await Promise.all(this.#torrents.map((t) => t.destroy()))
      this.#budget.closeAll()
      await this.#listening.catch(() => undefined)
      await this.#listener?.close()
      await this.#dht?.close()
      await this.#lsd?.close()
      await this.platform.close?.()
    }
    cb?.()
  }
}

/** a socket that names no torrent within this long is dropped (libtorrent: 10 s) */
const HANDSHAKE_TIMEOUT_MS = 10_000

function isLocalHost(host: string, bound: string | undefined): boolean {
  return host === bound || host === '127.0.0.1' || host === '::1' || host === '::ffff:127.0.0.1' || (bound === '0.0.0.0' && host.startsWith('127.'))
}

/** Azureus-style peer id (BEP 20): client code and version, then random bytes. */
export function defaultPeerId(): Uint8Array {
  const id = randomBytes(20)
  id.set(utf8('-SW0010-'))
  return id
}
