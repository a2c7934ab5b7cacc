/** Shapes shared by every tracker client (HTTP BEP 3, UDP BEP 15) and the announcer. */

/** 'update' is a regular re-announce: no `event` is sent (BEP 3) / event 0 (BEP 15). */
export type AnnounceEvent = 'started' | 'completed' | 'stopped' | 'update'

export interface AnnounceParams {
  infoHash: Uint8Array
  peerId: Uint8Array
  port: number
  uploaded: number
  downloaded: number
  left: number
  event: AnnounceEvent
  numwant?: number
  /** random per-session value so a tracker can recognise us across IP changes (BEP 15) */
  key?: number
  /** echoed back from a previous response's `tracker id` (BEP 3) */
  trackerId?: string
}

export interface PeerAddress { host: string; port: number }

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

export interface ScrapeResult { complete: number; incomplete: number; downloaded: number }

export interface RequestOptions { signal?: AbortSignal; timeoutMs?: number }

/** Anything that can announce to a tracker URL: `announceHttp`, `UdpTrackerClient.announce`. */
export type AnnounceFn = (url: string, p: AnnounceParams, opts?: RequestOptions) => Promise<AnnounceResult>

/** A tracker said no (failure reason, BEP 15 error), answered nonsense, or did not answer. */
export class TrackerError extends Error {
  override name = 'TrackerError'
}

/** Upper bound on peers taken from one response, whatever the tracker sends. */
export const MAX_PEERS_PER_RESPONSE = 2000
