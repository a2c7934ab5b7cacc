/** The mainline DHT (BEP 5, with BEP 42, 43 and 51), platform-neutral part. Node glue
 * (DNS, sockets, snapshot files) is in ./index.node.ts. */
export { Dht, type DhtOptions, type DhtEvents, type LookupOptions, type AnnounceOptions } from './dht.js'
export { DEFAULT_BOOTSTRAP_NODES, DEFAULT_LIMITS, clockTimers, type Contact, type DatagramChannel, type DhtLimits, type DhtTimers, type PeerAddress } from './types.js'
export { parseDhtState, type DhtState } from './snapshot.js'
export { DhtAnnouncer, type DhtAnnouncerOptions } from './torrent-announcer.js'
export { DhtQueryError } from './errors.js'
export type { DhtStats } from './stats.js'
export { bep42NodeId, isBep42Valid } from './bep42.js'
