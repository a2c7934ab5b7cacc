import { Client } from '../client/index.node.js'
import type { Torrent } from '../torrent/torrent.js'
import type { NetworkOptions } from './options.js'
import { noPeersReason } from './why-no-peers.js'
import { mkdirSync } from 'node:fs'
import { homedir } from 'node:os'
import { join } from 'node:path'
import { Progress, formatBytes } from './progress.js'

/** A client for one CLI command. The DHT is on, as in other clients (`--no-dht` turns it
 * off; `--dht-bootstrap` replaces the public routers), its routing table kept in the user's
 * cache folder between runs. */
export function cliClient(o: NetworkOptions): Client {
  const stateFile = o.dht ? dhtStateFile() : undefined
  return new Client({
    ...(o.torrentPort !== undefined ? { port: o.torrentPort } : {}),
    host: o.host ?? '0.0.0.0',
    trackers: o.trackers,
    dht: o.dht ? { ...(o.dhtBootstrap ? { bootstrap: o.dhtBootstrap } : {}), ...(stateFile ? { stateFile } : {}) } : false,
    lsd: o.lsd,
    encryption: o.encryption,
    ...(o.downloadLimit !== undefined ? { downloadLimit: o.downloadLimit } : {}),
    ...(o.uploadLimit !== undefined ? { uploadLimit: o.uploadLimit } : {}),
  })
}

/** $XDG_CACHE_HOME/swarmstream/dht.json (or ~/.cache/…); undefined when it cannot be made. */
function dhtStateFile(): string | undefined {
  const dir = join(process.env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'swarmstream')
  try { mkdirSync(dir, { recursive: true }); return join(dir, 'dht.json') } catch { return undefined }
}

/** Warnings (peer misbehaviour, tracker trouble) are shown with --verbose only. */
export function showWarnings(torrent: Torrent, o: { verbose?: boolean | undefined }): void {
  torrent.on('warning', (w) => { if (o.verbose) process.stderr.write(`warning: ${torrent.name}: ${w.message}\n`) })
}

/** Resolves when SIGINT or SIGTERM arrives (and stops listening for them). */
export function untilSignal(): { promise: Promise<string>; cancel(): void } {
  let cancel = () => undefined as void
  const promise = new Promise<string>((resolve) => {
    const on = (sig: string) => () => { cancel(); resolve(sig) }
    const int = on('SIGINT'), term = on('SIGTERM')
    process.once('SIGINT', int); process.once('SIGTERM', term)
    cancel = () => { process.off('SIGINT', int); process.off('SIGTERM', term) }
  })
  return { promise, cancel }
}

/** Resolves 'timeout' after `seconds` (never without). */
export function timeout(seconds: number | undefined): Promise<'timeout'> {
  if (!seconds) return new Promise<never>(() => undefined)
  return new Promise((res) => setTimeout(() => res('timeout'), seconds * 1000).unref())
}

/** Redraws progress (of one torrent or several together) every half second until stopped. */
export function showProgress(torrents: Torrent[], enabled: boolean): () => void {
  const progress = new Progress(process.stderr, enabled)
  const since = performance.now()
  const draw = () => {
    let have = 0, total = 0, down = 0, up = 0, peers = 0
    for (const t of torrents) {
      const w = t.wanted
      have += w.have; total += w.total; down += t.downloadSpeed; up += t.uploadSpeed; peers += t.numPeers
    }
    const name = torrents.length === 1 ? torrents[0]!.name : `${torrents.length} torrents`
    const ready = torrents.every((t) => t.ready)
    // a few seconds without peers: say why (what the trackers and the DHT said)
    const lonely = peers === 0 && performance.now() - since > 5000
    const note = lonely ? torrents.map(noPeersReason).find((r) => r !== undefined) : undefined
    progress.update({ name, progress: total === 0 ? (ready ? 1 : 0) : have / total, downloadSpeed: down, uploadSpeed: up, peers, remaining: total - have, note })
  }
  const timer = setInterval(draw, 500)
  return () => { clearInterval(timer); draw(); progress.finish() }
}

/** The line a finished download ends with: what came from peers, not what was re-checked. */
export function doneLine(torrent: Torrent, seconds: number): string {
  const got = torrent.received
  const wanted = torrent.wanted.total
  if (got === 0) return `done: ${torrent.name}: all ${formatBytes(wanted)} were already there (verified)`
  const rate = formatBytes(got / Math.max(seconds, 0.001))
  const had = wanted - Math.min(got, wanted)
  return `done: ${torrent.name}: ${formatBytes(got)} downloaded in ${seconds.toFixed(1)} s (${rate}/s)${had > 0 ? `, ${formatBytes(had)} already there` : ''}`
}

/** What a run cost, for benchmarks and curious users (--json). */
export function runFigures(startedAt: number, bytes: number): Record<string, number> {
  const seconds = (performance.now() - startedAt) / 1000
  const ru = process.resourceUsage()
  return {
    seconds: +seconds.toFixed(3),
    bytes,
    MBps: +(bytes / 1e6 / seconds).toFixed(1),
    MiBps: +(bytes / 2 ** 20 / seconds).toFixed(1),
    cpu_s: +((ru.userCPUTime + ru.systemCPUTime) / 1e6).toFixed(2),
    peak_rss_mb: +(ru.maxRSS / 1024).toFixed(1),
  }
}
