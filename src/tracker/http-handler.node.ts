import type { LeanRequest, LeanResponse } from './http-server.node.js'
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
export function requestIp(
  req: { headers: Record<string, string | string[] | undefined>; socket: { remoteAddress?: string | undefined } }, trustProxy: boolean,
): string {
  if (trustProxy) {
    const xff = req.headers['x-forwarded-for']
    const last = (Array.isArray(xff) ? xff.join(',') : xff ?? '').split(',').map((s) => s.trim()).filter(Boolean).pop()
    if (last) return normalizeIp(last)
  }
  return normalizeIp(req.socket.remoteAddress ?? '')
}

export function createHttpHandler<H>(core: TrackerCore<H>, opts: HttpHandlerOptions) {
  return function handle(req: LeanRequest): LeanResponse {
    const url = req.url
    const q = url.indexOf('?')
    const path = q < 0 ? url : url.slice(0, q)
    const search = q < 0 ? '' : url.slice(q + 1)
    if (req.method !== 'GET' && req.method !== 'HEAD') return text(405, 'method not allowed')

    const isStats = path === '/stats' || path === '/stats.json'
    const isAnnounce = path === '/announce' || path.endsWith('/announce')
    const isScrape = path === '/scrape' || path.endsWith('/scrape')
    if (!isAnnounce && !isScrape && !isStats) return text(404, 'not found')

    const ip = requestIp(req, opts.trustProxy)
    if (!core.addressLimiter.allow(ip, core.now())) {
      core.reject('http', ip, 'rate limited')
      if (isStats) return text(429, 'rate limited')
      return bencoded(encodeFailure('rate limited: slow down'))
    }
    if (isStats) {
      const s = opts.stats()
      if (path === '/stats.json') return page('application/json', JSON.stringify(s))
      return page('text/html; charset=utf-8', renderStatsHtml(s))
    }
    try {
      if (isAnnounce) {
        const ann = parseHttpAnnounce(search, ip, core.limits.maxNumwant)
        const result = core.announceClassic(ann)
        return bencoded(encodeHttpAnnounce(result, core.interval, ann))
      }
      const hashes = parseHttpScrape(parseQuery(search), core.limits.maxScrapeHashes)
      return bencoded(encodeHttpScrape(core.scrape('http', hashes)))
    } catch (err) {
      if (!(err instanceof TrackerRefusal)) throw err
      core.reject('http', ip, err.message)
      return bencoded(encodeFailure(err.message))
    }
  }
}

const bencoded = (body: Uint8Array): LeanResponse => ({ status: 200, type: 'text/plain', body })
const text = (status: number, body: string): LeanResponse => ({ status, type: 'text/plain', body })
const page = (type: string, body: string): LeanResponse => ({
  status: 200, type, body,
  headers: { 'X-Content-Type-Options': 'nosniff', 'Content-Security-Policy': "default-src 'none'; style-src 'unsafe-inline'" },
})
