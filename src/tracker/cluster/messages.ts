/** What the processes of a tracker cluster tell each other (workers of one machine through
 * their primary, instances of many machines through Redis). Each process (an "origin") is
 * the authority for the peers that announced to it; the others mirror them:
 * - classic (HTTP/UDP) peers one by one, since any process may list them;
 * - WebSocket peers only as counts per swarm: they are reached through their socket, so an
 *   offer for them is relayed to the origin holding the socket.
 * A plain re-announce changes nothing others need, so it costs no message at all.
 * Ids and info hashes are binary strings, as everywhere in the tracker. */

export type PeerOp =
  /** a classic peer joined or changed (address, seeder) */
  | { t: 'p'; h: string; id: string; ip: string; port: number; s: 0 | 1 }
  /** a classic peer left */
  | { t: 'x'; h: string; id: string }
  /** to the process holding a classic peer: it announced elsewhere, unchanged (it is alive) */
  | { t: 't'; h: string; id: string }
  /** to the process holding a classic peer: it said `stopped` elsewhere */
  | { t: 's'; h: string; id: string }
  /** an origin's counts for one swarm over all its peers; `w` WebSocket peers among them. All
   * zero: the origin has nothing of that swarm any more. */
  | { t: 'c'; h: string; c: number; i: number; d: number; w: number }

const str = (v: unknown): v is string => typeof v === 'string'
const num = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v) && v >= 0

/** Checks an op from another process (Redis is shared infrastructure: a bad writer must not
 * take every tracker down with it). */
export function isPeerOp(v: unknown): v is PeerOp {
  if (typeof v !== 'object' || v === null) return false
  const o = v as Record<string, unknown>
  if (!str(o.h) || o.h.length !== 20) return false
  switch (o.t) {
    case 'p': return str(o.id) && o.id.length === 20 && str(o.ip) && o.ip.length <= 64 && num(o.port) && o.port < 65536 && (o.s === 0 || o.s === 1)
    case 'x': case 't': case 's': return str(o.id) && o.id.length === 20
    case 'c': return num(o.c) && num(o.i) && num(o.d) && num(o.w)
    default: return false
  }
}

export interface Batch {
  /** origin */
  o: string
  /** sequence number per origin, for gap detection */
  q: number
  /** replaces everything known of the origin (after a (re)connect or a gap) */
  full?: boolean
  ops: PeerOp[]
}

export type Relay =
  /** offers for up to `offers.length` WebSocket peers of swarm `h` held by the receiver;
   * `back` is the offerer's origin, where answers go */
  | { t: 'offer'; h: string; from: string; back: string; offers: { id: string; sdp: string }[] }
  /** an answer for the offerer `to`, whose socket the receiver holds */
  | { t: 'answer'; h: string; from: string; to: string; id: string; sdp: string }

/** Counters and gauges one origin reports with its heartbeat, summed for /stats and /metrics. */
export interface OriginReport {
  o: string
  /** when the origin sent it (ms) */
  at: number
  seeders: number
  leechers: number
  ws: number
  http: number
  udp: number
  sockets: number
  perSecond: { http: number; udp: number; ws: number }
  totals: { http: number; udp: number; ws: number; rejected: number; relaysLocal: number; relaysOut: number; relaysIn: number }
  clients: { name: string; peers: number }[]
  memory: { rss: number; heapUsed: number; external: number }
}

export interface LinkHandlers {
  /** a batch from another origin */
  batch(b: Batch): void
  /** a relay addressed to us */
  relay(r: Relay): void
  /** another origin's heartbeat */
  report(r: OriginReport): void
  /** another origin left or died: forget it */
  gone(origin: string): void
  /** the link (re)connected: everything we hold must be sent again, in full */
  resync(): void
  /** a warning for the operator (the link lost or regained its store) */
  warning(message: string): void
}

/** The channel between the processes of a cluster. Sends never block nor throw: while the
 * channel is down they are dropped, and `resync` follows the reconnection. */
export interface ClusterLink {
  readonly origin: string
  start(h: LinkHandlers): Promise<void>
  publish(b: Batch): void
  relay(to: string, r: Relay): void
  heartbeat(r: OriginReport): void
  /** true while messages can flow */
  readonly connected: boolean
  close(): Promise<void>
}
