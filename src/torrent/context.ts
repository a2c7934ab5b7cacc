import type { Hasher } from '../util/hasher.js'
import type { Clock } from '../util/clock.js'
import type { TokenBucket } from '../util/token-bucket.js'
import type { FileAdapters } from './files.js'
import type { Duplex, PeerAddress } from '../transport/types.js'
import type { Storage, StorageLayout } from '../storage/types.js'
import type { AnnounceResult, AnnounceParams } from '../discovery/index.js'
import type { Signaling } from '../discovery/signaling.js'
import type { Dht } from '../discovery/dht/index.js'
import type { LocalPeerDiscovery } from '../discovery/lsd-message.js'
export type { Signaling, SignalingTorrent } from '../discovery/signaling.js'

/** What a torrent needs from its client and platform: injected, so the same torrent code
 * runs in Node (TCP, files) and in browsers (WebRTC, memory or IndexedDB). */
export interface TorrentContext {
  peerId: Uint8Array
  /** the port we accept peers on, for tracker announces */
  port(): number
  hasher: Hasher
  /** `infoHashHex` names the torrent for stores that are not folders (IndexedDB) */
  createStorage(layout: StorageLayout, path: string, infoHashHex: string): Storage
  /** dials a peer; `infoHash` names the torrent (the key of an encrypted handshake) */
  connect?(addr: PeerAddress, opts: { signal: AbortSignal; infoHash?: Uint8Array }): Promise<Duplex>
  trackerTransports: {
    http?: (url: string, p: AnnounceParams, opts?: { signal?: AbortSignal; timeoutMs?: number }) => Promise<AnnounceResult>
    udp?: import('../discovery/index.js').UdpTrackerClient
  }
  /** Discovery that hands over ready connections instead of addresses: WebRTC peers met
   * through WebSocket trackers (signaling). Joined for the torrent's ws:// and wss:// URLs. */
  signaling?: Signaling
  /** the client's DHT node (BEP 5), when it runs one: public torrents find peers there */
  dht?: Dht | undefined
  /** local service discovery (BEP 14), when the client runs it */
  lsd?: LocalPeerDiscovery | undefined
  /** the address peers of ours appear under, to avoid dialing ourselves */
  isSelf(addr: PeerAddress): boolean
  /** the client's connection budget has room for a dial (to `addr`) */
  canConnect(addr?: PeerAddress): boolean
  clock: Clock
  /** what the platform makes of file bytes (a Node Readable, playback in a page) */
  fileAdapters?: FileAdapters
  /** the client's rate limits, shared by its torrents (each torrent's own apply as well) */
  downloadLimit?: TokenBucket
  uploadLimit?: TokenBucket
  /** a torrent error no listener of the torrent took (the client emits it) */
  onError?(err: Error): void
}
