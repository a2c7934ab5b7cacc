import type { Metainfo } from '../metainfo/index.js'
import type { Wire } from '../wire/index.js'
import type { Storage, StorageLayout } from '../storage/types.js'
import type { PeerAddress } from '../transport/types.js'
import type { TorrentState } from './lifecycle.js'
import type { WebSeedsOptions } from '../discovery/web-seeds.js'

export interface TorrentOptions {
  /** folder the torrent's files are stored under */
  path: string
  /** a name to show until the metadata says otherwise */
  name?: string
  /** file indexes to download; the rest are skipped (default: all) */
  select?: number[]
  /** start with every file skipped (WebTorrent's `deselect`) */
  deselect?: boolean
  sequential?: boolean
  /** more peers to dial */
  peers?: PeerAddress[]
  maxPeers?: number
  /** hash what is already on disk before downloading (default true) */
  verify?: boolean
  /** we know every piece is there (we just created the torrent from this data) */
  seeding?: boolean
  /** start paused (resume() starts it) */
  paused?: boolean
  /** most bytes per second this torrent sends (default: no limit) */
  uploadLimit?: number
  /** most bytes per second this torrent receives (default: no limit) */
  downloadLimit?: number
  /** BEP 19 web seed URLs besides the torrent's url-list */
  webSeeds?: string[]
  /** how web seeds are retried and fetched from (discovery/web-seeds.ts) */
  webSeedOptions?: WebSeedsOptions
  /** storage other than the platform's default (e.g. `(layout) => new MemoryStorage(layout)`) */
  createStorage?: (layout: StorageLayout) => Storage
}

/** What a torrent id turned out to name, once read (a .torrent file or URL is read first). */
export interface TorrentSource {
  infoHash: Uint8Array
  metainfo?: Metainfo | undefined
  /** the .torrent as given, kept byte for byte */
  torrentFile?: Uint8Array | undefined
  name?: string | undefined
  /** every tracker tier to announce to (the torrent's, the magnet's, the caller's) */
  announce: string[][]
  peers?: PeerAddress[] | undefined
  /** BEP 53 `so=` of a magnet link */
  select?: number[] | undefined
}

export type TorrentEvents = {
  /** the info hash is known (hex); at once for magnets, info hashes and .torrent bytes */
  infoHash: [infoHash: string]
  metadata: []
  ready: []
  piece: [index: number]
  /** a piece passed its hash check (WebTorrent's name for 'piece') */
  verified: [index: number]
  done: []
  /** bytes of a block received, and sent */
  download: [bytes: number]
  upload: [bytes: number]
  wire: [wire: Wire, address: PeerAddress]
  /** no peer for a while (every 30 s) although we want data: 'tracker' when trackers were
   * asked, 'none' when the torrent has no source of peers at all */
  noPeers: [source: 'tracker' | 'none']
  /** the lifecycle moved (lifecycle.ts) */
  state: [state: TorrentState, previous: TorrentState]
  warning: [Error]
  /** storage failed, or the id could not be read; the torrent is in the error state
   * (emitted here when listened to, else on the client) */
  error: [Error]
  close: []
}
