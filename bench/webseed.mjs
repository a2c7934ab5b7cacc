#!/usr/bin/env node
// Web seed benchmark (BEP 19): one file served by nginx on loopback, downloaded through the
// web seed alone by swarmstream (several settings of GETs in flight and bytes per GET) and,
// in the same run, by aria2c from the same torrent's web seed and by curl as a plain HTTP
// GET (the ceiling). Prints MB/s and CPU seconds of each, and ours against aria2c.
//   npm run build && node bench/webseed.mjs [--size <MiB>] [--piece <KiB>] [--runs <n>]
// As root it re-runs itself in a loopback-only network namespace (unshare -n).
import { spawn, execFileSync } from 'node:child_process'
import { existsSync, mkdirSync, rmSync, writeFileSync, openSync, writeSync, closeSync, statSync } from 'node:fs'
import { randomFillSync } from 'node:crypto'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import { inLoopbackNamespace } from '../scripts/loopback-netns.mjs'
import { freePort } from './data.mjs'

const root = fileURLToPath(new URL('..', import.meta.url))
const { values } = parseArgs({ options: { size: { type: 'string', default: '256' }, piece: { type: 'string', default: '256' }, runs: { type: 'string', default: '1' } } })
inLoopbackNamespace(import.meta.url)

const cli = join(root, 'dist/src/cli/main.js')
if (!existsSync(cli)) { console.error('run `npm run build` first'); process.exit(1) }
const sizeMiB = Number(values.size)
const work = join(tmpdir(), 'swarmstream-bench-webseed')
const www = join(work, 'www'), conf = join(work, 'nginx')
mkdirSync(www, { recursive: true }); mkdirSync(conf, { recursive: true })
const file = join(www, `ws-${sizeMiB}m.bin`)
if (!existsSync(file) || statSync(file).size !== sizeMiB * 1048576) {
  const fd = openSync(file, 'w'), chunk = Buffer.alloc(16 * 1048576)
  for (let i = 0; i < sizeMiB; i += 16) { randomFillSync(chunk); writeSync(fd, chunk, 0, Math.min(16, sizeMiB - i) * 1048576) }
  closeSync(fd)
}

const port = await freePort()
const url = `http://127.0.0.1:${port}`
writeFileSync(join(conf, 'nginx.conf'), `daemon off; ${process.getuid?.() === 0 ? 'user root;' : ''} worker_processes 1;
pid ${conf}/nginx.pid; error_log ${conf}/error.log warn; events { worker_connections 256; }
http { access_log off; sendfile on; keepalive_requests 100000;
  client_body_temp_path ${conf}/c; proxy_temp_path ${conf}/p; fastcgi_temp_path ${conf}/f; uwsgi_temp_path ${conf}/u; scgi_temp_path ${conf}/s;
  server { listen 127.0.0.1:${port}; root ${www}; } }`)
const nginx = spawn('/usr/sbin/nginx', ['-p', conf, '-e', join(conf, 'error.log'), '-c', join(conf, 'nginx.conf')], { stdio: 'ignore' })
for (let i = 0; i < 200; i++) {
  if (await globalThis.fetch(url + '/').then(() => true, () => false)) break
  await new Promise((r) => setTimeout(r, 25))
}

const torrent = join(work, `ws-${sizeMiB}m-${values.piece}k.torrent`)
execFileSync(process.execPath, [cli, 'create', file, '-o', torrent, '--piece-length', String(Number(values.piece) * 1024), '--web-seed', `${url}/`], { stdio: 'ignore' })

/** runs a command under bash's `time`: wall and CPU seconds, and its stdout */
function timed(cmd, args) {
  return new Promise((resolve, reject) => {
    const p = spawn('bash', ['-c', 'TIMEFORMAT="%R %U %S"; time "$@" >"$OUT" 2>/dev/null', 'timed', cmd, ...args], { env: { ...process.env, OUT: join(work, 'out.txt') }, stdio: ['ignore', 'ignore', 'pipe'] })
    let err = ''
    p.stderr.on('data', (d) => { err += d })
    p.once('exit', (code) => {
      const m = /([\d.]+) ([\d.]+) ([\d.]+)\s*$/.exec(err)
      if (code !== 0 || !m) { reject(new Error(`${cmd} failed (${code}): ${err.slice(-500)}`)); return }
      resolve({ seconds: Number(m[1]), cpu_s: +(Number(m[2]) + Number(m[3])).toFixed(2), stdout: execFileSync('cat', [join(work, 'out.txt')]).toString() })
    })
  })
}
const bytes = sizeMiB * 1048576
const mbps = (s) => +(bytes / 1e6 / s).toFixed(1)
const outDir = join(work, 'out')

const rows = []
async function row(name, fn) {
  for (let run = 0; run < Number(values.runs); run++) {
    rmSync(outDir, { recursive: true, force: true }); mkdirSync(outDir, { recursive: true })
    const r = await fn()
    rows.push({ name, ...r })
    console.log(JSON.stringify({ name, ...r }))
  }
}

try {
  await row('curl (one GET)', async () => { const r = await timed('curl', ['-s', '-o', join(outDir, 'f'), `${url}/ws-${sizeMiB}m.bin`]); return { MBps: mbps(r.seconds), cpu_s: r.cpu_s } })
  await row('aria2c (torrent, web seed)', async () => {
    const r = await timed('aria2c', ['-d', outDir, '--seed-time=0', '--enable-dht=false', '--enable-dht6=false', '--bt-enable-lpd=false', '--enable-peer-exchange=false',
      '--listen-port=' + await freePort(), '--file-allocation=none', '--check-integrity=false', '--summary-interval=0', '--console-log-level=error', torrent])
    return { MBps: mbps(r.seconds), cpu_s: r.cpu_s }
  })
  for (const [maxGets, maxRunMiB] of [[1, 4], [2, 4], [4, 4], [2, 1], [2, 16]]) {
    const opts = { peer: { maxGets, maxRunBytes: maxRunMiB * 1048576 } }
    await row(`swarmstream gets=${maxGets} run=${maxRunMiB}MiB`, async () => {
      const r = await timed(process.execPath, ['--max-semi-space-size=2', join(root, 'bench/webseed-leech.mjs'), torrent, outDir, JSON.stringify(opts)])
      const j = JSON.parse(r.stdout)
      return { MBps: mbps(r.seconds), cpu_s: r.cpu_s, inner_MBps: j.MBps, peak_rss_mb: j.peak_rss_mb, gets: j.gets, kib_per_get: j.kib_per_get }
    })
  }
  const best = (prefix) => Math.max(...rows.filter((r) => r.name.startsWith(prefix)).map((r) => r.MBps))
  console.log(`\n${sizeMiB} MiB, ${values.piece} KiB pieces`)
  for (const r of rows) console.log(`${r.name.padEnd(32)} ${String(r.MBps).padStart(7)} MB/s  ${String(r.cpu_s).padStart(6)} CPU s${r.gets ? `  ${r.gets} GETs of ${r.kib_per_get} KiB, RSS ${r.peak_rss_mb} MB` : ''}`)
  console.log(`ours (default gets=2 run=4MiB) / aria2c: ${(best('swarmstream gets=2 run=4MiB') / best('aria2c')).toFixed(2)}; best ours / curl: ${(best('swarmstream') / best('curl')).toFixed(2)}`)
} finally {
  nginx.kill('SIGTERM')
}
