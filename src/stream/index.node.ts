/** Streams over torrent files in Node: everything in index.ts, the Readable adapter behind
 * `file.createReadStream()` and the HTTP range server. */
export * from './index.js'
export { FileReadStream, nodeFileAdapters } from './node-stream.node.js'
export { StreamServer, createStreamServer, type StreamServerOptions, type TorrentSource } from './http-server.node.js'
