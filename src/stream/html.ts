/** The server's index pages. Every name comes from torrent metadata, which anyone can write:
 * each is escaped for HTML, and each link is built from ids and percent-encoded names only. */

export interface IndexFile { index: number; name: string; path: string; length: number; progress: number; url: string }
export interface IndexTorrent { infoHash: string; name: string; ready: boolean; progress: number; peers: number; url: string; files: IndexFile[] }

export function escapeHtml(s: string): string {
  return s.replace(/[&<>"'`]/g, (c) => `&#${c.charCodeAt(0)};`)
}

const style = 'body{font:14px system-ui,sans-serif;margin:2em}td{padding:2px 10px}h2{margin-top:1.5em}'

export function renderIndex(torrents: IndexTorrent[]): string {
  const body = torrents.length === 0 ? '<p>No torrents.</p>' : torrents.map(renderTorrent).join('\n')
  return page('swarmstream', body)
}

export function renderTorrent(t: IndexTorrent): string {
  const head = `<h2><a href="${escapeHtml(t.url)}">${escapeHtml(t.name)}</a></h2>\n<p>${pct(t.progress)} · ${t.peers} peers · ${escapeHtml(t.infoHash)}</p>`
  if (!t.ready) return `${head}\n<p>Waiting for metadata…</p>`
  const rows = t.files.map((f) =>
    `<tr><td><a href="${escapeHtml(f.url)}">${escapeHtml(f.path)}</a></td><td>${size(f.length)}</td><td>${pct(f.progress)}</td></tr>`)
  return `${head}\n<table>\n${rows.join('\n')}\n</table>`
}

export function page(title: string, body: string): string {
  return `<!doctype html>\n<html><head><meta charset="utf-8"><title>${escapeHtml(title)}</title><style>${style}</style></head>\n<body>\n${body}\n</body></html>\n`
}

function pct(p: number): string { return `${(p * 100).toFixed(1)}%` }
function size(n: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB']
  let i = 0
  while (n >= 1024 && i < units.length - 1) { n /= 1024; i++ }
  return `${n.toFixed(i === 0 ? 0 : 1)} ${units[i]}`
}
