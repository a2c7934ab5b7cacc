/** The tracker wire formats, shared by the tracker clients (src/discovery) and the tracker
 * server (src/tracker): HTTP announce/scrape (BEP 3, BEP 48), UDP (BEP 15), compact peers
 * (BEP 23, BEP 7) and the WebSocket tracker messages (shared/specs/websocket-tracker.md).
 * Pure and platform-neutral: Uint8Array and strings in, values out, no I/O, no Node APIs (the
 * browser bundle uses the HTTP and WebSocket parts). Each side encodes what it sends and
 * decodes what it receives with the same module, so the two cannot drift apart. */
export * from './types.js'
export { TrackerError } from './errors.js'
export { toBinaryString, fromBinaryString, isBinary20 } from './binary.js'
export { normalizeIp, parseIPv4, parseIPv6, formatIPv6 } from './ip.js'
export { encodeCompactPeer, decodeCompactPeers } from './compact-peers.js'
export * from './http-query.js'
export * from './http-response.js'
export * from './udp-request.js'
export * from './udp-response.js'
export * from './ws-request.js'
export * from './ws-response.js'
