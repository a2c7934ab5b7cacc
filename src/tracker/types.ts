/** Shapes shared by every transport of the tracker server. Each transport parses its own wire
 * format into these, so the swarm store never knows whether a peer came over HTTP, UDP or
 * WebSocket beyond the `kind` tag. */

export type PeerKind = 'http' | 'udp' | 'ws'
export type AnnounceEvent = 'started' | 'completed' | 'stopped' | 'none'

/** One announce, whatever transport carried it. Binary ids are latin1 strings (one char per
 * byte), the form the WebSocket protocol already uses, so they can key Maps directly. */
export interface AnnounceRequest {
  kind: PeerKind
  /** 20-byte info hash as a binary string */
  infoHash: string
  /** 20-byte peer id as a binary string */
  peerId: string
  /** address the peer is reached at (HTTP/UDP); for WebSocket peers the socket's address */
  ip: string
  /** TCP port the peer listens on (0 for WebSocket peers) */
  port: number
  uploaded: number
  downloaded: number
  left: number
  event: AnnounceEvent
  /** already capped to the server's limit */
  numwant: number
}

export interface ScrapeCounts {
  complete: number
  incomplete: number
  downloaded: number
}

/** A tracker's answer to one announce, before the transport encodes it. */
export interface AnnounceResult extends ScrapeCounts {
  /** HTTP/UDP peers picked for a HTTP/UDP announcer (never WebSocket ones) */
  peers: ClassicPeerView[]
}

export interface ClassicPeerView {
  peerId: string
  ip: string
  port: number
  /** BEP 23 compact form: 6 bytes (IPv4) or 18 bytes (IPv6, BEP 7) */
  compact: Uint8Array
}

/** Why a request was refused; sent back as `failure reason`. */
export class TrackerRefusal extends Error {
  override name = 'TrackerRefusal'
}

export interface TrackerLimits {
  /** cap on peers returned / offers relayed per announce (default 50) */
  maxNumwant?: number
  /** peers per swarm before new ones are refused (default 5000) */
  maxPeersPerSwarm?: number
  /** swarms in total before announces for new torrents are refused (default 100000) */
  maxSwarms?: number
  /** info hashes per scrape (default 64) */
  maxScrapeHashes?: number
  /** largest WebSocket frame accepted, in bytes (default 64 KiB) */
  maxFrameBytes?: number
  /** offers read from one WebSocket announce (default 10) */
  maxOffers?: number
  /** swarms one WebSocket may join (default 256) */
  maxSwarmsPerSocket?: number
  /** concurrent WebSocket connections from one address (default 256; 0 = unlimited) */
  maxSocketsPerAddress?: number
  /** HTTP+UDP requests per second per address, sustained (default 50; 0 = unlimited) */
  requestsPerSecondPerAddress?: number
  /** burst allowance for the above (default 200) */
  requestBurstPerAddress?: number
  /** WebSocket messages per second per socket, sustained (default 20; 0 = unlimited) */
  messagesPerSecondPerSocket?: number
  /** burst allowance for the above (default 60) */
  messageBurstPerSocket?: number
  /** bytes a slow WebSocket reader may have queued before relays to it are dropped (default 1 MiB) */
  maxBufferedBytes?: number
}

export const DEFAULT_LIMITS: Required<TrackerLimits> = {
  maxNumwant: 50,
  maxPeersPerSwarm: 5000,
  maxSwarms: 100_000,
  maxScrapeHashes: 64,
  maxFrameBytes: 64 * 1024,
  maxOffers: 10,
  maxSwarmsPerSocket: 256,
  maxSocketsPerAddress: 256,
  requestsPerSecondPerAddress: 50,
  requestBurstPerAddress: 200,
  messagesPerSecondPerSocket: 20,
  messageBurstPerSocket: 60,
  maxBufferedBytes: 1024 * 1024,
}
