import type { StoreCounts } from './swarm-store.js'

/** The numbers behind `/stats` and `/stats.json`, and their HTML rendering. Everything that
 * came from a client (peer id prefixes naming client software) is escaped before rendering. */

export interface TrackerStats extends StoreCounts {
  /** announces per second over the last 10 s, by transport */
  announcesPerSecond: { http: number; udp: number; ws: number; total: number }
  /** open WebSocket connections */
  sockets: number
  /** client software by peer id prefix (Azureus style `-XX1234-`), most common first, top 20 */
  clients: { name: string; peers: number }[]
  memory: { rss: number; heapUsed: number; external: number }
  uptimeSeconds: number
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
