/** Shapes shared by the DHT modules (BEP 5). Pure; runs anywhere. */
import type { PeerAddress } from '../../transport/types.js'
import type { Clock, Timer } from '../../util/clock.js'

export type { PeerAddress }

/** A DHT node we can talk to: its 20-byte id and UDP address (IPv4 only). */
export interface Contact {
  id: Uint8Array
  host: string
  port: number
}

/** Timers the DHT uses, injectable so tests run on a fake clock without sleeping. */
export interface DhtTimers {
  setTimeout(fn: () => void, ms: number): unknown
  clearTimeout(handle: unknown): void
}

/** The DHT's timer shape over an injected Clock (timers never keep a process alive). */
export function clockTimers(clock: Clock): DhtTimers {
  return {
    setTimeout: (fn, ms) => clock.setTimeout(fn, ms).unref(),
    clearTimeout: (h) => (h as Timer | undefined)?.cancel(),
  }
}

export const systemTimers: DhtTimers = {
  setTimeout: (fn, ms) => {
    const t = setTimeout(fn, ms)
    // Node: a DHT timer alone must not keep the process alive
    ;(t as { unref?: () => void }).unref?.()
    return t
  },
  clearTimeout: (h) => clearTimeout(h as ReturnType<typeof setTimeout>),
}

export interface DhtLimits {
  /** most nodes per bucket (BEP 5's K, 8); larger only for a libtorrent-style extended table */
  bucketSize: number
  /** replacement-cache entries per bucket */
  replacementsPerBucket: number
  /** nodes returned by find_node/get_peers and kept at the end of a lookup (BEP 5's K) */
  k: number
  /** parallel queries per lookup (Kademlia's alpha) */
  alpha: number
  /** a query unanswered after this long has failed */
  queryTimeoutMs: number
  /** after this long a lookup stops waiting for a slow query and asks the next node (the
   * answer is still taken if it comes) */
  slowQueryMs: number
  /** queries awaiting an answer at once; more wait in a queue */
  maxOutstanding: number
  /** queries waiting for a slot; beyond this a query fails at once */
  maxQueued: number
  /** KRPC datagrams larger than this are dropped unread */
  maxMessageBytes: number
  /** candidates a lookup keeps (the farthest are dropped) */
  maxLookupCandidates: number
  /** nodes taken from one response */
  maxNodesPerResponse: number
  /** peers a lookup collects */
  maxLookupPeers: number
  /** announced peers kept per info hash / info hashes kept / peers kept in all */
  maxPeersPerTorrent: number
  maxTorrents: number
  maxPeers: number
  /** announced peers expire after this long (BEP 5 leaves it open; 30 min as libtorrent) */
  peerTtlMs: number
  /** values returned in one get_peers response */
  maxValuesPerResponse: number
  /** incoming queries per second per source IP, and the burst allowed */
  queriesPerSecondPerIp: number
  queryBurstPerIp: number
  /** source IPs tracked by the rate limiter */
  maxRateLimitedIps: number
  /** routing-table nodes per IP address (loopback and private addresses exempt) */
  maxNodesPerIp: number
}

export const DEFAULT_LIMITS: DhtLimits = {
  bucketSize: 8,
  replacementsPerBucket: 8,
  k: 8,
  alpha: 3,
  queryTimeoutMs: 3000,
  slowQueryMs: 1000,
  maxOutstanding: 256,
  maxQueued: 2048,
  maxMessageBytes: 2048,
  maxLookupCandidates: 128,
  maxNodesPerResponse: 16,
  maxLookupPeers: 2000,
  maxPeersPerTorrent: 200,
  maxTorrents: 5000,
  maxPeers: 20_000,
  peerTtlMs: 30 * 60_000,
  maxValuesPerResponse: 50,
  queriesPerSecondPerIp: 50,
  queryBurstPerIp: 100,
  maxRateLimitedIps: 10_000,
  maxNodesPerIp: 1,
}

/** The well-known public routers, for real users only: every test passes its own loopback
 * nodes instead. */
export const DEFAULT_BOOTSTRAP_NODES: readonly PeerAddress[] = Object.freeze([
  { host: 'router.bittorrent.com', port: 6881 },
  { host: 'dht.transmissionbt.com', port: 6881 },
  { host: 'router.utorrent.com', port: 6881 },
  { host: 'dht.libtorrent.org', port: 25401 },
])

/** What the DHT needs of its UDP socket (`UdpMux.channel('dht')` in Node): datagrams in
 * and out. Declared here so the core never imports a Node module. */
export interface DatagramChannel {
  readonly port: number
  send(data: Uint8Array, to: PeerAddress): void
  onMessage(handler: (data: Uint8Array, from: PeerAddress) => void): void
}

export const addressKey = (a: PeerAddress): string => `${a.host}:${a.port}`

/** An IPv4 address in dotted form, or undefined. */
export function parseIPv4(host: string): Uint8Array | undefined {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(host)
  if (!m) return undefined
  const b = new Uint8Array(4)
  for (let i = 0; i < 4; i++) {
    const n = Number(m[i + 1])
    if (n > 255) return undefined
    b[i] = n
  }
  return b
}

/** Loopback, private and link-local IPv4 ranges (BEP 42's exemptions). */
export function isLocalIPv4(host: string): boolean {
  const b = parseIPv4(host)
  if (!b) return false
  const [a, c] = [b[0]!, b[1]!]
  return a === 127 || a === 10 || (a === 172 && c >= 16 && c < 32) || (a === 192 && c === 168) || (a === 169 && c === 254)
}
