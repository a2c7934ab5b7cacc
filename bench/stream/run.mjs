#!/usr/bin/env node
// Streaming benchmark (issue 3), on loopback, swarmstream against webtorrent-cli in one run:
//  - magnet → first byte: from starting `download <magnet>` (metadata fetched from the peer)
//    to the first byte of the file over the client's HTTP server;
//  - seek → first byte: a Range request into the middle (then at 3/4) of a 1 GiB file whose
//    middle is not downloaded, to its first byte.
// The seeder is our own `swarmstream seed` on 127.0.0.1; each leecher starts empty.
//   node bench/stream/run.mjs [--runs 3] [--only ours,wt] [--size 1024]
// As root it re-runs itself in a loopback-only network namespace (unshare -n).
import { spawn, execFileSync } from 'node:child_process'
import { existsSync, mkdirSync, rmSync, openSync, readSync, closeSync, readFileSync, writeFileSync } from 'node:fs'
import { request } from 'node:http'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import { inLoopbackNamespace } from '../../scripts/loopback-netns.mjs'
import { ensureBenchData, freePort } from '../data.mjs'

const root = fileURLToPath(new URL('../..', import.meta.url))
const { values } = parseArgs({ options: { runs: { type: 'string', default: '3' }, only: { type: 'string', default: 'ours,wt' }, size: { type: 'string', default: '1024' } } })

// webtorrent-cli is not a dependency of ours (its optional dependency airplay-js@^0.3.0 does
// not exist, which breaks `npm ci`): install it once into the bench folder, before entering
// the loopback-only namespace. node-datachannel is pinned to the version that ships its binary.
const wtHome = join(tmpdir(), 'swarmstream-bench', 'webtorrent-cli')
if (!process.env.SWARMSTREAM_IN_NETNS && !existsSync(join(wtHome, 'node_modules/webtorrent-cli/bin/cmd.js'))) {
  mkdirSync(wtHome, { recursive: true })
  writeFileSync(join(wtHome, 'package.json'), JSON.stringify({ private: true, dependencies: { 'webtorrent-cli': '6.0.1' }, overrides: { 'node-datachannel': '0.33.4' } }))
  console.error('installing webtorrent-cli 6.0.1 for the comparison…')
  execFileSync('npm', ['install', '--ignore-scripts', '--omit=optional', '--no-audit', '--no-fund', '--loglevel=error'], { cwd: wtHome, stdio: 'inherit' })
}

inLoopbackNamespace(import.meta.url)

const sizeMiB = Number(values.size)
const work = join(tmpdir(), 'swarmstream-bench')
const dataDir = join(work, 'data')
const file = join(dataDir, `bench-${sizeMiB}m.bin`)
const torrentPath = join(work, `bench-${sizeMiB}m.torrent`)
const fileName = `bench-${sizeMiB}m.bin`
mkdirSync(dataDir, { recursive: true })

// Our CLI bundled from the sources (no build step, no tsx start-up cost in the timings).
const cli = join(work, 'stream-cli', 'main.mjs')
execFileSync(join(root, 'node_modules/.bin/esbuild'), [join(root, 'src/cli/main.ts'), '--bundle', '--platform=node', '--format=esm', '--target=node20',
  `--outfile=${cli}`, '--log-level=warning', "--banner:js=import { createRequire as __cr } from 'module'; const require = __cr(import.meta.url);"], { stdio: 'inherit' })

// webtorrent-cli with DHT, LSD, UPnP, NAT-PMP, PEX and uTP off, its HTTP server on 127.0.0.1
// (it has no flags for these). A patched copy next to the original, so its imports resolve.
const wtDir = join(wtHome, 'node_modules/webtorrent-cli/bin')
const wtCli = join(wtDir, 'cmd.swarmstream-bench.js')
{
  let src = readFileSync(join(wtDir, 'cmd.js'), 'utf8')
  src = src.replaceAll('new WebTorrent({', 'new WebTorrent({ dht: false, lsd: false, natUpnp: false, natPmp: false, utPex: false, utp: false, secure: 0,')
    .replace('server.listen(argv.port)', "server.listen(argv.port, '127.0.0.1')").replace('server.listen(0)', "server.listen(0, '127.0.0.1')")
  if ((src.match(/dht: false, lsd: false/g) ?? []).length < 3 || !src.includes("server.listen(argv.port, '127.0.0.1')")) throw new Error('webtorrent-cli patch failed')
  writeFileSync(wtCli, src)
}


function startProc(args) {
  const p = spawn(process.execPath, args, { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] })
  let out = '', err = ''
  p.stdout.on('data', (d) => { out += d; if (out.length > 100000) out = out.slice(-50000) })
  p.stderr.on('data', (d) => { err += d; if (err.length > 100000) err = err.slice(-50000) })
  const exited = new Promise((res) => p.once('exit', (c) => res(c)))
  return {
    p, exited, out: () => out, err: () => err,
    ready: (re, ms) => new Promise((res, rej) => {
      const t = setTimeout(() => rej(new Error(`not ready in time\n${err.slice(-2000)}`)), ms)
      const check = () => { if (re.test(out)) { clearTimeout(t); res() } }
      p.stdout.on('data', check); check()
      exited.then((c) => { clearTimeout(t); rej(new Error(`exited ${c}\n${err.slice(-2000)}`)) })
    }),
    stop: async () => { if (p.exitCode === null) { p.kill('SIGTERM'); const t = setTimeout(() => p.kill('SIGKILL'), 3000); await exited; clearTimeout(t) } },
  }
}


function bytesAt(offset, n) {
  const fd = openSync(file, 'r'); const b = Buffer.alloc(n); readSync(fd, b, 0, n, offset); closeSync(fd); return b
}

/** Polls `url` (connection refused, 404 and 503 mean not yet) until a response body starts;
 * returns ms from `t0` to its first byte, after checking those bytes against the file. */
function firstByte(url, offset, t0, deadlineMs = 60_000) {
  return new Promise((resolve, reject) => {
    const attempt = () => {
      if (performance.now() - t0 > deadlineMs) { reject(new Error(`no first byte from ${url} in ${deadlineMs} ms`)); return }
      const req = request(url, { headers: { Range: `bytes=${offset}-`, Host: `127.0.0.1:${new URL(url).port}` } }, (res) => {
        if (res.statusCode !== 206 && res.statusCode !== 200) { res.resume(); setTimeout(attempt, 5); return }
        let got = Buffer.alloc(0)
        res.on('data', (d) => {
          const t = performance.now() - t0
          got = Buffer.concat([got, d])
          if (got.length < 16) return
          req.destroy()
          if (!got.subarray(0, 16).equals(bytesAt(offset, 16))) reject(new Error(`wrong bytes at ${offset} from ${url}`))
          else resolve(t)
        })
      })
      req.on('error', (e) => { if (e.code === 'ECONNREFUSED' || e.code === 'ECONNRESET') setTimeout(attempt, 5); else if (!req.destroyed || e.code !== 'ECONNRESET') reject(e) })
      req.end()
    }
    attempt()
  })
}

ensureBenchData(file, torrentPath, sizeMiB, cli)
const infoHash = JSON.parse(execFileSync(process.execPath, [cli, 'info', torrentPath, '--json'], { encoding: 'utf8' })).infoHash
const sp = await freePort()
console.error(`seeding ${fileName} (checking the data first)…`)
const seed = startProc([cli, 'seed', file, '--torrent', torrentPath, '--torrent-port', String(sp), '--host', '127.0.0.1', '--no-trackers', '--no-dht', '--no-lsd', '--quiet'])
await seed.ready(/READY/, 600_000)
const magnet = `magnet:?xt=urn:btih:${infoHash}&dn=${encodeURIComponent(fileName)}&x.pe=127.0.0.1:${sp}`
const size = sizeMiB * 1048576

const clients = {
  ours: (hp, out) => ({
    args: [cli, 'download', magnet, '--stream', '--port', String(hp), '--torrent-port', '0', '--host', '127.0.0.1', '--no-trackers', '--no-dht', '--no-lsd', '--quiet', '-o', out],
    url: `http://127.0.0.1:${hp}/${infoHash}/0`,
  }),
  wt: (hp, out) => ({
    args: [wtCli, 'download', magnet, '--port', String(hp), '--out', out, '--quiet', '--keep-seeding'],
    url: `http://127.0.0.1:${hp}/webtorrent/${infoHash}/${encodeURIComponent(fileName)}`,
  }),
}
const names = { ours: 'swarmstream', wt: 'webtorrent-cli 6' }
const results = {}
try {
  for (const name of values.only.split(',')) {
    results[name] = { magnet: [], seek: [] }
    for (let run = 0; run < Number(values.runs); run++) {
      const out = join(work, `stream-out-${name}`)
      rmSync(out, { recursive: true, force: true }); mkdirSync(out, { recursive: true })
      const hp = await freePort()
      const c = clients[name](hp, out)
      const t0 = performance.now()
      const leech = startProc(c.args)
      try {
        results[name].magnet.push(await firstByte(c.url, 0, t0))
        for (const offset of [Math.floor(size / 2) + 12345, Math.floor(size * 3 / 4) + 777]) {
          const s0 = performance.now()
          results[name].seek.push(await firstByte(c.url, offset, s0))
        }
      } catch (err) {
        console.error(`${names[name]} run ${run + 1}: ${err.message}\n${leech.err().slice(-1500)}`)
      } finally {
        await leech.stop()
        rmSync(out, { recursive: true, force: true })
      }
      const r = results[name]
      console.error(`${names[name]} run ${run + 1}: magnet→first byte ${fmt(r.magnet.at(-1))} ms, seeks ${r.seek.slice(-2).map(fmt).join(', ')} ms`)
    }
  }
} finally {
  await seed.stop()
}

function fmt(x) { return x === undefined ? '—' : x.toFixed(0) }
function median(xs) { const s = [...xs].sort((a, b) => a - b); return s.length ? s[Math.floor((s.length - 1) / 2)] : undefined }

console.log(`\nstreaming on loopback, ${fileName}, seeder: swarmstream seed; median of ${values.runs} runs`)
console.log('client               magnet → first byte   seek → first byte')
for (const [name, r] of Object.entries(results)) {
  console.log(`${names[name].padEnd(20)} ${`${fmt(median(r.magnet))} ms`.padStart(19)}   ${`${fmt(median(r.seek))} ms`.padStart(17)}`)
}
if (results.ours && results.wt) {
  const m = median(results.ours.magnet) / median(results.wt.magnet), s = median(results.ours.seek) / median(results.wt.seek)
  console.log(`ours / webtorrent-cli: magnet ${m.toFixed(2)}×, seek ${s.toFixed(2)}× (target ≤ 0.5×; absolute targets 300 ms and 200 ms)`)
}
console.log(JSON.stringify({ bench: 'stream', file: fileName, results }))
