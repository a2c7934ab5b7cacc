/** The DHT for Node: everything in index.ts plus DNS, own-socket and snapshot-file helpers. */
export * from './index.js'
export { createDht, bindDht, saveDhtState, loadDhtState, resolveIPv4 } from './dht.node.js'
