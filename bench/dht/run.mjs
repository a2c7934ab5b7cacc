#!/usr/bin/env node
// DHT benchmark (about a minute), inside a loopback-only network namespace:
//   node bench/dht/run.mjs [trials]
// (1) memory: heapUsed deltas with 10,000 routing entries and 10,000 stored peers, ours
//     against bittorrent-dht holding the same (goal: ours below 10 MB);
// (2) lookup start -> first peer in a 64-node loopback DHT (30 ours, 30 libtorrent,
//     4 bittorrent-dht), ours against libtorrent's and bittorrent-dht's walks.
import { spawnSync } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { inLoopbackNamespace } from '../../scripts/loopback-netns.mjs'

inLoopbackNamespace(import.meta.url)
const root = fileURLToPath(new URL('../..', import.meta.url))
const trials = process.argv[2] ?? '30'

function runTs(args, extra = []) {
  const r = spawnSync(process.execPath, [...extra, '--import', 'tsx', ...args], { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] })
  if (r.status !== 0) throw new Error(`${args.join(' ')} exited ${r.status}`)
  return JSON.parse(r.stdout.trim().split('\n').pop())
}

const mb = (b) => (b / 1e6).toFixed(2) + ' MB'
const ours = runTs(['bench/dht/memory.ts', 'ours'], ['--expose-gc'])
const bt = runTs(['bench/dht/memory.ts', 'bittorrent-dht'], ['--expose-gc'])
console.log('== memory (heapUsed delta after GC)')
console.log(`ours:           table ${mb(ours.table)} (${ours.entries} nodes, ${Math.round(ours.table / ours.entries)} B each), peers ${mb(ours.peers)} (${ours.stored}, ${Math.round(ours.peers / ours.stored)} B each), total ${mb(ours.total)} ${ours.total < 10e6 ? '(goal < 10 MB: met)' : '(goal < 10 MB: MISSED)'}`)
console.log(`                + per-IP rate-limit buckets while 10,000 IPs are active: ${mb(ours.limiter)} (forgotten a minute later)`)
console.log(`bittorrent-dht: table ${mb(bt.table)} (${bt.entries} nodes), peers ${mb(bt.peers)} (${bt.stored}), total ${mb(bt.total)}`)
console.log(`ratio ours / bittorrent-dht: ${(ours.total / bt.total).toFixed(2)}`)

const fp = runTs(['bench/dht/first-peer.ts', trials])
console.log(`\n== lookup start -> peer, ${fp.nodes}-node loopback DHT, ${fp.trials} trials (median ms; found/trials)`)
const row = (name, v) => console.log(`${name.padEnd(34)} ${String(v.median_ms).padStart(8)} ms  (${v.found}/${fp.trials})`)
row('ours: first peer', fp.oursFirst)
row('ours: whole walk', fp.oursDone)
row('libtorrent dht_get_peers: first peer', fp.ltFirst)
row('bittorrent-dht: first peer', fp.btFirst)
row('bittorrent-dht: whole walk', fp.btDone)
console.log(`ratios (first peer, theirs / ours): libtorrent ${(fp.ltFirst.median_ms / fp.oursFirst.median_ms).toFixed(1)}x, bittorrent-dht ${(fp.btFirst.median_ms / fp.oursFirst.median_ms).toFixed(1)}x`)
