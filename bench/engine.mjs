#!/usr/bin/env node
// Engine benchmark (issue 2): one seeder to one leecher of a 1 GiB file on loopback, for
// swarmstream→swarmstream, libtorrent→libtorrent and webtorrent→webtorrent, in one run, and
// the encrypted rows (MSE/PE with RC4 forced both ways): ours→ours against lt→lt (pe_forced).
// Prints MB/s, the leecher's CPU seconds and peak RSS, ratios against libtorrent, and the CPU
// ratio encrypted/plaintext for each.
//   npm run bench:engine [-- --size <MiB>] [--runs <n>] [--only ours,lt,wt,oursEnc,ltEnc]
// As root it re-runs itself in a loopback-only network namespace (unshare -n).
import { spawn } from 'node:child_process'
import { existsSync, mkdirSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import { inLoopbackNamespace } from '../scripts/loopback-netns.mjs'
import { ensureBenchData, freePort } from './data.mjs'

const root = fileURLToPath(new URL('..', import.meta.url))
const { values } = parseArgs({ options: { size: { type: 'string', default: '1024' }, runs: { type: 'string', default: '1' }, only: { type: 'string', default: 'ours,lt,wt,oursEnc,ltEnc' }, keep: { type: 'boolean' } } })

inLoopbackNamespace(import.meta.url)

const sizeMiB = Number(values.size)
const work = join(tmpdir(), 'swarmstream-bench')
const dataDir = join(work, 'data')
const file = join(dataDir, `bench-${sizeMiB}m.bin`)
const torrent = join(work, `bench-${sizeMiB}m.torrent`)
mkdirSync(dataDir, { recursive: true })

const cli = join(root, 'dist/src/cli/main.js')
if (!existsSync(cli)) { console.error('run `npm run build` first (npm run bench:engine does)'); process.exit(1) }


function startProc(cmd, args) {
  const p = spawn(cmd, args, { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] })
  let out = '', err = ''
  p.stdout.on('data', (d) => { out += d })
  p.stderr.on('data', (d) => { err += d; if (err.length > 100000) err = err.slice(-50000) })
  const exited = new Promise((res) => p.once('exit', (c) => res(c)))
  return {
    p, exited, out: () => out, err: () => err,
    ready: (re, ms = 600_000) => new Promise((res, rej) => {
      const t = setTimeout(() => rej(new Error(`${cmd}: not ready in time\n${err.slice(-2000)}`)), ms)
      const check = () => { if (re.test(out)) { clearTimeout(t); res() } }
      p.stdout.on('data', check); check()
      exited.then((c) => { clearTimeout(t); rej(new Error(`${cmd} exited ${c}\n${err.slice(-2000)}`)) })
    }),
    stop: async () => { if (p.exitCode === null) { p.kill('SIGTERM'); const t = setTimeout(() => p.kill('SIGKILL'), 3000); await exited; clearTimeout(t) } },
  }
}


async function leechJson(leech, timeoutMs) {
  const t = setTimeout(() => leech.p.kill('SIGKILL'), timeoutMs)
  const code = await leech.exited
  clearTimeout(t)
  const line = leech.out().split('\n').find((l) => l.startsWith('{'))
  if (code !== 0 || !line) throw new Error(`leecher failed (${code})\n${leech.err().slice(-3000)}`)
  return JSON.parse(line)
}

const runners = {
  // Leechers dial the seeder directly (no tracker round trips in the timing).
  async ours(enc = []) {
    const sp = await freePort(), lp = await freePort()
    const seed = startProc(process.execPath, ['--max-semi-space-size=2', cli, 'seed', file, '--torrent', torrent, '--torrent-port', String(sp), '--host', '127.0.0.1', '--no-trackers', '--no-dht', '--no-lsd', '--quiet', ...enc])
    await seed.ready(/READY/)
    const out = join(work, 'out-ours'); rmSync(out, { recursive: true, force: true })
    const leech = startProc(process.execPath, ['--max-semi-space-size=2', cli, 'download', torrent, '-o', out, '--torrent-port', String(lp), '--host', '127.0.0.1', '--no-trackers', '--no-dht', '--no-lsd', '--peer', `127.0.0.1:${sp}`, '--json', ...enc])
    try { return await leechJson(leech, 600_000) } finally { await seed.stop(); rmSync(out, { recursive: true, force: true }) }
  },
  async lt(enc = []) {
    const sp = await freePort(), lp = await freePort()
    const seed = startProc('/usr/bin/python3', [join(root, 'test/peers/lt.py'), 'seed', torrent, dataDir, '--port', String(sp), '--quiet', ...enc])
    await seed.ready(/READY/)
    const out = join(work, 'out-lt'); rmSync(out, { recursive: true, force: true })
    const leech = startProc('/usr/bin/python3', [join(root, 'test/peers/lt.py'), 'leech', torrent, out, '--port', String(lp), '--peer', String(sp), '--quiet', ...enc])
    try { const r = await leechJson(leech, 600_000); return { seconds: r.wall_s, MBps: r.MBps, cpu_s: r.cpu_s, peak_rss_mb: r.peak_rss_mb } } finally { await seed.stop(); rmSync(out, { recursive: true, force: true }) }
  },
  oursEnc: () => runners.ours(['--encryption', 'forced']),
  ltEnc: () => runners.lt(['--enc-forced']),
  async wt() {
    const sp = await freePort(), lp = await freePort()
    const seed = startProc(process.execPath, [join(root, 'test/peers/wt.mjs'), 'seed', torrent, dataDir, '--port', String(sp), '--quiet'])
    await seed.ready(/READY/)
    const out = join(work, 'out-wt'); rmSync(out, { recursive: true, force: true })
    const leech = startProc(process.execPath, [join(root, 'test/peers/wt.mjs'), 'leech', torrent, out, '--port', String(lp), '--peer', String(sp), '--quiet'])
    try { const r = await leechJson(leech, 600_000); return { seconds: r.wall_s, MBps: r.MBps, cpu_s: r.cpu_s, peak_rss_mb: r.peak_rss_mb } } finally { await seed.stop(); rmSync(out, { recursive: true, force: true }) }
  },
}

ensureBenchData(file, torrent, sizeMiB, cli)
const results = {}
for (const name of values.only.split(',')) {
  for (let i = 0; i < Number(values.runs); i++) {
    try {
      const r = await runners[name]()
      console.error(`${name} run ${i + 1}: ${JSON.stringify(r)}`)
      if (!results[name] || r.MBps > results[name].MBps) results[name] = r
    } catch (e) { console.error(`${name} failed: ${e.message}`) }
  }
}
const names = { ours: 'swarmstream → swarmstream', lt: 'libtorrent → libtorrent', wt: 'webtorrent → webtorrent', oursEnc: 'swarmstream → swarmstream, MSE RC4 forced', ltEnc: 'libtorrent → libtorrent, pe_forced RC4' }
const ref = results.lt
console.log(`\n${sizeMiB} MiB, 1 MiB pieces, one seeder → one leecher on 127.0.0.1 (best of ${values.runs}); leecher figures\n`)
console.log('| pair | MB/s | CPU s | peak RSS MB | MB/s vs lt (same encryption) | CPU vs lt |')
console.log('|---|---|---|---|---|---|')
for (const [k, r] of Object.entries(results)) {
  // encrypted rows are compared with libtorrent encrypted, the others with libtorrent plaintext
  const base = k.endsWith('Enc') ? results.ltEnc : ref
  const ratio = (a, b) => (base && b ? (a / b).toFixed(2) : 'n/a')
  console.log(`| ${names[k]} | ${r.MBps} | ${r.cpu_s} | ${r.peak_rss_mb ?? 'n/a'} | ${ratio(r.MBps, base?.MBps)} | ${ratio(r.cpu_s, base?.cpu_s)} |`)
}
for (const [enc, plain] of [['oursEnc', 'ours'], ['ltEnc', 'lt']]) {
  const e = results[enc], p = results[plain]
  if (e && p) console.log(`${names[plain].split(' ')[0]}: encrypted/plaintext leecher CPU ${(e.cpu_s / p.cpu_s).toFixed(2)}x, MB/s ${(e.MBps / p.MBps).toFixed(2)}x`)
}
console.log('\ntargets: throughput ours/libtorrent >= 1.0; CPU <= 1.3x libtorrent; peak RSS <= 120 MB; encrypted CPU <= 1.3x our plaintext')
if (!values.keep) rmSync(join(work, 'out-ours'), { recursive: true, force: true })
