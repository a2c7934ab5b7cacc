/** Shapes shared by every tracker wire format (BEP 3 HTTP, BEP 15 UDP, WebSocket) and by both
 * sides: clients encode requests and decode responses, the server does the reverse. */
import type { PeerAddress } from '../transport/types.js'

export type { PeerAddress }

/** 'none' is a regular re-announce: no `event` parameter (BEP 3), event 0 (BEP 15). */
export type AnnounceEvent = 'started' | 'completed' | 'stopped' | 'none'

/** One announce as any transport carries it. Ids are binary strings (one char per byte, the
 * form the WebSocket protocol already uses), so a server can key Maps with them directly. */
export interface Announce {
  /** 20-byte info hash */
  infoHash: string
  /** 20-byte peer id */
  peerId: string
  /** TCP port the peer accepts connections on */
  port: number
  uploaded: number
  downloaded: number
  left: number
  event: AnnounceEvent
  /** absent: the tracker's default */
  numwant?: number
  /** random per-session value so a tracker can recognise a peer across IP changes (BEP 15) */
  key?: number
  /** echoed from a previous response's `tracker id` (BEP 3) */
  trackerId?: string
}

export interface ScrapeCounts {
  complete: number
  incomplete: number
  downloaded: number
}

/** A peer as the server stores it for answers: its BEP 23 / BEP 7 compact form, computed once. */
export interface CompactPeer {
  /** 6 bytes (IPv4) or 18 bytes (IPv6) */
  compact: Uint8Array
}

/** A peer the server lists in an answer: compact form for BEP 23 / BEP 7 lists, the rest for
 * the BEP 3 dictionary list. */
export interface ListedPeer extends CompactPeer {
  peerId: string
  ip: string
  port: number
}

/** What the server answers an announce with, before a transport encodes it. */
export interface AnnounceAnswer extends ScrapeCounts {
  peers: ListedPeer[]
}

/** What a client learns from an announce response, whatever the transport. */
export interface AnnounceResult {
  /** seconds until the next regular announce */
  interval: number
  minInterval?: number
  complete?: number
  incomplete?: number
  peers: PeerAddress[]
  trackerId?: string
  warning?: string
}

/** Upper bound on peers taken from one response, whatever the tracker sends. */
export const MAX_PEERS_PER_RESPONSE = 2000
