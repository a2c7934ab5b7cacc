// Time from a lookup's start to its first peer, in a 64-node DHT on 127.0.0.1: 30 of our
// nodes, 30 libtorrent nodes (test/peers/lt-dht.py, one process) and 4 bittorrent-dht nodes.
// Each trial announces a fresh info hash from one of our nodes, then the same lookup is run
// by one of ours (first peer and whole walk), by libtorrent (dht_get_peers: its first reply
// alert, posted at the first answer carrying peers) and by bittorrent-dht (first 'peer'
// event and whole walk). Searchers that stored the hash themselves are skipped. Run by run.mjs.
//   node --import tsx bench/dht/first-peer.ts [trials]
import { UdpMux } from '../../src/transport/udp-mux.node.js'
import { createDht, type Dht } from '../../src/discovery/dht/index.node.js'
import { randomBytes, toHex } from '../../src/util/bytes.js'
import { start, ROOT } from '../../test/peers/process.js'
import { freePorts } from '../../test/discovery/dht/udp-helpers.js'

const TRIALS = Number(process.argv[2] ?? 20)
const OURS = 30, LT = 30, BT = 4
const loop = (port: number) => ({ host: '127.0.0.1', port })

interface BtDht {
  listen(port: number, host: string, cb: () => void): void
  address(): { port: number }
  lookup(infoHash: string, cb?: (err: Error | null) => void): void
  on(event: 'peer', fn: (peer: { host: string; port: number }, infoHash: Buffer) => void): void
  off(event: 'peer', fn: (peer: { host: string; port: number }, infoHash: Buffer) => void): void
  once(event: 'ready', fn: () => void): void
  ready: boolean
  destroy(cb?: () => void): void
}
const btName = 'bittorrent-dht'
const BtCtor = ((await import(btName)) as { default: new (o: object) => BtDht }).default

const muxes: UdpMux[] = []
async function ourNode(bootstrap: { host: string; port: number }[]): Promise<Dht> {
  const mux = await UdpMux.bind(0, '127.0.0.1')
  muxes.push(mux)
  // all 64 nodes share 127.0.0.1: the per-IP query limit would count them as one
  return createDht({ channel: mux.channel('dht'), bootstrap, limits: { queriesPerSecondPerIp: 0 } })
}

const ours: Dht[] = [await ourNode([])]
const ltPorts = await freePorts(LT)
const lt = start('/usr/bin/python3', [`${ROOT}test/peers/lt-dht.py`, '--ports', ltPorts.join(','), '--bootstrap', `127.0.0.1:${ours[0]!.port}`, '--timeout', '900'], { stdin: true })
await lt.waitFor(/^READY/, 120_000)
for (let i = 1; i < OURS; i++) ours.push(await ourNode([loop(ours[0]!.port), loop(ltPorts[i % LT]!)]))
for (const d of ours.slice(1)) await d.bootstrap()
const bt: BtDht[] = []
for (let i = 0; i < BT; i++) {
  const d = new BtCtor({ bootstrap: [`127.0.0.1:${ours[0]!.port}`, `127.0.0.1:${ltPorts[i]}`], host: false })
  await new Promise<void>((r) => d.listen(0, '127.0.0.1', r))
  if (!d.ready) await new Promise<void>((r) => d.once('ready', r))
  bt.push(d)
}
// a second round so the first nodes learn of the later ones
for (const d of ours) await d.bootstrap()

const stored = new Map<string, Set<Dht>>()
for (const d of ours) d.on('announce', (h) => { const k = toHex(h); if (!stored.has(k)) stored.set(k, new Set()); stored.get(k)!.add(d) })

const results = { oursFirst: [] as number[], oursDone: [] as number[], ltFirst: [] as number[], btFirst: [] as number[], btDone: [] as number[] }
for (let t = 0; t < TRIALS; t++) {
  const h = randomBytes(20)
  const hex = toHex(h)
  const port = 20000 + t
  await ours[1 + (t % 5)]!.announce(h, port)

  const searcher = ours.slice(6).find((d, i) => i >= t % 24 && !stored.get(hex)?.has(d)) ?? ours.slice(6).find((d) => !stored.get(hex)?.has(d))!
  let first = 0
  const t0 = performance.now()
  const peers = await searcher.lookup(h, { onPeers: () => { first ||= performance.now() } })
  const t1 = performance.now()
  if (peers.length > 0) { results.oursFirst.push(first - t0); results.oursDone.push(t1 - t0) }

  lt.proc.stdin!.write(`get_peers ${t % LT} ${hex}\n`)
  const line = await lt.waitFor(new RegExp(`^PEERS ${hex} `), 60_000)
  const took = Number(/took=([\d.]+)/.exec(line)?.[1]) * 1000
  if (line.includes(`:${port}`)) results.ltFirst.push(took)

  const b = bt[t % BT]!
  let btFirst = 0
  const onPeer = (_p: unknown, ih: Buffer) => { if (toHex(ih) === hex) btFirst ||= performance.now() }
  b.on('peer', onPeer)
  const b0 = performance.now()
  await new Promise<void>((r) => b.lookup(hex, () => r()))
  const b1 = performance.now()
  b.off('peer', onPeer)
  if (btFirst) { results.btFirst.push(btFirst - b0); results.btDone.push(b1 - b0) }
}

const median = (xs: number[]) => { const s = [...xs].sort((a, b) => a - b); return s.length ? s[Math.floor(s.length / 2)]! : NaN }
const out = Object.fromEntries(Object.entries(results).map(([k, v]) => [k, { median_ms: Number(median(v).toFixed(2)), found: v.length }]))
console.log(JSON.stringify({ trials: TRIALS, nodes: OURS + LT + BT, ...out }))

await lt.stop()
for (const d of ours) d.destroy()
await Promise.all(bt.map((d) => new Promise<void>((r) => d.destroy(() => r()))))
await Promise.all(muxes.map((m) => m.close()))
process.exit(0)
