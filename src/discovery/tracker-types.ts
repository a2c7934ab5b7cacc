/** Shapes shared by every tracker client (HTTP BEP 3, UDP BEP 15) and the announcer. The wire
 * shapes themselves live in ../tracker-protocol, shared with the tracker server. */
import { toBinaryString, type Announce, type AnnounceResult } from '../tracker-protocol/index.js'

export type { AnnounceEvent, AnnounceResult, PeerAddress, ScrapeCounts } from '../tracker-protocol/index.js'
export { TrackerError, MAX_PEERS_PER_RESPONSE } from '../tracker-protocol/index.js'

/** An announce as the client holds it: the wire shape, with ids as bytes. */
export type AnnounceParams = Omit<Announce, 'infoHash' | 'peerId'> & { infoHash: Uint8Array; peerId: Uint8Array }

/** The wire form of an announce (ids as binary strings). */
export function toAnnounce(p: AnnounceParams): Announce {
  const a: Announce = {
    infoHash: toBinaryString(p.infoHash), peerId: toBinaryString(p.peerId), port: p.port,
    uploaded: p.uploaded, downloaded: p.downloaded, left: p.left, event: p.event,
  }
  if (p.numwant !== undefined) a.numwant = p.numwant
  if (p.key !== undefined) a.key = p.key
  if (p.trackerId !== undefined) a.trackerId = p.trackerId
  return a
}

export interface RequestOptions { signal?: AbortSignal; timeoutMs?: number }

/** Anything that can announce to a tracker URL: `announceHttp`, `UdpTrackerClient.announce`. */
export type AnnounceFn = (url: string, p: AnnounceParams, opts?: RequestOptions) => Promise<AnnounceResult>
