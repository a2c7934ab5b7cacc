/** HTTP(S) tracker client: announce (BEP 3, compact peers BEP 23, peers6 BEP 7) and
 * scrape (BEP 48). Platform-neutral: uses the global `fetch`. */
import { BencodeError, decode, getBytes, getDict, getInt, getText, isBytes, isDict, type BDict } from '../bencode/index.js'
import { parseCompactPeers, parseDictPeers } from './compact-peers.js'
import { TrackerError, type AnnounceParams, type AnnounceResult, type PeerAddress, type RequestOptions, type ScrapeResult } from './tracker-types.js'

/** A tracker response larger than this is refused: a real one is a few KiB. */
export const MAX_RESPONSE_BYTES = 4 * 1024 * 1024
const DEFAULT_TIMEOUT_MS = 15_000
const DECODE_LIMITS = { maxDepth: 8, maxStringLength: MAX_RESPONSE_BYTES, maxTokens: 100_000 }
const DEFAULT_INTERVAL_S = 1800

const HEX_UPPER = Array.from({ length: 256 }, (_, i) => '%' + i.toString(16).toUpperCase().padStart(2, '0'))

/** Percent-encodes raw bytes one by one (info_hash, peer_id are binary, not text, BEP 3):
 * RFC 3986 unreserved characters stay, everything else becomes %XX. */
export function percentEncodeBytes(b: Uint8Array): string {
  let s = ''
  for (let i = 0; i < b.length; i++) {
    const c = b[i]!
    const unreserved = (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a) ||
      c === 0x2d || c === 0x2e || c === 0x5f || c === 0x7e
    s += unreserved ? String.fromCharCode(c) : HEX_UPPER[c]
  }
  return s
}

function withQuery(url: string, query: string): string {
  const hash = url.indexOf('#')
  const base = hash >= 0 ? url.slice(0, hash) : url
  return base + (base.includes('?') ? '&' : '?') + query
}

const nonNegInt = (n: number): string => String(Math.max(0, Math.floor(Number.isFinite(n) ? n : 0)))

export function announceQuery(p: AnnounceParams): string {
  const q = [
    `info_hash=${percentEncodeBytes(p.infoHash)}`,
    `peer_id=${percentEncodeBytes(p.peerId)}`,
    `port=${nonNegInt(p.port)}`,
    `uploaded=${nonNegInt(p.uploaded)}`,
    `downloaded=${nonNegInt(p.downloaded)}`,
    `left=${nonNegInt(p.left)}`,
    'compact=1',
  ]
  if (p.event !== 'update') q.push(`event=${p.event}`)
  if (p.numwant !== undefined) q.push(`numwant=${nonNegInt(p.numwant)}`)
  if (p.key !== undefined) q.push(`key=${(p.key >>> 0).toString(16).padStart(8, '0')}`)
  if (p.trackerId !== undefined) q.push(`trackerid=${encodeURIComponent(p.trackerId)}`)
  return q.join('&')
}

/** BEP 48: scrape lives where the last path segment starts with "announce"; otherwise the
 * tracker has no (guessable) scrape URL. */
export function scrapeUrlFor(announceUrl: string): string | undefined {
  const q = announceUrl.search(/[?#]/)
  const path = q >= 0 ? announceUrl.slice(0, q) : announceUrl
  const rest = q >= 0 ? announceUrl.slice(q) : ''
  const slash = path.lastIndexOf('/')
  if (slash < 0 || !path.slice(slash + 1).startsWith('announce')) return undefined
  return path.slice(0, slash + 1) + 'scrape' + path.slice(slash + 1 + 'announce'.length) + rest
}

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

/** Decodes a tracker body to a dict; `failure reason` (BEP 3) becomes a TrackerError. */
function decodeResponse(status: number, body: Uint8Array): BDict {
  let value
  try {
    value = decode(body, DECODE_LIMITS)
  } catch (err) {
    if (status !== 200) throw new TrackerError(`HTTP ${status}`)
    throw new TrackerError(`malformed tracker response: ${err instanceof BencodeError ? err.message : String(err)}`)
  }
  if (!isDict(value)) throw new TrackerError('tracker response is not a dictionary')
  const failure = getText(value, 'failure reason')
  if (failure !== undefined) throw new TrackerError(failure.slice(0, 1024))
  if (status !== 200) throw new TrackerError(`HTTP ${status}`)
  return value
}

const count = (d: BDict, key: string): number | undefined => {
  const n = getInt(d, key)
  return n !== undefined && n >= 0 ? n : undefined
}

export function parseAnnounceResponse(d: BDict): AnnounceResult {
  const peers: PeerAddress[] = []
  const raw = d.get('peers')
  if (isBytes(raw)) parseCompactPeers(raw, 4, peers)
  else if (Array.isArray(raw)) parseDictPeers(raw, peers)
  else if (raw !== undefined) throw new TrackerError('peers has an unknown shape')
  const raw6 = getBytes(d, 'peers6')
  if (raw6) parseCompactPeers(raw6, 6, peers)
  const result: AnnounceResult = { interval: clampInterval(count(d, 'interval') ?? DEFAULT_INTERVAL_S), peers }
  const minInterval = count(d, 'min interval')
  if (minInterval !== undefined) result.minInterval = clampInterval(minInterval)
  const complete = count(d, 'complete'); if (complete !== undefined) result.complete = complete
  const incomplete = count(d, 'incomplete'); if (incomplete !== undefined) result.incomplete = incomplete
  const trackerId = getText(d, 'tracker id'); if (trackerId !== undefined) result.trackerId = trackerId.slice(0, 256)
  const warning = getText(d, 'warning message'); if (warning !== undefined) result.warning = warning.slice(0, 1024)
  return result
}

/** Intervals are seconds; keep them in a sane range whatever the tracker says (1 s .. 1 day). */
export const clampInterval = (s: number): number => Math.min(86_400, Math.max(1, Math.floor(s)))

export async function announceHttp(url: string, p: AnnounceParams, opts: RequestOptions = {}): Promise<AnnounceResult> {
  const { status, body } = await fetchCapped(withQuery(url, announceQuery(p)), opts)
  return parseAnnounceResponse(decodeResponse(status, body))
}

const strictUtf8 = new TextDecoder('utf-8', { fatal: true })

/** A `files` key is the raw 20-byte info hash (BEP 48). Some trackers (bittorrent-tracker 11)
 * send it UTF-8 encoded as if each byte were a character, or as 40 hex digits; accept those. */
function scrapeKeyHex(key: string): string | undefined {
  const hexOf = (s: string): string => Array.from(s, (c) => c.charCodeAt(0).toString(16).padStart(2, '0')).join('')
  if (key.length === 20) return hexOf(key)
  if (key.length === 40 && /^[0-9a-fA-F]{40}$/.test(key)) return key.toLowerCase()
  if (key.length > 40) return undefined
  try {
    const text = strictUtf8.decode(Uint8Array.from(key, (c) => c.charCodeAt(0)))
    if (text.length === 20 && Array.from(text).every((c) => c.charCodeAt(0) < 256)) return hexOf(text)
  } catch { /* not UTF-8: not a key we understand */ }
  return undefined
}

/** BEP 48 scrape. Results are keyed by lowercase hex info hash; hashes the tracker did not
 * report are absent from the map. */
export async function scrapeHttp(url: string, infoHashes: Uint8Array[], opts: RequestOptions = {}): Promise<Map<string, ScrapeResult>> {
  const query = infoHashes.map((h) => `info_hash=${percentEncodeBytes(h)}`).join('&')
  const { status, body } = await fetchCapped(query ? withQuery(url, query) : url, opts)
  const files = getDict(decodeResponse(status, body), 'files')
  if (!files) throw new TrackerError('scrape response has no files dictionary')
  const out = new Map<string, ScrapeResult>()
  for (const [key, value] of files) {
    const hex = scrapeKeyHex(key)
    if (hex === undefined || !isDict(value)) continue
    out.set(hex, { complete: count(value, 'complete') ?? 0, incomplete: count(value, 'incomplete') ?? 0, downloaded: count(value, 'downloaded') ?? 0 })
  }
  return out
}

