/** Tracker clients (platform-neutral part). The UDP client is Node-only: `./index.node.js`. */
export * from './tracker-types.js'
export { announceHttp, scrapeHttp, MAX_RESPONSE_BYTES } from './http-tracker.js'
export { scrapeUrlFor, percentEncodeBytes, decodeCompactPeers } from '../tracker-protocol/index.js'
export { Announcer, type AnnouncerOptions, type AnnouncerEvents, type AnnouncerTransports } from './announcer.js'
export type { Signaling, SignalingTorrent } from './signaling.js'
// Type only (erased at build), so browser bundles never pull in node:dgram.
export type { UdpTrackerClient, UdpTrackerClientOptions } from './udp-tracker.node.js'
