/** `swarmstream/browser`: the client for web pages. Peers are WebRTC data channels met
 * through WebSocket trackers; a Node hybrid in the same torrent bridges to TCP peers. */
import { BaseClient, type AddOptions, type ClientOptions, type TorrentCallback } from './client/client.js'
import type { ParsedId } from './client/torrent-id.js'
import { toTiers } from './torrent/tiers.js'
import { browserPlatform, type BrowserPlatformOptions } from './client/browser-platform.browser.js'
import { createTorrent, type Metainfo } from './metainfo/index.js'
import { MemoryStorage } from './storage/memory.js'
import { browserHasher } from './util/hasher.browser.js'
import type { WsTrackerSignaling } from './discovery/ws-tracker.js'
import type { Torrent } from './torrent/torrent.js'

export interface BrowserClientOptions extends Omit<ClientOptions, 'port' | 'host'>, BrowserPlatformOptions {}

export interface BrowserSeedOptions extends AddOptions {
  /** torrent name (default: the file's name, or "files" for several) */
  name?: string
  /** tiers for the new torrent (`announce`, a flat list or tiers, works too) */
  announceList?: string[][]
  pieceLength?: number
  comment?: string
}

/** The browser client: WebRTC only, pieces in memory by default. */
export class Client extends BaseClient {
  readonly signaling: WsTrackerSignaling

  constructor(options: BrowserClientOptions = {}) {
    const platform = browserPlatform(options)
    super({ ...options, port: false }, platform)
    this.signaling = platform.signaling
    this.signaling.on('warning', (e) => this.emit('warning', e))
  }

  /** Makes a torrent of files picked in the page (or any Blob) and seeds it from memory.
   * Returns the torrent at once (its metadata comes once hashed); `onseed` runs once it seeds. */
  seed(input: File[] | File | Blob, opts?: BrowserSeedOptions | TorrentCallback, onseed?: TorrentCallback): Torrent {
    if (typeof opts === 'function') return this.seed(input, {}, opts)
    const o = opts ?? {}
    const { name: _n, announceList, pieceLength: _p, comment: _c, ...addOpts } = o
    let storage: MemoryStorage | undefined
    const made = (async (): Promise<ParsedId> => {
      const blobs: Blob[] = Array.isArray(input) ? input : [input]
      if (blobs.length === 0) throw new Error('nothing to seed')
      const nameOf = (b: Blob, i: number) => (typeof (b as File).name === 'string' && (b as File).name ? (b as File).name : `file${i}`)
      const name = o.name ?? (blobs.length === 1 ? nameOf(blobs[0]!, 0) : 'files')
      const read = async (i: number, offset: number, length: number) => new Uint8Array(await blobs[i]!.slice(offset, offset + length).arrayBuffer())
      const tiers = announceList ?? toTiers(o.announce)
      const { torrent: torrentFile, metainfo } = await createTorrent({
        name, hasher: browserHasher, read,
        files: blobs.map((b, i) => ({ path: blobs.length === 1 ? [name] : [nameOf(b, i)], length: b.size })),
        ...(tiers.length ? { announce: tiers } : {}),
        ...(o.pieceLength ? { pieceLength: o.pieceLength } : {}),
        ...(o.comment ? { comment: o.comment } : {}),
      })
      storage = new MemoryStorage({ pieceLength: metainfo.pieceLength, length: metainfo.length, files: metainfo.files })
      await fillStorage(storage, metainfo, blobs)
      return { infoHash: metainfo.infoHash, metainfo, torrentFile, trackers: [], peers: [] }
    })()
    const torrent = this.addParsed(made, { ...addOpts, seeding: true, createStorage: (layout) => storage ?? new MemoryStorage(layout) })
    if (onseed) torrent.whenDone().then(onseed, () => undefined)
    return torrent
  }
}

/** Copies the blobs into the store piece by piece (pieces span file boundaries). */
async function fillStorage(storage: MemoryStorage, metainfo: Metainfo, blobs: Blob[]): Promise<void> {
  const whole = blobs.length === 1 ? blobs[0]! : new Blob(blobs)
  for (let i = 0; i < metainfo.pieceCount; i++) {
    const start = i * metainfo.pieceLength
    const end = Math.min(metainfo.length, start + metainfo.pieceLength)
    await storage.write(i, 0, new Uint8Array(await whole.slice(start, end).arrayBuffer()))
  }
}

export { BaseClient, MemoryStorage }
export { IdbStorage } from './storage/idb.browser.js'
export type { Torrent, Metainfo, AddOptions, BrowserPlatformOptions }
export { WsTrackerSignaling } from './discovery/ws-tracker.js'
export { RtcPeer, WebRtcError } from './transport/webrtc/index.js'
