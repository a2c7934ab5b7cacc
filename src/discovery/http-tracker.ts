/** HTTP(S) tracker client: announce (BEP 3, compact peers BEP 23, peers6 BEP 7) and
 * scrape (BEP 48). Platform-neutral: uses the global `fetch`; the wire format is
 * ../tracker-protocol's. */
import { toHex } from '../util/bytes.js'
import {
  MAX_RESPONSE_BYTES, decodeAnnounceResponse, decodeScrapeResponse, decodeTrackerBody, encodeAnnounceQuery,
  encodeScrapeQuery, fromBinaryString, toBinaryString, withQuery,
} from '../tracker-protocol/index.js'
import { FetchError, fetchLimited } from './safe-fetch.js'
import { TrackerError, toAnnounce, type AnnounceParams, type AnnounceResult, type RequestOptions, type ScrapeCounts } from './tracker-types.js'

export { MAX_RESPONSE_BYTES }
const DEFAULT_TIMEOUT_MS = 15_000

/** GETs a tracker URL under the rules of safe-fetch.ts (same-host redirects only, no
 * userinfo, capped size, bounded time); every failure is a TrackerError. */
async function fetchCapped(url: string, opts: RequestOptions): Promise<{ status: number; body: Uint8Array }> {
  try {
    return await fetchLimited(url, { maxBytes: MAX_RESPONSE_BYTES, timeoutMs: opts.timeoutMs ?? DEFAULT_TIMEOUT_MS, signal: opts.signal })
  } catch (err) {
    throw err instanceof FetchError ? new TrackerError(err.message === 'timed out' ? 'tracker timed out' : err.message) : err
  }
}

export async function announceHttp(url: string, p: AnnounceParams, opts: RequestOptions = {}): Promise<AnnounceResult> {
  const { status, body } = await fetchCapped(withQuery(url, encodeAnnounceQuery(toAnnounce(p))), opts)
  return decodeAnnounceResponse(decodeTrackerBody(status, body))
}

/** BEP 48 scrape. Results are keyed by lowercase hex info hash; hashes the tracker did not
 * report are absent from the map. */
export async function scrapeHttp(url: string, infoHashes: Uint8Array[], opts: RequestOptions = {}): Promise<Map<string, ScrapeCounts>> {
  const query = encodeScrapeQuery(infoHashes.map(toBinaryString))
  const { status, body } = await fetchCapped(query ? withQuery(url, query) : url, opts)
  const out = new Map<string, ScrapeCounts>()
  for (const [hash, counts] of decodeScrapeResponse(decodeTrackerBody(status, body))) out.set(toHex(fromBinaryString(hash)), counts)
  return out
}
