/** `swarmstream/tracker`: the tracker and signaling server (Node). */
export { TrackerServer, type TrackerServerOptions, type Endpoint, type ListeningPorts } from './server.node.js'
export type { TrackerEvents } from './tracker-core.js'
export type { TrackerStats } from './stats.js'
export type { TrackerLimits, PeerKind, AnnounceEvent } from './types.js'
export { DEFAULT_LIMITS } from './types.js'
