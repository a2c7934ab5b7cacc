/** HTTP(S) tracker client: announce (BEP 3, compact peers BEP 23, peers6 BEP 7) and
 * scrape (BEP 48). Platform-neutral: uses the global `fetch`; the wire format is
 * ../tracker-protocol's. */
import { toHex } from '../util/bytes.js'
import {
  MAX_RESPONSE_BYTES, decodeAnnounceResponse, decodeScrapeResponse, decodeTrackerBody, encodeAnnounceQuery,
  encodeScrapeQuery, fromBinaryString, toBinaryString, withQuery,
} from '../tracker-protocol/index.js'
import { TrackerError, toAnnounce, type AnnounceParams, type AnnounceResult, type RequestOptions, type ScrapeCounts } from './tracker-types.js'

export { MAX_RESPONSE_BYTES }
const DEFAULT_TIMEOUT_MS = 15_000

/** GETs `url` and returns the body, refusing bodies over MAX_RESPONSE_BYTES and giving up
 * after `timeoutMs` or when `signal` aborts. Network errors become TrackerError. */
async function fetchCapped(url: string, opts: RequestOptions): Promise<{ status: number; body: Uint8Array }> {
  const ctrl = new AbortController()
  const onAbort = (): void => ctrl.abort()
  if (opts.signal?.aborted) throw new TrackerError('aborted')
  opts.signal?.addEventListener('abort', onAbort, { once: true })
  const timer = setTimeout(() => ctrl.abort(), opts.timeoutMs ?? DEFAULT_TIMEOUT_MS)
  try {
    const res = await fetch(url, { signal: ctrl.signal, headers: { 'accept-encoding': 'identity' } })
    const declared = Number(res.headers.get('content-length') ?? NaN)
    if (declared > MAX_RESPONSE_BYTES) {
      await res.body?.cancel().catch(() => undefined)
      throw new TrackerError(`response too large (${declared} bytes)`)
    }
    const chunks: Uint8Array[] = []
    let total = 0
    const reader = res.body?.getReader()
    while (reader) {
      const { done, value } = await reader.read()
      if (done) break
      total += value.length
      if (total > MAX_RESPONSE_BYTES) {
        await reader.cancel().catch(() => undefined)
        throw new TrackerError('response too large')
      }
      chunks.push(value)
    }
    const body = new Uint8Array(total)
    let off = 0
    for (const c of chunks) { body.set(c, off); off += c.length }
    return { status: res.status, body }
  } catch (err) {
    if (err instanceof TrackerError) throw err
    if (ctrl.signal.aborted) throw new TrackerError(opts.signal?.aborted ? 'aborted' : 'tracker timed out')
    throw new TrackerError(`tracker unreachable: ${err instanceof Error ? err.message : String(err)}`)
  } finally {
    clearTimeout(timer)
    opts.signal?.removeEventListener('abort', onAbort)
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
