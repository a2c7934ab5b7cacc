import type { LeanRequest, LeanResponse } from './http-server.node.js'
import type { TrackerCore } from './tracker-core.js'
import {
  TrackerError, decodeAnnounceQuery, decodeScrapeQuery, encodeAnnounceResponse, encodeFailure, encodeScrapeResponse, normalizeIp,
} from '../tracker-protocol/index.js'
import { renderMetrics, renderStatsHtml, type TrackerStats } from './stats.js'
import type { AnnounceRequest } from './types.js'

/** HTTP tracker endpoints (BEP 3): /announce, /scrape, plus /stats and /stats.json.
 * Every failure is a bencoded `failure reason` with status 200, which is what clients parse. */

export interface HttpHandlerOptions {
  trustProxy: boolean
  stats: () => TrackerStats
  /** undefined outside a cluster */
  clusterConnected?: () => boolean | undefined
}

/** numwant when the client names none (BEP 3 suggests 50). */
const DEFAULT_NUMWANT = 50

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

    const isStats = path === '/stats' || path === '/stats.json' || path === '/metrics'
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
      if (path === '/metrics') return page('text/plain; version=0.0.4; charset=utf-8', renderMetrics(s, opts.clusterConnected?.()))
      return page('text/html; charset=utf-8', renderStatsHtml(s))
    }
    try {
      if (isAnnounce) {
        const a = decodeAnnounceQuery(search)
        // The connection's address, never a parameter: a request must not point a swarm at a third party.
        const ann: AnnounceRequest = {
          kind: 'http', infoHash: a.infoHash, peerId: a.peerId, ip, port: a.port,
          uploaded: a.uploaded, downloaded: a.downloaded, left: a.left, event: a.event,
          numwant: Math.min(a.numwant ?? DEFAULT_NUMWANT, core.limits.maxNumwant),
        }
        return bencoded(encodeAnnounceResponse(core.announceClassic(ann), core.interval, a))
      }
      const hashes = decodeScrapeQuery(search, core.limits.maxScrapeHashes)
      return bencoded(encodeScrapeResponse(core.scrape('http', hashes)))
    } catch (err) {
      if (!(err instanceof TrackerError)) throw err
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
