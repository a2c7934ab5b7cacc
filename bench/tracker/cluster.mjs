#!/usr/bin/env node
// Tracker cluster benchmark: one worker against two (`--workers 2`) against bittorrent-tracker;
// three instances sharing a Redis against one instance; WebSocket peers held across three
// instances within a memory budget; offer relay latency within one instance and across
// instances through Redis. Load comes from separate processes on 127.0.0.1, bounded in count
// and time (about 3–4 minutes). On a 2-core machine the load generators share the cores with
// the servers: their CPU time is printed beside each rate.
//   node bench/tracker/cluster.mjs [--quick]
import { fork, spawn, spawnSync } from 'node:child_process'
import { mkdtempSync, rmSync, readFileSync } from 'node:fs'
import { tmpdir, loadavg } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { inLoopbackNamespace } from '../../scripts/loopback-netns.mjs'

inLoopbackNamespace(import.meta.url)
const here = fileURLToPath(new URL('.', import.meta.url))
const quick = process.argv.includes('--quick')
const SECONDS = quick ? 3 : 5
const ROUNDS = quick ? 1 : 2
const WS_PEERS = quick ? 6000 : 50_000
const WS_HOLDERS = 6 // processes holding sockets (each under the 20,000 descriptors a process gets here)
const RELAY_SAMPLES = quick ? 300 : 1000
const BUDGET = 2 * 1024 ** 3

const soft = Number(spawnSync('sh', ['-c', 'ulimit -n'], { encoding: 'utf8' }).stdout.trim())
if (!process.env.TRACKER_BENCH_ULIMIT && soft < 20_000) {
  const r = spawnSync('sh', ['-c', 'ulimit -n "$(ulimit -Hn)" && exec "$0" "$@"', process.execPath, ...process.argv.slice(1)],
    { stdio: 'inherit', env: { ...process.env, TRACKER_BENCH_ULIMIT: '1' } })
  process.exit(r.status ?? 1)
}

const once = (c) => new Promise((resolve, reject) => {
  const onExit = (code) => reject(new Error(`child exited ${code}`))
  c.once('message', (m) => { c.off('exit', onExit); resolve(m) })
  c.once('exit', onExit)
})
const child = (file, args, execArgv = []) => fork(here + file, args.map(String), { execArgv, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] })
const exited = (c) => new Promise((r) => { if (c.exitCode !== null) r(); else c.once('exit', r) })

async function server(kind, ...args) {
  const file = kind === 'workers' ? 'serve-cluster.mjs' : 'serve.mjs'
  const srv = child(file, kind === 'workers' ? args : [kind, ...args], ['--expose-gc', '--import', 'tsx'])
  const { ports } = await once(srv)
  const probe = async () => { const p = once(srv); srv.send('mem'); return p }
  return { srv, ports, probe, close: async () => { srv.send('close'); await exited(srv) } }
}
const cpuOf = (p) => (p.cpu.user + p.cpu.system) / 1e6

/** Announces/s from `procs` load processes (each `conns` connections) spread over `ports`. */
async function load(file, ports, procs, arg, depth = 1) {
  const kids = Array.from({ length: procs }, (_, k) => child(file, [ports[k % ports.length], arg, SECONDS, k + 1, depth]))
  const res = await Promise.all(kids.map(once))
  return {
    perSecond: res.reduce((a, r) => a + r.done, 0) / SECONDS,
    errors: res.reduce((a, r) => a + (r.errors ?? 0) + (r.failures ?? 0), 0),
    loadCpu: res.reduce((a, r) => a + (r.cpu ? (r.cpu.user + r.cpu.system) / 1e6 : 0), 0),
  }
}

async function measure(s, file, portKey, arg, depth, ports = [s.ports[portKey]], procs = 2) {
  const c0 = await Promise.all((s.all ?? [s]).map((x) => x.probe()))
  const r = await load(file, ports, procs, arg, depth)
  const c1 = await Promise.all((s.all ?? [s]).map((x) => x.probe()))
  r.serverCpu = c1.reduce((a, p, i) => a + cpuOf(p) - cpuOf(c0[i]), 0)
  return r
}

function best(prev, r) { return !prev || r.perSecond > prev.perSecond ? r : prev }

const t0 = Date.now()
const load0 = loadavg()[0]
const rows = []

// ---- 1 worker, 2 workers, bittorrent-tracker: HTTP and UDP announces/s ----
{
  const servers = { one: await server('ours'), two: await server('workers', 2), bt: await server('bt') }
  const res = { one: {}, two: {}, bt: {} }
  try {
    for (const [name, file, key, arg, depth] of [['http', 'load-http.mjs', 'http', 32, 1], ['http8', 'load-http.mjs', 'http', 16, 8], ['udp', 'load-udp.mjs', 'udp', 64, 1]]) {
      for (let round = 0; round < ROUNDS; round++) {
        for (const which of ['one', 'two', 'bt']) res[which][name] = best(res[which][name], await measure(servers[which], file, key, arg, depth))
      }
    }
  } finally { for (const s of Object.values(servers)) await s.close() }
  const f = (r) => `${fmt(r.perSecond)} (server ${r.serverCpu.toFixed(1)} CPU s, load ${r.loadCpu.toFixed(1)} CPU s)`
  for (const [name, label] of [['http', 'HTTP announces/s, 64 connections'], ['http8', 'HTTP announces/s, 32 connections x 8 pipelined'], ['udp', 'UDP announces/s']]) {
    rows.push([`${label}: 1 worker`, f(res.one[name])])
    rows.push([`${label}: 2 workers`, `${f(res.two[name])}  = ${(res.two[name].perSecond / res.one[name].perSecond).toFixed(2)}x one worker`])
    rows.push([`${label}: bittorrent-tracker`, `${f(res.bt[name])}  (2 workers = ${(res.two[name].perSecond / res.bt[name].perSecond).toFixed(2)}x)`])
  }
}

// ---- Redis: three instances against one; WebSocket peers across them; relay latency ----
const dir = mkdtempSync(join(tmpdir(), 'trk-bench-redis-'))
const redisPort = 6400 + Math.floor(Math.random() * 500)
const redis = spawn('redis-server', ['--save', '', '--appendonly', 'no', '--port', String(redisPort), '--bind', '127.0.0.1', '--dir', dir, '--daemonize', 'no'], { stdio: ['ignore', 'pipe', 'inherit'] })
await new Promise((resolve, reject) => {
  redis.stdout.on('data', (d) => { if (/Ready to accept connections/.test(String(d))) resolve() })
  redis.once('exit', (c) => reject(new Error(`redis-server exited ${c}`)))
})
const redisRss = () => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${redis.pid}/status`, 'utf8'))[1]) * 1024
const url = `redis://127.0.0.1:${redisPort}`
try {
  {
    const single = await server('ours')
    let one
    try { for (let round = 0; round < ROUNDS; round++) one = best(one, await measure(single, 'load-http.mjs', 'http', 32, 1, [single.ports.http], 3)) } finally { await single.close() }
    const inst = await Promise.all([1, 2, 3].map((i) => server('ours', url, `bench-${i}`)))
    const three = { all: inst }
    let r3
    try { for (let round = 0; round < ROUNDS; round++) r3 = best(r3, await measure(three, 'load-http.mjs', 'http', 32, 1, inst.map((s) => s.ports.http), 3)) } finally { for (const s of inst) await s.close() }
    const f = (r) => `${fmt(r.perSecond)} (servers ${r.serverCpu.toFixed(1)} CPU s, load ${r.loadCpu.toFixed(1)} CPU s, errors ${r.errors})`
    rows.push(['HTTP announces/s, 1 instance (3 load processes)', f(one)])
    rows.push(['HTTP announces/s, 3 instances over Redis (one load process each)', `${f(r3)}  = ${(r3.perSecond / one.perSecond).toFixed(2)}x`])
  }
  {
    const inst = await Promise.all([1, 2, 3].map((i) => server('ours', url, `ws-${i}`)))
    const holders = []
    try {
      const base = await Promise.all(inst.map((s) => s.probe()))
      const redisBase = redisRss()
      const per = Math.ceil(WS_PEERS / WS_HOLDERS)
      for (let k = 0; k < WS_HOLDERS; k++) holders.push(child('load-ws.mjs', ['hold', inst[k % 3].ports.ws, per, k + 1]))
      const ready = await Promise.all(holders.map(once))
      const connected = ready.reduce((a, r) => a + r.ready, 0), answered = ready.reduce((a, r) => a + r.answered, 0)
      const loaded = await Promise.all(inst.map((s) => s.probe()))
      const rss = loaded.reduce((a, p, i) => a + p.mem.rss - base[i].mem.rss, 0) + redisRss() - redisBase
      const total = loaded.reduce((a, p) => a + p.mem.rss, 0) + redisRss()
      rows.push([`WebSocket peers connected and announced across 3 instances`, `${fmt(connected)} (${fmt(answered)} answered)`])
      rows.push(['  RSS per peer (3 instances + Redis, growth)', `${fmt(rss / connected)} bytes`])
      rows.push(['  total RSS of instances + Redis against the 2 GiB budget', `${(total / 1024 ** 2).toFixed(0)} MiB of ${(BUDGET / 1024 ** 2).toFixed(0)} MiB`])
      const relay = async (senderPort) => once(child('load-ws.mjs', ['relay', inst[0].ports.ws, RELAY_SAMPLES, senderPort ? 2 : 1, ...(senderPort ? [senderPort] : [])]))
      const local = await relay()
      const cross = await relay(inst[1].ports.ws)
      rows.push(['offer relay p50 / p99 ms, within one instance', `${local.p50.toFixed(2)} / ${local.p99.toFixed(2)} (${local.samples} samples)`])
      rows.push(['offer relay p50 / p99 ms, across instances through Redis', `${cross.p50.toFixed(2)} / ${cross.p99.toFixed(2)} (${cross.samples} samples)`])
    } finally {
      for (const h of holders) h.send('close')
      await Promise.all(holders.map(exited))
      for (const s of inst) await s.close()
    }
  }
} finally {
  redis.kill('SIGTERM')
  await exited(redis)
  rmSync(dir, { recursive: true, force: true })
}

function fmt(n, d = 0) { return n.toLocaleString('en-US', { maximumFractionDigits: d, minimumFractionDigits: d }) }
console.log(`\ntracker cluster benchmark (${SECONDS} s per rate, best of ${ROUNDS}; load average ${load0.toFixed(2)} at start, ${loadavg()[0].toFixed(2)} at end; ${((Date.now() - t0) / 1000).toFixed(0)} s)`)
for (const [k, v] of rows) console.log(k.padEnd(66) + v)
