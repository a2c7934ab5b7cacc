import type { Duplex, PeerAddress } from '../transport/types.js'

/** Discovery that hands over ready connections instead of addresses: WebRTC peers met through
 * WebSocket trackers. A torrent joins with its ws:// and wss:// URLs. */
export interface Signaling {
  join(torrent: SignalingTorrent): { update(event?: 'completed'): void; leave(): Promise<void> }
}

/** What a signaling service sees of a torrent. */
export interface SignalingTorrent {
  infoHash: Uint8Array
  peerId: Uint8Array
  /** the torrent's WebSocket tracker URLs */
  urls: string[]
  getStats(): { uploaded: number; downloaded: number; left: number }
  /** true while the torrent has room for more peers */
  wantsPeers(): boolean
  /** A connected transport to a peer of this torrent. The initiator sends the BitTorrent
   * handshake first; the other side answers it. */
  addConnection(conn: Duplex, addr: PeerAddress, initiator: boolean): void
}
