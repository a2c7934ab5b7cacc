import type { IncomingMessage, ServerResponse } from 'node:http'
import type { TrackerCore } from './tracker-core.js'
import { parseHttpAnnounce, parseHttpScrape, parseQuery } from './http-request.js'
import { encodeFailure, encodeHttpAnnounce, encodeHttpScrape } from './http-response.js'
import { renderStatsHtml, type TrackerStats } from './stats.js'
import { normalizeIp } from './compact.js'
import { TrackerRefusal } from './types.js'

/** HTTP tracker endpoints (BEP 3): /announce, /scrape, plus /stats and /stats.json.
 * Every failure is a bencoded `failure reason` with status 200, which is what clients parse. */

export interface HttpHandlerOptions {
  trustProxy: boolean
  stats: () => TrackerStats
}

/** The peer's address: the socket's, or with `trustProxy` the last X-Forwarded-For hop
 * (the one our own proxy appended; earlier hops are client-supplied and forgeable). */
export function requestIp(req: IncomingMessage, trustProxy: boolean): string {
  if (trustProxy) {
    const xff = req.headers['x-forwarded-for']
    const last = (Array.isArray(xff) ? xff.join(',') : xff ?? '').split(',').map((s) => s.trim()).filter(Boolean).pop()
    if (last) return normalizeIp(last)
  }
  return normalizeIp(req.socket.remoteAddress ?? '')
}

export function createHttpHandler<H>(core: TrackerCore<H>, opts: HttpHandlerOptions) {
  return function handle(req: IncomingMessage, res: ServerResponse): void {
    const url = req.url ?? '/'
    const q = url.indexOf('?')
    const path = q < 0 ? url : url.slice(0, q)
    const search = q < 0 ? '' : url.slice(q + 1)
    if (req.method !== 'GET' && req.method !== 'HEAD') return send(res, 405, 'text/plain', 'method not allowed')

    const isStats = path === '/stats' || path === '/stats.json'
    const isAnnounce = path === '/announce' || path.endsWith('/announce')
    const isScrape = path === '/scrape' || path.endsWith('/scrape')
    if (!isAnnounce && !isScrape && !isStats) return send(res, 404, 'text/plain', 'not found')

    const ip = requestIp(req, opts.trustProxy)
    if (!core.addressLimiter.allow(ip, core.now())) {
      core.reject('http', ip, 'rate limited')
      if (isStats) return send(res, 429, 'text/plain', 'rate limited')
      return sendBencode(res, encodeFailure('rate limited: slow down'))
    }
    if (isStats) {
      const s = opts.stats()
      if (path === '/stats.json') return send(res, 200, 'application/json', JSON.stringify(s))
      return send(res, 200, 'text/html; charset=utf-8', renderStatsHtml(s))
    }
    try {
      const query = parseQuery(search)
      if (isAnnounce) {
        const ann = parseHttpAnnounce(query, ip, core.limits.maxNumwant)
        const result = core.announceClassic(ann)
        sendBencode(res, encodeHttpAnnounce(result, core.interval, ann))
      } else {
        const hashes = parseHttpScrape(query, core.limits.maxScrapeHashes)
        sendBencode(res, encodeHttpScrape(core.scrape('http', hashes)))
      }
    } catch (err) {
      if (!(err instanceof TrackerRefusal)) throw err
      core.reject('http', ip, err.message)
      sendBencode(res, encodeFailure(err.message))
    }
  }
}

function sendBencode(res: ServerResponse, body: Uint8Array): void {
  res.writeHead(200, { 'Content-Type': 'text/plain', 'Content-Length': body.length })
  res.end(body)
}

function send(res: ServerResponse, status: number, type: string, body: string): void {
  const bytes = Buffer.from(body)
  res.writeHead(status, {
    'Content-Type': type, 'Content-Length': bytes.length,
    'X-Content-Type-Options': 'nosniff', 'Content-Security-Policy': "default-src 'none'; style-src 'unsafe-inline'",
  })
  res.end(bytes)
}
