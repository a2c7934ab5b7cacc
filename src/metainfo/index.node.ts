// Node entry: the platform-neutral API plus creating torrents from the filesystem.
export * from './index.js'
export { createTorrentFromPath, type CreateFromPathOptions } from './create-from-path.node.js'
