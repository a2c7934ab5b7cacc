#!/usr/bin/env node
// Tracker benchmark: our server against the `bittorrent-tracker` npm server, same machine,
// load from separate processes on 127.0.0.1, bounded in count and time (about 2–3 minutes).
//   node bench/tracker/run.mjs [--quick]
// Measures HTTP and UDP announces per second, memory per connected WebSocket peer with
// 10,000 peers connected and announced, and offer-relay latency (p50/p99) with them connected.
import { fork, spawnSync } from 'node:child_process'
import { fileURLToPath } from 'node:url'

const here = fileURLToPath(new URL('.', import.meta.url))
const quick = process.argv.includes('--quick')
const SECONDS = quick ? 3 : 6
const WS_PEERS = quick ? 2000 : 10_000
const WS_PROCS = 4
const RELAY_SAMPLES = quick ? 300 : 1000

// 10,000 sockets need more than the usual 1024 descriptors: re-exec under the hard limit.
if (!process.env.TRACKER_BENCH_ULIMIT) {
  const soft = Number(spawnSync('sh', ['-c', 'ulimit -n'], { encoding: 'utf8' }).stdout.trim())
  if (soft < WS_PEERS + 2000) {
    const r = spawnSync('sh', ['-c', 'ulimit -n "$(ulimit -Hn)" && exec "$0" "$@"', process.execPath, ...process.argv.slice(1)],
      { stdio: 'inherit', env: { ...process.env, TRACKER_BENCH_ULIMIT: '1' } })
    process.exit(r.status ?? 1)
  }
}

const once = (child) => new Promise((resolve, reject) => {
  child.once('message', resolve)
  child.once('exit', (code) => reject(new Error(`child exited ${code}`)))
})
const child = (file, args, execArgv = []) => fork(here + file, args.map(String), { execArgv, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] })

async function startServer(which) {
  const srv = child('serve.mjs', [which], ['--expose-gc', '--import', 'tsx'])
  const { ports } = await once(srv)
  const probe = async () => { const p = once(srv); srv.send('mem'); return p }
  return { srv, ports, probe, close: async () => { srv.send('close'); await new Promise((r) => srv.once('exit', r)) } }
}

async function rate(file, port, arg) {
  const procs = Array.from({ length: 2 }, (_, k) => child(file, [port, arg, SECONDS, k + 1]))
  const res = await Promise.all(procs.map(once))
  const done = res.reduce((a, r) => a + r.done, 0)
  const errors = res.reduce((a, r) => a + (r.errors ?? 0) + (r.failures ?? 0), 0)
  return { perSecond: done / SECONDS, errors }
}

async function measure(which) {
  const out = {}
  const s = await startServer(which)
  try {
    const c0 = (await s.probe()).cpu
    const h = await rate('load-http.mjs', s.ports.http, 32)
    const c1 = (await s.probe()).cpu
    out.http = h.perSecond; out.httpErrors = h.errors
    out.httpCpu = (c1.user + c1.system - c0.user - c0.system) / 1e6
    const u = await rate('load-udp.mjs', s.ports.udp, 64)
    const c2 = (await s.probe()).cpu
    out.udp = u.perSecond; out.udpErrors = u.errors
    out.udpCpu = (c2.user + c2.system - c1.user - c1.system) / 1e6
  } finally { await s.close() }

  // WebSocket memory on a fresh server: baseline, then 10,000 peers connected and announced.
  const w = await startServer(which)
  const holders = []
  try {
    const base = (await w.probe()).mem
    const per = Math.ceil(WS_PEERS / WS_PROCS)
    for (let k = 0; k < WS_PROCS; k++) holders.push(child('load-ws.mjs', ['hold', w.ports.ws, per, k + 1]))
    const ready = await Promise.all(holders.map(once))
    out.wsConnected = ready.reduce((a, r) => a + r.ready, 0)
    out.wsAnswered = ready.reduce((a, r) => a + r.answered, 0)
    const loaded = (await w.probe()).mem
    out.wsRssPerPeer = (loaded.rss - base.rss) / out.wsConnected
    out.wsHeapPerPeer = (loaded.heapUsed + loaded.external - base.heapUsed - base.external) / out.wsConnected
    const relay = child('load-ws.mjs', ['relay', w.ports.ws, RELAY_SAMPLES, 1])
    const r = await once(relay)
    out.relayP50 = r.p50; out.relayP99 = r.p99; out.relaySamples = r.samples
  } finally {
    for (const hld of holders) hld.send('close')
    await Promise.all(holders.map((hld) => new Promise((res) => { if (hld.exitCode !== null) res(); else hld.once('exit', res) })))
    await w.close()
  }
  return out
}

const t0 = Date.now()
const ours = await measure('ours')
const theirs = await measure('bt')
const fmt = (n, d = 0) => n === undefined ? '-' : n.toLocaleString('en-US', { maximumFractionDigits: d, minimumFractionDigits: d })
const rows = [
  ['HTTP announces/s', ours.http, theirs.http, 0, true],
  ['HTTP announces per server CPU-s', ours.http * SECONDS / ours.httpCpu, theirs.http * SECONDS / theirs.httpCpu, 0, true],
  ['UDP announces/s', ours.udp, theirs.udp, 0, true],
  ['UDP announces per server CPU-s', ours.udp * SECONDS / ours.udpCpu, theirs.udp * SECONDS / theirs.udpCpu, 0, true],
  [`WS RSS bytes/peer (${fmt(ours.wsConnected)} / ${fmt(theirs.wsConnected)} peers)`, ours.wsRssPerPeer, theirs.wsRssPerPeer, 0, false],
  ['WS heap+external bytes/peer', ours.wsHeapPerPeer, theirs.wsHeapPerPeer, 0, false],
  ['offer relay p50 ms', ours.relayP50, theirs.relayP50, 2, false],
  ['offer relay p99 ms', ours.relayP99, theirs.relayP99, 2, false],
]
console.log(`\ntracker benchmark (${SECONDS} s per rate, ${WS_PEERS} WebSocket peers, ${RELAY_SAMPLES} relays; ${((Date.now() - t0) / 1000).toFixed(0)} s)`)
console.log('metric'.padEnd(52) + 'swarmstream'.padStart(14) + 'bittorrent-tracker'.padStart(20) + 'ratio'.padStart(9))
for (const [name, a, b, d, higherBetter] of rows) {
  const ratio = higherBetter ? a / b : b / a
  console.log(name.padEnd(52) + fmt(a, d).padStart(14) + fmt(b, d).padStart(20) + (fmt(ratio, 2) + 'x').padStart(9))
}
console.log('(ratio > 1 means swarmstream is better; errors: ours http/udp', ours.httpErrors, ours.udpErrors, 'theirs', theirs.httpErrors, theirs.udpErrors,
  '; WS answered', ours.wsAnswered, theirs.wsAnswered, ')')
