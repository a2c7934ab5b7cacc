#!/usr/bin/env node
// Tracker benchmark: our server against the `bittorrent-tracker` npm server, same machine,
// load from separate processes on 127.0.0.1, bounded in count and time (about 2–3 minutes).
//   node bench/tracker/run.mjs [--quick]
// Measures HTTP (plain and pipelined) and UDP announces per second, memory per connected WebSocket peer with
// 10,000 peers connected and announced, and offer-relay latency (p50/p99) with them connected.
import { fork, spawnSync } from 'node:child_process'
import { fileURLToPath } from 'node:url'

const here = fileURLToPath(new URL('.', import.meta.url))
const quick = process.argv.includes('--quick')
const SECONDS = quick ? 3 : 5
const WS_PEERS = quick ? 2000 : 10_000
const WS_PROCS = 4
const RELAY_SAMPLES = quick ? 300 : 1000
const ROUNDS = quick ? 1 : 2

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
  const onExit = (code) => reject(new Error(`child exited ${code}`))
  child.once('message', (m) => { child.off('exit', onExit); resolve(m) })
  child.once('exit', onExit)
})
const child = (file, args, execArgv = []) => fork(here + file, args.map(String), { execArgv, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] })

async function startServer(which) {
  const srv = child('serve.mjs', [which], ['--expose-gc', '--import', 'tsx'])
  const { ports } = await once(srv)
  const probe = async () => { const p = once(srv); srv.send('mem'); return p }
  return { srv, ports, probe, close: async () => { srv.send('close'); await new Promise((r) => srv.once('exit', r)) } }
}

async function rate(file, port, arg, depth = 1) {
  const procs = Array.from({ length: 2 }, (_, k) => child(file, [port, arg, SECONDS, k + 1, depth]))
  const res = await Promise.all(procs.map(once))
  const done = res.reduce((a, r) => a + r.done, 0)
  const errors = res.reduce((a, r) => a + (r.errors ?? 0) + (r.failures ?? 0), 0)
  return { perSecond: done / SECONDS, errors }
}

/** Announce rates with both servers up, measured alternately (ours, theirs, ours, theirs...)
 * so background load on a shared machine hits both alike; the best round of each counts. */
async function rates() {
  const servers = { ours: await startServer('ours'), bt: await startServer('bt') }
  const best = { ours: {}, bt: {} }
  const cases = [
    ['http', 'load-http.mjs', 'http', 32, 1],
    ['http8', 'load-http.mjs', 'http', 16, 8],
    ['udp', 'load-udp.mjs', 'udp', 64, 1],
  ]
  try {
    for (const [name, file, portKey, arg, depth] of cases) {
      for (let round = 0; round < ROUNDS; round++) {
        for (const which of ['ours', 'bt']) {
          const s = servers[which]
          const c0 = (await s.probe()).cpu
          const r = await rate(file, s.ports[portKey], arg, depth)
          const c1 = (await s.probe()).cpu
          const cpu = (c1.user + c1.system - c0.user - c0.system) / 1e6
          const prev = best[which][name]
          if (!prev || r.perSecond > prev.perSecond) best[which][name] = { ...r, perCpuSecond: r.perSecond * SECONDS / cpu }
        }
      }
    }
  } finally { await servers.ours.close(); await servers.bt.close() }
  return best
}

async function wsMemoryAndRelay(which) {
  const out = {}
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
const best = await rates()
const ours = await wsMemoryAndRelay('ours')
const theirs = await wsMemoryAndRelay('bt')
const fmt = (n, d = 0) => n === undefined ? '-' : n.toLocaleString('en-US', { maximumFractionDigits: d, minimumFractionDigits: d })
const rows = [
  ['HTTP announces/s (64 connections)', best.ours.http.perSecond, best.bt.http.perSecond, 0, true],
  ['HTTP announces/s (32 connections, 8 pipelined)', best.ours.http8.perSecond, best.bt.http8.perSecond, 0, true],
  ['HTTP announces per server CPU-second', best.ours.http.perCpuSecond, best.bt.http.perCpuSecond, 0, true],
  ['UDP announces/s', best.ours.udp.perSecond, best.bt.udp.perSecond, 0, true],
  ['UDP announces per server CPU-second', best.ours.udp.perCpuSecond, best.bt.udp.perCpuSecond, 0, true],
  [`WS heap+external bytes/peer (${fmt(ours.wsConnected)} / ${fmt(theirs.wsConnected)} peers)`, ours.wsHeapPerPeer, theirs.wsHeapPerPeer, 0, false],
  ['WS RSS bytes/peer', ours.wsRssPerPeer, theirs.wsRssPerPeer, 0, false],
  ['offer relay p50 ms (with the peers above connected)', ours.relayP50, theirs.relayP50, 2, false],
  ['offer relay p99 ms', ours.relayP99, theirs.relayP99, 2, false],
]
console.log(`\ntracker benchmark (${SECONDS} s per rate, best of ${ROUNDS} alternating rounds; ${WS_PEERS} WebSocket peers; ${RELAY_SAMPLES} relays; ${((Date.now() - t0) / 1000).toFixed(0)} s)`)
console.log('metric'.padEnd(52) + 'swarmstream'.padStart(14) + 'bittorrent-tracker'.padStart(20) + 'ratio'.padStart(9))
for (const [name, a, b, d, higherBetter] of rows) {
  const ratio = higherBetter ? a / b : b / a
  console.log(name.padEnd(52) + fmt(a, d).padStart(14) + fmt(b, d).padStart(20) + (fmt(ratio, 2) + 'x').padStart(9))
}
const errs = (w) => ['http', 'http8', 'udp'].map((k) => best[w][k].errors).join('/')
console.log(`(ratio > 1: swarmstream better. Errors http/http8/udp: ours ${errs('ours')}, theirs ${errs('bt')}. WS announces answered: ${ours.wsAnswered}, ${theirs.wsAnswered}.)`)
