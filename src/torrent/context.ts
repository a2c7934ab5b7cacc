import type { Hasher } from '../util/hasher.js'
import type { Duplex, PeerAddress } from '../transport/types.js'
import type { Storage, StorageLayout } from '../storage/types.js'
import type { AnnounceResult, AnnounceParams } from '../discovery/index.js'
import type { Signaling } from '../discovery/signaling.js'
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
  connect?(addr: PeerAddress, signal: AbortSignal): Promise<Duplex>
  trackerTransports: {
    http?: (url: string, p: AnnounceParams, opts?: { signal?: AbortSignal; timeoutMs?: number }) => Promise<AnnounceResult>
    udp?: import('../discovery/index.js').UdpTrackerClient
  }
  /** Discovery that hands over ready connections instead of addresses: WebRTC peers met
   * through WebSocket trackers (signaling). Joined for the torrent's ws:// and wss:// URLs. */
  signaling?: Signaling
  /** the address peers of ours appear under, to avoid dialing ourselves */
  isSelf(addr: PeerAddress): boolean
  /** global connection budget across torrents */
  canConnect(): boolean
  now(): number
}
