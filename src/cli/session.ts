import { Client } from '../client/index.node.js'
import type { Torrent } from '../torrent/torrent.js'
import { parseEncryption, parsePeer, parsePort } from './args.js'
import { Progress } from './progress.js'
import { mkdirSync } from 'node:fs'
import { homedir } from 'node:os'
import { join } from 'node:path'

export interface NetworkValues {
  port?: string | undefined
  host?: string | undefined
  peer?: string[] | undefined
  'no-trackers'?: boolean | undefined
  'no-dht'?: boolean | undefined
  'dht-bootstrap'?: string[] | undefined
  quiet?: boolean | undefined
  encryption?: string | undefined
}

/** A client for one CLI command. The DHT is on, as in other clients (`--no-dht` turns it
 * off; `--dht-bootstrap` replaces the public routers), its routing table kept in the user's
 * cache folder between runs. */
export function cliClient(values: NetworkValues): Client {
  const stateFile = values['no-dht'] ? undefined : dhtStateFile()
  return new Client({
    port: parsePort(values.port, 6881),
    host: values.host ?? '0.0.0.0',
    trackers: !values['no-trackers'],
    dht: values['no-dht'] ? false : { ...(values['dht-bootstrap'] ? { bootstrap: values['dht-bootstrap'] } : {}), ...(stateFile ? { stateFile } : {}) },
    lsd: false,
    encryption: parseEncryption(values.encryption),
  })
}

/** $XDG_CACHE_HOME/swarmstream/dht.json (or ~/.cache/…); undefined when it cannot be made. */
function dhtStateFile(): string | undefined {
  const dir = join(process.env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'swarmstream')
  try { mkdirSync(dir, { recursive: true }); return join(dir, 'dht.json') } catch { return undefined }
}

export const peersOf = (values: NetworkValues) => (values.peer ?? []).map(parsePeer)

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

/** Redraws progress every half second until stopped. */
export function showProgress(torrent: Torrent, enabled: boolean): () => void {
  const progress = new Progress(process.stderr, enabled)
  const draw = () => {
    const { have, total } = torrent.wanted
    progress.update({ name: torrent.name, progress: torrent.progress, downloadSpeed: torrent.downloadSpeed,
      uploadSpeed: torrent.uploadSpeed, peers: torrent.numPeers, remaining: total - have })
  }
  const timer = setInterval(draw, 500)
  return () => { clearInterval(timer); draw(); progress.finish() }
}

/** What a run cost, for benchmarks and curious users. */
export function runFigures(startedAt: number, bytes: number): Record<string, number> {
  const seconds = (performance.now() - startedAt) / 1000
  const ru = process.resourceUsage()
  return {
    seconds: +seconds.toFixed(3),
    bytes,
    MBps: +(bytes / 1e6 / seconds).toFixed(1),
    cpu_s: +((ru.userCPUTime + ru.systemCPUTime) / 1e6).toFixed(2),
    peak_rss_mb: +(ru.maxRSS / 1024).toFixed(1),
  }
}
