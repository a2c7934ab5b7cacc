/** A swarm in a box: real clients, torrents, wires and engine, over an in-memory network,
 * with memory storage and a fake clock, so whole-swarm scenarios run deterministically in
 * milliseconds. Only the platform is swapped (see ClientPlatform): nothing of the torrent
 * code is mocked. */
import { createHash } from 'node:crypto'
import { BaseClient, type ClientOptions } from '../../src/client/client.js'
import { createTorrent, type Metainfo } from '../../src/metainfo/index.js'
import { MemoryStorage } from '../../src/storage/memory.js'
import type { Storage, StorageLayout } from '../../src/storage/types.js'
import type { Hasher } from '../../src/util/hasher.js'
import type { Torrent } from '../../src/torrent/torrent.js'
import { Wire, type WireOptions } from '../../src/wire/index.js'
import type { AddOptions, TorrentId } from '../../src/client/client.js'
import { FakeClock, settle } from './fake-clock.js'
import { MemoryNetwork } from './network.js'

/** node:crypto SHA-1, optionally taking `delayMs` of fake time per piece (a slow check). */
function hasher(clock: FakeClock, delayMs: number): Hasher {
  const digest = (data: Uint8Array) => new Uint8Array(createHash('sha1').update(data).digest())
  return {
    sha1: (data) => delayMs === 0 ? Promise.resolve(digest(data)) : new Promise((resolve) => clock.setTimeout(() => resolve(digest(data)), delayMs)),
  }
}

/** Deterministic bytes: the same seed gives the same content in every run. */
export function bytes(size: number, seed = 1): Uint8Array {
  const out = new Uint8Array(size)
  let x = seed >>> 0 || 1
  for (let i = 0; i < size; i++) { x ^= x << 13; x >>>= 0; x ^= x >>> 17; x ^= x << 5; x >>>= 0; out[i] = x & 0xff }
  return out
}

export interface Content {
  metainfo: Metainfo
  torrent: Uint8Array
  /** all files' bytes, one after another */
  data: Uint8Array
}

export interface HarnessClientOptions extends ClientOptions {
  /** fake milliseconds each piece hash takes (default 0) */
  hashDelayMs?: number
  /** every storage this client creates, to look inside or break */
  storage?: (layout: StorageLayout) => Storage
}

export class Swarm {
  readonly clock = new FakeClock()
  readonly net = new MemoryNetwork(this.clock)
  readonly clients: BaseClient[] = []

  /** A client on the in-memory network, listening on its own port. */
  client(opts: HarnessClientOptions = {}): BaseClient & { address: { host: string; port: number } } {
    const port = this.net.port()
    const { clock, net } = this
    const client = new BaseClient({ port, host: '127.0.0.1', clock, ...opts }, {
      hasher: hasher(clock, opts.hashDelayMs ?? 0),
      createStorage: (layout) => opts.storage?.(layout) ?? new MemoryStorage(layout),
      connect: (addr) => net.connect(port, addr),
      listen: async (p, _host, onConnection) => {
        const close = net.listen(p, onConnection)
        return { port: p, close: async () => close() }
      },
      trackerTransports: {},
    }) as BaseClient & { address: { host: string; port: number } }
    client.address = { host: '127.0.0.1', port }
    this.clients.push(client)
    return client
  }

  /** A torrent of `files` (name → bytes); one file makes a single-file torrent. */
  async content(files: Record<string, Uint8Array>, opts: { pieceLength?: number; name?: string; private?: boolean } = {}): Promise<Content> {
    const names = Object.keys(files)
    const single = names.length === 1
    const name = opts.name ?? (single ? names[0]! : 'folder')
    const list = names.map((n) => files[n]!)
    const created = await createTorrent({
      name, hasher: hasher(this.clock, 0), pieceLength: opts.pieceLength ?? 16384, creationDate: 0, ...(opts.private ? { private: true } : {}),
      files: names.map((n, i) => ({ path: single ? [n] : [n], length: list[i]!.length })),
      read: async (i, offset, length) => list[i]!.subarray(offset, offset + length),
      singleFile: single,
    })
    const data = new Uint8Array(list.reduce((n, b) => n + b.length, 0))
    let at = 0
    for (const b of list) { data.set(b, at); at += b.length }
    return { metainfo: created.metainfo, torrent: created.torrent, data }
  }

  /** A client seeding `content` from memory. */
  async seeder(content: Content, opts: HarnessClientOptions & { add?: AddOptions } = {}): Promise<{ client: BaseClient & { address: { host: string; port: number } }; torrent: Torrent }> {
    const client = this.client(opts)
    const torrent = await this.run(client.add(content.metainfo, { seeding: true, createStorage: (layout) => filled(layout, content), ...opts.add }).whenReady())
    return { client, torrent }
  }

  /** A client downloading `id` (metainfo, magnet...) from the given peers. */
  async leecher(id: TorrentId, peers: { host: string; port: number }[], opts: HarnessClientOptions & { add?: AddOptions } = {}): Promise<{ client: BaseClient & { address: { host: string; port: number } }; torrent: Torrent }> {
    const client = this.client(opts)
    const torrent = client.add(id, { peers, ...opts.add })
    await this.clock.advance(0)
    return { client, torrent }
  }

  /** Advances the clock until `p` settles (a promise that needs timers to get there). */
  async run<T>(p: Promise<T>, maxMs = 600_000): Promise<T> {
    let settled = false
    const done = p.finally(() => { settled = true })
    done.catch(() => undefined)
    await this.clock.until(() => settled, { maxMs, what: 'the promise' })
    return done
  }

  /** Advances the clock until `done()`; fails after `maxMs` of fake time. */
  until(done: () => boolean, what = 'condition', maxMs = 600_000): Promise<number> {
    return this.clock.until(done, { maxMs, what })
  }

  async destroy(): Promise<void> {
    await this.run(Promise.all(this.clients.map((c) => c.destroy())))
    await settle()
  }
}

/** Memory storage holding `content` already. */
export function filled(layout: StorageLayout, content: Content): MemoryStorage {
  const storage = new MemoryStorage(layout)
  const { pieceLength } = content.metainfo
  for (let i = 0; i * pieceLength < content.data.length; i++) {
    void storage.write(i, 0, content.data.subarray(i * pieceLength, Math.min(content.data.length, (i + 1) * pieceLength)))
  }
  return storage
}

/** All bytes of a torrent's storage, for comparing with the content. */
export async function storedBytes(torrent: Torrent): Promise<Uint8Array> {
  const out = new Uint8Array(torrent.length)
  const pl = torrent.pieceLength
  for (let i = 0; i * pl < torrent.length; i++) out.set(await torrent.read(i, 0, Math.min(pl, torrent.length - i * pl)), i * pl)
  return out
}

export function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && Buffer.from(a).equals(Buffer.from(b))
}

/** A hand-driven peer on the network: each inbound connection becomes a Wire given to
 * `behave`, which plays the peer (honest or not). */
export function scriptedPeer(swarm: Swarm, behave: (wire: Wire) => void, wireOptions: WireOptions = {}): { address: { host: string; port: number }; wires: Wire[] } {
  const port = swarm.net.port()
  const wires: Wire[] = []
  swarm.net.listen(port, (conn) => {
    const wire = new Wire(conn, { clock: swarm.clock, ...wireOptions })
    wire.on('error', () => undefined)
    wires.push(wire)
    behave(wire)
  })
  return { address: { host: '127.0.0.1', port }, wires }
}

/** Dials `to` with a hand-driven Wire (its handshake not yet sent). */
export async function scriptedDial(swarm: Swarm, to: { host: string; port: number }): Promise<Wire> {
  const conn = await swarm.net.connect(swarm.net.port(), to)
  const wire = new Wire(conn, { clock: swarm.clock })
  wire.on('error', () => undefined)
  return wire
}
