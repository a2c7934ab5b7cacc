import type { Metainfo } from '../metainfo/index.js'
import type { Wire } from '../wire/index.js'
import type { Storage, StorageLayout } from '../storage/types.js'
import type { PeerAddress } from '../transport/types.js'
import type { TorrentState } from './lifecycle.js'
import type { WebSeedsOptions } from '../discovery/web-seeds.js'

export interface TorrentOptions {
  /** folder the torrent's files are stored under */
  path: string
  metainfo?: Metainfo
  infoHash: Uint8Array
  name?: string
  announce?: string[][]
  /** file indexes to download; the rest are skipped (default: all) */
  select?: number[]
  sequential?: boolean
  peers?: PeerAddress[]
  maxPeers?: number
  /** hash what is already on disk before downloading (default true) */
  verify?: boolean
  /** we know every piece is there (we just created the torrent from this data) */
  seeding?: boolean
  /** most bytes per second this torrent sends (default: no limit) */
  uploadLimit?: number
  /** BEP 19 web seed URLs besides the torrent's url-list */
  webSeeds?: string[]
  /** how web seeds are retried and fetched from (discovery/web-seeds.ts) */
  webSeedOptions?: WebSeedsOptions
  /** storage other than the platform's default (e.g. `(layout) => new MemoryStorage(layout)`) */
  createStorage?: (layout: StorageLayout) => Storage
}

export type TorrentEvents = {
  metadata: []
  ready: []
  piece: [index: number]
  done: []
  wire: [wire: Wire, address: PeerAddress]
  /** the lifecycle moved (lifecycle.ts) */
  state: [state: TorrentState, previous: TorrentState]
  warning: [Error]
  /** storage failed; the torrent is in the error state (emitted only when listened to) */
  error: [Error]
  close: []
}
