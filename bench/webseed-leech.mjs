// One web-seed-only download for bench/webseed.mjs, in its own process so its CPU and RSS
// are its own: node bench/webseed-leech.mjs <torrent> <out dir> '<webSeedOptions JSON>'
// Prints one JSON line: seconds, MB/s, CPU seconds, peak RSS, GETs and bytes per GET.
import { readFileSync } from 'node:fs'
import { Client, parseTorrent } from '../dist/src/index.js'

const [torrentPath, out, optsJson] = process.argv.slice(2)
const metainfo = parseTorrent(new Uint8Array(readFileSync(torrentPath)))
const client = new Client({ port: false, trackers: false, dht: false })
const started = performance.now()
const t = await client.add(metainfo, { path: out, webSeedOptions: JSON.parse(optsJson ?? '{}') })
await new Promise((resolve, reject) => {
  const timer = setTimeout(() => reject(new Error(`not done after 300 s (progress ${t.progress})`)), 300_000)
  t.once('done', () => { clearTimeout(timer); resolve() })
})
const seconds = (performance.now() - started) / 1000
const ru = process.resourceUsage()
const [seed] = t.webSeeds.list()
console.log(JSON.stringify({
  seconds: +seconds.toFixed(3), MBps: +(metainfo.length / 1e6 / seconds).toFixed(1),
  cpu_s: +((ru.userCPUTime + ru.systemCPUTime) / 1e6).toFixed(2), peak_rss_mb: +(ru.maxRSS / 1024).toFixed(1),
  gets: seed.gets, kib_per_get: +(seed.bytes / 1024 / Math.max(1, seed.gets)).toFixed(0),
}))
await client.destroy()
