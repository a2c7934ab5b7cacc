/** Tracker clients for Node: everything in index.ts plus the UDP (BEP 15) client. */
export * from './index.js'
export { UdpTrackerClient, type UdpTrackerClientOptions } from './udp-tracker.node.js'
