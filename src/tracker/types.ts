/** Shapes shared by every transport of the tracker server. Each transport parses its own wire
 * format into these, so the swarm store never knows whether a peer came over HTTP, UDP or
 * WebSocket beyond the `kind` tag. */

import { TrackerError, type Announce } from '../tracker-protocol/index.js'

export type { AnnounceEvent, AnnounceAnswer, ListedPeer, ScrapeCounts } from '../tracker-protocol/index.js'
export type PeerKind = 'http' | 'udp' | 'ws'

/** One announce, whatever transport carried it (ids are binary strings, see `Announce`). */
export interface AnnounceRequest extends Announce {
  kind: PeerKind
  /** address the peer is reached at (HTTP/UDP); for WebSocket peers the socket's address */
  ip: string
  /** TCP port the peer listens on (0 for WebSocket peers) */
  port: number
  /** already defaulted and capped to the server's limit */
  numwant: number
}

/** Why the server refused a request; sent back as `failure reason`. The wire codecs throw
 * their base class, TrackerError, for malformed input: handlers catch TrackerError. */
export class TrackerRefusal extends TrackerError {
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
