/** The numbers behind `/stats` and `/stats.json`, and their HTML rendering. Everything that
 * came from a client (peer id prefixes naming client software) is escaped before rendering. */
import type { StoreCounts } from './swarm-store.js'

/** What one tracker process counts. */
export interface CoreCounters {
  http: number
  udp: number
  ws: number
  rejected: number
  /** offers and answers relayed between sockets of this process */
  relaysLocal: number
  /** ... sent to other processes of the cluster */
  relaysOut: number
  /** ... received from them and delivered here */
  relaysIn: number
}

export interface TrackerStats extends StoreCounts {
  /** announces per second over the last 10 s, by transport */
  announcesPerSecond: { http: number; udp: number; ws: number; total: number }
  /** open WebSocket connections */
  sockets: number
  /** client software by peer id prefix (Azureus style `-XX1234-`), most common first, top 20 */
  clients: { name: string; peers: number }[]
  memory: { rss: number; heapUsed: number; external: number }
  uptimeSeconds: number
  /** tracker processes whose figures are summed here (workers and instances of a cluster) */
  processes: number
  /** counters since start, summed over the processes */
  totals: CoreCounters
}

/** Counts events per second in a ring of 10 one-second slots. */
export class RateMeter {
  readonly #slots = new Float64Array(10)
  #second = 0

  constructor(private readonly now: () => number) {}

  mark(): void {
    this.#advance()
    this.#slots[this.#second % 10]!++
  }

  /** Mean per second over the last 9 whole seconds plus the current partial one. */
  perSecond(): number {
    this.#advance()
    let sum = 0
    for (let i = 0; i < 10; i++) sum += this.#slots[i]!
    return sum / (9 + (this.now() % 1000) / 1000)
  }

  #advance(): void {
    const s = Math.floor(this.now() / 1000)
    if (s === this.#second) return
    const gap = Math.min(s - this.#second, 10)
    for (let i = 1; i <= gap; i++) this.#slots[(this.#second + i) % 10] = 0
    this.#second = s
  }
}

/** `-TR3000-...` → `TR3000`; anything else → its first 8 bytes as printable text. */
export function clientName(peerId: string): string {
  const m = /^-([\x21-\x7e]{2,6})-/.exec(peerId)
  if (m) return m[1]!
  return peerId.slice(0, 8).replace(/[^\x20-\x7e]/g, '?')
}

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }
export const escapeHtml = (s: string): string => s.replace(/[&<>"']/g, (c) => ESCAPES[c]!)

const mib = (n: number): string => (n / 1048576).toFixed(1) + ' MiB'

export function renderStatsHtml(s: TrackerStats): string {
  const row = (k: string, v: string | number): string => `<tr><th>${escapeHtml(k)}</th><td>${escapeHtml(String(v))}</td></tr>`
  const clients = s.clients.map((c) => row(c.name, c.peers)).join('')
  return `<!doctype html>
<html><head><meta charset="utf-8"><title>swarmstream tracker</title>
<style>body{font:14px system-ui,sans-serif;margin:2em}table{border-collapse:collapse;margin-bottom:1.5em}th,td{padding:2px 12px;text-align:left}th{font-weight:600}</style>
</head><body><h1>swarmstream tracker</h1>
<table>${row('torrents', s.torrents)}${row('peers', s.seeders + s.leechers)}${row('seeders', s.seeders)}${row('leechers', s.leechers)}${row('WebSocket peers', s.ws)}${row('HTTP peers', s.http)}${row('UDP peers', s.udp)}${row('WebSocket connections', s.sockets)}</table>
<h2>Announces per second</h2><table>${row('total', s.announcesPerSecond.total.toFixed(1))}${row('HTTP', s.announcesPerSecond.http.toFixed(1))}${row('UDP', s.announcesPerSecond.udp.toFixed(1))}${row('WebSocket', s.announcesPerSecond.ws.toFixed(1))}</table>
<h2>Clients</h2><table>${clients}</table>
<h2>Memory</h2><table>${row('RSS', mib(s.memory.rss))}${row('heap used', mib(s.memory.heapUsed))}${row('external', mib(s.memory.external))}${row('uptime', `${Math.round(s.uptimeSeconds)} s`)}</table>
</body></html>
`
}

/** What another process of the cluster reported (see cluster/messages.ts OriginReport). */
interface Report {
  seeders: number; leechers: number; ws: number; http: number; udp: number; sockets: number
  perSecond: { http: number; udp: number; ws: number }
  totals: CoreCounters
  clients: { name: string; peers: number }[]
  memory: TrackerStats['memory']
}

/** This process's figures plus every other live process's last report. `own.torrents`
 * already counts the cluster's swarms: the local store mirrors them all. */
export function clusterStats(own: TrackerStats, reports: Iterable<Report>): TrackerStats {
  const s: TrackerStats = {
    ...own, announcesPerSecond: { ...own.announcesPerSecond }, totals: { ...own.totals }, memory: { ...own.memory },
  }
  const clients = new Map(own.clients.map((c) => [c.name, c.peers]))
  for (const r of reports) {
    s.seeders += r.seeders; s.leechers += r.leechers; s.ws += r.ws; s.http += r.http; s.udp += r.udp; s.sockets += r.sockets
    s.announcesPerSecond.http += r.perSecond.http; s.announcesPerSecond.udp += r.perSecond.udp; s.announcesPerSecond.ws += r.perSecond.ws
    for (const k of Object.keys(s.totals) as (keyof CoreCounters)[]) s.totals[k] += r.totals[k] ?? 0
    s.memory.rss += r.memory.rss; s.memory.heapUsed += r.memory.heapUsed; s.memory.external += r.memory.external
    for (const c of r.clients.slice(0, 20)) clients.set(c.name, (clients.get(c.name) ?? 0) + c.peers)
    s.processes++
  }
  const a = s.announcesPerSecond
  a.total = a.http + a.udp + a.ws
  s.clients = [...clients].sort((x, y) => y[1] - x[1]).slice(0, 20).map(([name, peers]) => ({ name, peers }))
  return s
}

/** Prometheus text exposition (version 0.0.4) of the cluster's figures. */
export function renderMetrics(s: TrackerStats, clusterConnected: boolean | undefined): string {
  const out: string[] = []
  const metric = (name: string, type: 'counter' | 'gauge', help: string, values: [string, number][]): void => {
    out.push(`# HELP swarmstream_tracker_${name} ${help}`, `# TYPE swarmstream_tracker_${name} ${type}`)
    for (const [labels, v] of values) out.push(`swarmstream_tracker_${name}${labels} ${Number.isFinite(v) ? v : 0}`)
  }
  const t = s.totals, a = s.announcesPerSecond
  metric('announces_total', 'counter', 'Announces accepted, by transport.', [['{transport="http"}', t.http], ['{transport="udp"}', t.udp], ['{transport="ws"}', t.ws]])
  metric('announces_per_second', 'gauge', 'Announces per second over the last 10 s, by transport.', [['{transport="http"}', a.http], ['{transport="udp"}', a.udp], ['{transport="ws"}', a.ws]])
  metric('peers', 'gauge', 'Peers in all swarms, by transport.', [['{kind="http"}', s.http], ['{kind="udp"}', s.udp], ['{kind="ws"}', s.ws]])
  metric('seeders', 'gauge', 'Peers with the whole torrent.', [['', s.seeders]])
  metric('leechers', 'gauge', 'Peers still downloading.', [['', s.leechers]])
  metric('swarms', 'gauge', 'Torrents with at least one peer.', [['', s.torrents]])
  metric('websocket_connections', 'gauge', 'Open WebSocket connections.', [['', s.sockets]])
  metric('relays_total', 'counter', 'WebRTC offers and answers relayed: between sockets of one process, sent to another process, received from one.',
    [['{scope="local"}', t.relaysLocal], ['{scope="out"}', t.relaysOut], ['{scope="in"}', t.relaysIn]])
  metric('errors_total', 'counter', 'Requests refused: malformed, over a limit, rate limited.', [['', t.rejected]])
  metric('processes', 'gauge', 'Tracker processes whose figures are summed here.', [['', s.processes]])
  metric('memory_bytes', 'gauge', 'Memory of those processes.', [['{type="rss"}', s.memory.rss], ['{type="heap_used"}', s.memory.heapUsed], ['{type="external"}', s.memory.external]])
  if (clusterConnected !== undefined) metric('cluster_connected', 'gauge', '1 while the link to the other processes (primary or Redis) is up.', [['', clusterConnected ? 1 : 0]])
  return out.join('\n') + '\n'
}
