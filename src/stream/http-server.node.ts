/** The HTTP range server: each file of each added torrent at a stable URL
 * (`/<infohash>/<file index>/<name>`), answered from file streams so players can seek.
 *
 * Safe by default: binds 127.0.0.1; answers only requests whose Host names us (a web page
 * on a DNS-rebound name gets 403); escapes every rendered name; sends no CORS headers unless
 * given an origin; and resolves paths to ids (info hash, file index) only, never to disk. */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import { isIP } from 'node:net'
import type { Torrent } from '../torrent/torrent.js'
import type { TorrentFile } from '../torrent/files.js'
import { parseRange } from './range.js'
import { contentTypeOf } from '../util/mime.js'
import { page, renderIndex, renderTorrent, type IndexTorrent } from './html.js'

export interface StreamServerOptions {
  /** default 0: any free port */
  port?: number
  /** default 127.0.0.1 (this machine only) */
  host?: string
  /** an origin allowed to read responses cross-origin (`Access-Control-Allow-Origin`) */
  cors?: string
  /** more Host names to answer to (e.g. a LAN name when bound to 0.0.0.0) */
  allowedHosts?: string[]
  /** how long a file request waits for a magnet link's metadata (default 60 s) */
  metadataTimeoutMs?: number
  /** bytes fetched at high priority ahead of each reader (default 8 MiB; more for high
   * bitrates, less to fetch little beyond what players read) */
  readahead?: number
}

/** What the server serves: a Client fits. */
export interface TorrentSource {
  readonly torrents: readonly Torrent[]
  /** by info hash (hex) */
  get(infoHash: string): Torrent | null | undefined
}

const HTML_HEADERS = {
  'Content-Type': 'text/html; charset=utf-8',
  'Content-Security-Policy': "default-src 'none'; style-src 'unsafe-inline'",
}

export class StreamServer {
  readonly server: Server
  readonly #opts: Required<Omit<StreamServerOptions, 'cors'>> & { cors: string | undefined }
  #port = 0

  constructor(readonly source: TorrentSource, opts: StreamServerOptions = {}) {
    this.#opts = { port: 0, host: '127.0.0.1', allowedHosts: [], metadataTimeoutMs: 60_000, readahead: 8 * 1024 * 1024, cors: undefined, ...opts }
    this.server = createServer((req, res) => { this.#handle(req, res).catch((err: Error) => fail(res, 500, err.message)) })
  }

  get port(): number { return this.#port }

  /** http://host:port, with a loopback address when bound to all interfaces */
  get origin(): string {
    const h = this.#opts.host
    const host = h === '0.0.0.0' ? '127.0.0.1' : h === '::' ? '[::1]' : isIP(h) === 6 ? `[${h}]` : h
    return `http://${host}:${this.#port}`
  }

  async listen(): Promise<{ port: number; origin: string }> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject)
      this.server.listen(this.#opts.port, this.#opts.host, () => { this.server.off('error', reject); resolve() })
    })
    const a = this.server.address()
    this.#port = typeof a === 'object' && a ? a.port : 0
    return { port: this.#port, origin: this.origin }
  }

  /** The stable URL of a torrent's page, or of one of its files. */
  urlOf(torrent: Torrent, file?: TorrentFile): string {
    const base = `${this.origin}/${torrent.infoHashHex}`
    return file ? `${base}/${file.index}/${encodeURIComponent(file.name)}` : `${base}/`
  }

  async close(): Promise<void> {
    await new Promise<void>((resolve) => {
      this.server.close(() => resolve())
      this.server.closeAllConnections()
    })
  }

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    res.setHeader('X-Content-Type-Options', 'nosniff')
    res.setHeader('Referrer-Policy', 'no-referrer')
    if (!this.#hostAllowed(req.headers.host)) { fail(res, 403, 'forbidden: unknown Host'); return }
    if (this.#opts.cors) {
      res.setHeader('Access-Control-Allow-Origin', this.#opts.cors)
      res.setHeader('Access-Control-Expose-Headers', 'Content-Range, Content-Length, Accept-Ranges')
      res.setHeader('Vary', 'Origin')
    }
    if (req.method === 'OPTIONS' && this.#opts.cors) {
      res.writeHead(204, { 'Access-Control-Allow-Methods': 'GET, HEAD', 'Access-Control-Allow-Headers': 'Range' }).end()
      return
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') { res.setHeader('Allow', 'GET, HEAD'); fail(res, 405, 'method not allowed'); return }
    const path = (req.url ?? '/').split('?')[0]!
    if (path === '/') { send(res, req, 200, HTML_HEADERS, renderIndex(this.#describeAll())); return }
    if (path === '/index.json') { send(res, req, 200, { 'Content-Type': 'application/json' }, JSON.stringify(this.#describeAll(), null, 2)); return }
    const m = /^\/([0-9a-fA-F]{40})(?:\/(?:(\d{1,9})(?:\/[^/]*)?)?)?$/.exec(path)
    const torrent = m ? this.source.get(m[1]!.toLowerCase()) ?? undefined : undefined
    if (!m || !torrent) { fail(res, 404, 'not found'); return }
    if (m[2] === undefined) {
      const t = this.#describe(torrent)
      send(res, req, 200, HTML_HEADERS, page(t.name, renderTorrent(t)))
      return
    }
    await this.#serveFile(req, res, torrent, Number(m[2]))
  }

  async #serveFile(req: IncomingMessage, res: ServerResponse, torrent: Torrent, index: number): Promise<void> {
    if (!torrent.ready && !(await this.#untilReady(torrent, req))) {
      if (!res.destroyed) fail(res, 504, 'the torrent\'s metadata did not arrive in time')
      return
    }
    const file = torrent.files[index]
    if (!file || file.padding) { fail(res, 404, 'no such file'); return }
    const size = file.length
    const headers: Record<string, string | number> = {
      'Content-Type': contentTypeOf(file.name),
      'Accept-Ranges': 'bytes',
      'Content-Disposition': `inline; filename*=UTF-8''${encodeURIComponent(file.name)}`,
    }
    const range = parseRange(req.headers.range, size)
    if (range.kind === 'unsatisfiable') {
      res.writeHead(416, { ...headers, 'Content-Range': `bytes */${size}`, 'Content-Type': 'text/plain; charset=utf-8' })
      res.end('range not satisfiable\n')
      return
    }
    const { start, end } = range.kind === 'partial' ? range : { start: 0, end: size - 1 }
    if (range.kind === 'partial') headers['Content-Range'] = `bytes ${start}-${end}/${size}`
    headers['Content-Length'] = end - start + 1
    res.writeHead(range.kind === 'partial' ? 206 : 200, headers)
    if (req.method === 'HEAD' || size === 0) { res.end(); return }
    const stream = file.createReadStream({ start, end, readahead: this.#opts.readahead })
    stream.on('error', () => res.destroy())
    res.on('close', () => stream.destroy())
    stream.pipe(res)
  }

  #untilReady(torrent: Torrent, req: IncomingMessage): Promise<boolean> {
    return new Promise((resolve) => {
      const done = (ok: boolean) => {
        clearTimeout(timer)
        torrent.off('ready', onReady); torrent.off('close', onClose); req.off('close', onClose)
        resolve(ok)
      }
      const onReady = () => done(true)
      const onClose = () => done(false)
      const timer = setTimeout(onClose, this.#opts.metadataTimeoutMs)
      torrent.on('ready', onReady); torrent.on('close', onClose); req.on('close', onClose)
    })
  }

  /** DNS rebinding defence: a page on evil.example that re-points its name at 127.0.0.1
   * still sends `Host: evil.example`. IP literals and localhost cannot be rebound. */
  #hostAllowed(header: string | undefined): boolean {
    if (!header) return false
    const m = /^(\[[0-9a-fA-F:.]+\]|[^:]+)(?::(\d+))?$/.exec(header.trim())
    if (!m) return false
    const name = m[1]!.toLowerCase()
    const bare = name.startsWith('[') ? name.slice(1, -1) : name
    const bound = this.#opts.host.toLowerCase()
    if (name === 'localhost' || bare === '127.0.0.1' || bare === '::1' || bare === bound) return true
    if (this.#opts.allowedHosts.some((h) => h.toLowerCase() === name)) return true
    return (bound === '0.0.0.0' || bound === '::') && isIP(bare) !== 0
  }

  #describeAll(): IndexTorrent[] {
    return this.source.torrents.filter((t) => t.infoHash !== '').map((t) => this.#describe(t))
  }

  #describe(t: Torrent): IndexTorrent {
    return {
      infoHash: t.infoHashHex, name: t.name, ready: t.ready, progress: t.progress, peers: t.numPeers, url: this.urlOf(t),
      files: t.files.filter((f) => !f.padding).map((f) => ({
        index: f.index, name: f.name, path: f.path, length: f.length, progress: f.progress, url: this.urlOf(t, f),
      })),
    }
  }
}

export function createStreamServer(source: TorrentSource, opts?: StreamServerOptions): StreamServer {
  return new StreamServer(source, opts)
}

function send(res: ServerResponse, req: IncomingMessage, status: number, headers: Record<string, string>, body: string): void {
  const bytes = Buffer.from(body)
  res.writeHead(status, { ...headers, 'Content-Length': bytes.length })
  res.end(req.method === 'HEAD' ? undefined : bytes)
}

function fail(res: ServerResponse, status: number, message: string): void {
  if (res.headersSent) { res.destroy(); return }
  res.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8' }).end(`${message}\n`)
}
