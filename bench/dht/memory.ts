// DHT memory, one implementation per process (run by bench/dht/run.mjs):
//   node --expose-gc --import tsx bench/dht/memory.ts ours|bittorrent-dht
// Fills the routing table with 10,000 nodes (ids spread over the buckets, as a long-running
// node with a libtorrent-style extended table would hold them: 64 per bucket) and the peer
// store with 10,000 announced peers (100 info hashes x 100 peers, each from its own IP),
// then prints heapUsed deltas after a full GC as one JSON line. No packet is sent.
import { Dht } from '../../src/discovery/dht/index.js'
import { decodeMessage, encodeQuery } from '../../src/discovery/dht/krpc.js'
import { getBytes } from '../../src/bencode/index.js'
import { randomIdInBucket } from '../../src/discovery/dht/node-id.js'
import { randomBytes } from '../../src/util/bytes.js'
import type { DatagramChannel, PeerAddress } from '../../src/discovery/dht/types.js'

const NODES = 10_000
const PEERS = 10_000
const which = process.argv[2] ?? 'ours'
const gc = (globalThis as { gc?: () => void }).gc
if (!gc) throw new Error('run with --expose-gc')
const heap = () => { gc(); gc(); return process.memoryUsage().heapUsed }

const selfId = randomBytes(20)
const ipOf = (i: number) => `10.${(i >> 16) & 0xff}.${(i >> 8) & 0xff}.${i & 0xff}`
const nodes = Array.from({ length: NODES }, (_, i) => ({ id: randomIdInBucket(selfId, i % 157, true), host: ipOf(i), port: 6881 }))
const hashes = Array.from({ length: 100 }, () => randomBytes(20))

async function ours(): Promise<{ table: number; peers: number; entries: number; stored: number; limiter: number }> {
  // a hand-driven clock: the maintenance round that forgets idle rate-limit buckets runs when told
  let t = 1_000_000
  let due: (() => void)[] = []
  const timers = { setTimeout: (fn: () => void) => { due.push(fn); return due.length }, clearTimeout: () => undefined }
  let deliver: (data: Uint8Array, from: PeerAddress) => void = () => undefined
  let lastReply: Uint8Array | undefined
  // keep the last response (our node also pings the unknown nodes that query it)
  const channel: DatagramChannel = { port: 6881, send: (d) => { if (decodeMessage(d)?.y === 'r') lastReply = d }, onMessage: (h) => { deliver = h } }
  const base = heap()
  const dht = new Dht({ channel, nodeId: selfId, bootstrap: [], now: () => t, timers, limits: { bucketSize: 64, maxPeersPerTorrent: 100, maxPeers: PEERS * 2, maxRateLimitedIps: PEERS } })
  for (const n of nodes) dht.table.responded({ id: n.id, host: n.host, port: n.port })
  const afterTable = heap()
  const tid = Uint8Array.of(0, 1)
  for (let i = 0; i < PEERS; i++) {
    const from = { host: ipOf(100_000 + i), port: 6881 }
    const infoHash = hashes[i % hashes.length]!
    deliver(encodeQuery(tid, 'get_peers', { id: nodes[i % NODES]!.id, info_hash: infoHash }), from)
    const m = decodeMessage(lastReply!)
    const token = m?.y === 'r' ? getBytes(m.r, 'token') : undefined
    deliver(encodeQuery(tid, 'announce_peer', { id: nodes[i % NODES]!.id, info_hash: infoHash, port: 1000 + (i % 60000), token }), from)
  }
  lastReply = undefined
  const withLimiter = heap()
  // a minute later the per-IP buckets have refilled and are forgotten; the peers stay
  t += 61_000
  const fns = due; due = []
  for (const fn of fns) fn()
  const afterPeers = heap()
  if (process.env.DEBUG) console.log(dht.stats)
  const r = { table: afterTable - base, peers: afterPeers - afterTable, entries: dht.nodeCount, stored: dht.storedPeers.peers, limiter: withLimiter - afterPeers }
  dht.destroy()
  return r
}

async function bittorrentDht(): Promise<{ table: number; peers: number; entries: number; stored: number; limiter?: number }> {
  const name = 'bittorrent-dht'
  interface BtDht { addNode(n: object): void; _addPeer(p: object, h: Uint8Array, from: object): void; nodes: { count(): number }; _peers: { size?: number }; destroy(): void }
  const Ctor = ((await import(name)) as { default: new (o: object) => BtDht }).default
  const base = heap()
  const d = new Ctor({ nodeId: Buffer.from(selfId), bootstrap: false, k: 64, maxPeers: PEERS * 2 })
  for (const n of nodes) d.addNode({ id: Buffer.from(n.id), host: n.host, port: n.port })
  const afterTable = heap()
  for (let i = 0; i < PEERS; i++) {
    const from = { host: ipOf(100_000 + i), port: 6881 }
    d._addPeer({ host: from.host, port: 1000 + (i % 60000) }, Buffer.from(hashes[i % hashes.length]!), from)
  }
  const afterPeers = heap()
  const r = { table: afterTable - base, peers: afterPeers - afterTable, entries: d.nodes.count(), stored: PEERS }
  d.destroy()
  return r
}

const r = which === 'ours' ? await ours() : await bittorrentDht()
console.log(JSON.stringify({ which, ...r, total: r.table + r.peers }))
process.exit(0)
