import { Emitter } from '../util/emitter.js'
import { randomBytes, toHex, utf8 } from '../util/bytes.js'
import { parseMagnet, parseInfoHash, parseTorrent, type Metainfo } from '../metainfo/index.js'
import { Wire } from '../wire/index.js'
import type { Duplex, PeerAddress } from '../transport/types.js'
import { Torrent, type TorrentOptions } from '../torrent/torrent.js'
import type { TorrentContext } from '../torrent/context.js'
import { ClientError } from './errors.js'
import { awaitHandshake } from '../torrent/await-handshake.js'
import { systemClock, type Clock } from '../util/clock.js'
import { ConnectionBudget } from './connection-budget.js'
import type { Dht } from '../discovery/dht/index.js'
import type { EncryptionLayer, EncryptionLayerFactory, EncryptionPolicy } from './encryption.js'

/** The platform parts a client is built from: Node gives TCP and files, browsers WebRTC. */
export interface ClientPlatform extends Omit<TorrentContext, 'peerId' | 'port' | 'isSelf' | 'canConnect' | 'clock'> {
  /** starts accepting peers; resolves to the port actually bound */
  listen?(port: number, host: string, onConnection: (conn: Duplex, addr: PeerAddress) => void): Promise<{ port: number; close(): Promise<void> }>
  readTorrentFile?(path: string): Promise<Uint8Array>
  /** the DHT node (Node), on a UDP socket bound to `port` (or any free one when taken) */
  startDht?(port: number, host: string, clock: Clock, options: DhtClientOptions): Promise<{ dht: Dht; close(): Promise<void> }>
  /** MSE/PE for the peers of `listen` and `connect` (Node: TCP) */
  encryption?: EncryptionLayerFactory
  close?(): Promise<void>
}

export interface ClientOptions {
  /** 20 bytes; default: "-SW0010-" and 12 random bytes (Azureus style, BEP 20) */
  peerId?: Uint8Array
  /** port to accept peers on; 0 picks a free one; false accepts none */
  port?: number | false
  /** address to listen on (default 0.0.0.0) */
  host?: string
  /** the most peer connections across all torrents (default 200) */
  maxConnections?: number
  /** the most connections to or from one IP address (default 8) */
  maxConnectionsPerAddress?: number
  /** the most inbound sockets waiting for their handshake (default 32; the oldest make way) */
  maxPendingConnections?: number
  /** announce to trackers (default true) */
  trackers?: boolean
  /** the mainline DHT (BEP 5) for public torrents: true, or options (default false for the
   * library, so nothing reaches the public routers unless asked; the CLI turns it on) */
  dht?: boolean | DhtClientOptions
  lsd?: boolean
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

export interface AddOptions extends Partial<Omit<TorrentOptions, 'infoHash' | 'metainfo'>> {
  path?: string
}

type ClientEvents = { torrent: [Torrent]; error: [Error]; warning: [Error] }

export type TorrentId = string | Uint8Array | Metainfo

/** Many torrents sharing one peer id, one listening port and one connection budget. */
export class BaseClient extends Emitter<ClientEvents> {
  readonly peerId: Uint8Array
  readonly torrents = new Map<string, Torrent>()
  destroyed = false
  #port = 0
  #listener: { port: number; close(): Promise<void> } | undefined
  readonly #listening: Promise<void>
  readonly #budget: ConnectionBudget
  readonly #clock: Clock
  readonly #encryption: EncryptionLayer | undefined

  constructor(readonly options: ClientOptions, readonly platform: ClientPlatform) {
    super()
    this.peerId = options.peerId ?? defaultPeerId()
    this.#clock = options.clock ?? systemClock
    this.#budget = new ConnectionBudget({
      maxConnections: options.maxConnections ?? 200,
      maxPerAddress: options.maxConnectionsPerAddress ?? 8,
      maxPending: options.maxPendingConnections ?? 32,
    })
    this.#encryption = platform.encryption?.(options.encryption ?? 'enabled', () => [...this.torrents.values()].map((t) => t.infoHash))
    this.#listening = this.#listen()
    this.#listening.catch(() => undefined)
  }

  /** the port peers can reach us on (0 until listening) */
  get port(): number { return this.#port }

  async ready(): Promise<void> { await this.#listening }

  async #listen(): Promise<void> {
    const { port = 6881, host = '0.0.0.0' } = this.options
    if (port === false || !this.platform.listen) return
    this.#listener = await this.platform.listen(port, host, (conn, addr) => this.#onIncoming(conn, addr))
    this.#port = this.#listener.port
    const dht = this.options.dht
    if (dht && this.platform.startDht) {
      this.#dht = await this.platform.startDht(this.#port, host, this.#clock, dht === true ? {} : dht)
    }
  }

  #dht: { dht: Dht; close(): Promise<void> } | undefined
  /** the DHT node, when the client runs one */
  get dht(): Dht | undefined { return this.#dht?.dht }

  #onIncoming(conn: Duplex, addr: PeerAddress): void {
    if (this.destroyed || !this.#budget.admitIncoming(conn, addr.host)) { conn.destroy(); return }
    const accepted = this.#encryption?.accept(conn) ?? Promise.resolve(conn)
    accepted.then((stream) => {
      const wire = new Wire(stream, { clock: this.#clock })
      wire.on('error', () => undefined)
      awaitHandshake(wire, this.#clock, (infoHash) => {
        const torrent = this.torrents.get(toHex(infoHash))
        if (!torrent || this.#encryption?.sameTorrent(stream, infoHash) === false || !this.#budget.promote(conn)) { wire.destroy(); return }
        torrent.acceptWire(wire, addr)
      }, HANDSHAKE_TIMEOUT_MS)
    }, () => undefined)
  }

  /** Adds a torrent by magnet link, info hash, .torrent bytes or path, or parsed metainfo. */
  async add(id: TorrentId, opts: AddOptions = {}): Promise<Torrent> {
    if (this.destroyed) throw new ClientError('client is destroyed')
    const parsed = await this.#resolve(id)
    const hex = toHex(parsed.infoHash)
    if (this.torrents.has(hex)) throw new ClientError(`torrent ${hex} is already added`)
    await this.#listening
    const noTrackers = this.options.trackers === false
    const metainfo = parsed.metainfo && noTrackers ? { ...parsed.metainfo, announce: [] } : parsed.metainfo
    const torrent = new Torrent(this.#context(), {
      ...opts,
      path: opts.path ?? '.',
      infoHash: parsed.infoHash,
      ...(metainfo ? { metainfo } : {}),
      ...(parsed.name !== undefined && opts.name === undefined ? { name: parsed.name } : {}),
      announce: noTrackers ? [] : [...(parsed.trackers.length ? [parsed.trackers] : []), ...(opts.announce ?? [])],
      peers: [...parsed.peers, ...(opts.peers ?? [])],
      ...(opts.select ?? parsed.select ? { select: opts.select ?? parsed.select } : {}),
    })
    this.torrents.set(hex, torrent)
    torrent.once('close', () => this.torrents.delete(hex))
    this.emit('torrent', torrent)
    await torrent.start()
    return torrent
  }

  get(infoHash: string | Uint8Array): Torrent | undefined {
    return this.torrents.get(typeof infoHash === 'string' ? infoHash.toLowerCase() : toHex(infoHash))
  }

  async remove(infoHash: string | Uint8Array): Promise<void> {
    await this.get(infoHash)?.destroy()
  }

  async #resolve(id: TorrentId): Promise<{ infoHash: Uint8Array; metainfo?: Metainfo; name?: string; trackers: string[]; peers: PeerAddress[]; select?: number[] }> {
    if (id instanceof Uint8Array) { const m = parseTorrent(id); return { infoHash: m.infoHash, metainfo: m, trackers: [], peers: [] } }
    if (typeof id !== 'string') return { infoHash: id.infoHash, metainfo: id, trackers: [], peers: [] }
    if (id.startsWith('magnet:')) {
      const m = parseMagnet(id)
      return { infoHash: m.infoHash, ...(m.name ? { name: m.name } : {}), trackers: m.trackers, peers: m.peers, ...(m.select ? { select: m.select } : {}) }
    }
    const hash = parseInfoHash(id)
    if (hash) return { infoHash: hash, trackers: [], peers: [] }
    if (!this.platform.readTorrentFile) throw new ClientError(`not a magnet link or info hash: ${id}`)
    const m = parseTorrent(await this.platform.readTorrentFile(id))
    return { infoHash: m.infoHash, metainfo: m, trackers: [], peers: [] }
  }

  #context(): TorrentContext {
    return {
      ...this.platform,
      peerId: this.peerId,
      port: () => this.#port,
      clock: this.#clock,
      dht: this.#dht?.dht,
      isSelf: (addr) => addr.port === this.#port && isLocalHost(addr.host, this.options.host),
      canConnect: (addr) => this.#budget.canDial(addr?.host),
      ...(this.platform.connect ? { connect: this.#connector(this.platform.connect) } : {}),
      trackerTransports: this.options.trackers === false ? {} : this.platform.trackerTransports,
    }
  }

  /** The platform's dialer, each raw connection tracked, under the encryption policy. */
  #connector(raw: NonNullable<ClientPlatform['connect']>): NonNullable<TorrentContext['connect']> {
    const tracked = async (addr: PeerAddress, opts: { signal: AbortSignal }) => { const c = await raw(addr, opts); this.#budget.addOutgoing(c, addr.host); return c }
    return this.#encryption?.connect(tracked) ?? tracked
  }

  async destroy(): Promise<void> {
    if (this.destroyed) return
    this.destroyed = true
    await Promise.all([...this.torrents.values()].map((t) => t.destroy()))
    this.#budget.closeAll()
    await this.#listening.catch(() => undefined)
    await this.#listener?.close()
    await this.#dht?.close()
    await this.platform.close?.()
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
