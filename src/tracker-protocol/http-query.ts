/** HTTP tracker requests (BEP 3 announce, BEP 48 scrape): the query string, built by clients
 * and parsed by the server. `info_hash` and `peer_id` are raw bytes percent-encoded, so the
 * query is decoded to binary strings (one char per byte), never as UTF-8. */
import { TrackerError } from './errors.js'
import type { Announce, AnnounceEvent } from './types.js'

/** An announce as the query carries it, with the two HTTP-only flags. */
export interface HttpAnnounce extends Announce {
  /** BEP 23: the client accepts the compact peer list (default true) */
  compact: boolean
  /** BEP 3: leave peer ids out of a non-compact list */
  noPeerId: boolean
}

export type Query = Map<string, string[]>

const MAX_QUERY_PARAMS = 200

// ---- encoding (clients) ----

const HEX_UPPER = Array.from({ length: 256 }, (_, i) => '%' + i.toString(16).toUpperCase().padStart(2, '0'))
const isUnreserved = (c: number): boolean => (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) ||
  (c >= 0x61 && c <= 0x7a) || c === 0x2d || c === 0x2e || c === 0x5f || c === 0x7e

/** Percent-encodes raw bytes one by one (BEP 3): RFC 3986 unreserved characters stay,
 * everything else becomes %XX. */
export function percentEncodeBytes(b: Uint8Array): string {
  let s = ''
  for (let i = 0; i < b.length; i++) s += isUnreserved(b[i]!) ? String.fromCharCode(b[i]!) : HEX_UPPER[b[i]!]
  return s
}

/** The same for a binary string (chars above 0xff are refused: they are not bytes). */
export function percentEncodeBinary(s: string): string {
  let out = ''
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i)
    if (c > 0xff) throw new TrackerError('not a binary string')
    out += isUnreserved(c) ? s[i] : HEX_UPPER[c]
  }
  return out
}

const nonNegInt = (n: number): string => String(Math.max(0, Math.floor(Number.isFinite(n) ? n : 0)))

/** Appends a query to a URL that may already carry one (private trackers' passkeys). */
export function withQuery(url: string, query: string): string {
  const hash = url.indexOf('#')
  const base = hash >= 0 ? url.slice(0, hash) : url
  return base + (base.includes('?') ? '&' : '?') + query
}

/** The announce query; the client always asks for compact peers. */
export function encodeAnnounceQuery(a: Announce): string {
  if (a.infoHash.length !== 20 || a.peerId.length !== 20) throw new TrackerError('announce needs a 20-byte info hash and peer id')
  const q = [
    `info_hash=${percentEncodeBinary(a.infoHash)}`,
    `peer_id=${percentEncodeBinary(a.peerId)}`,
    `port=${nonNegInt(a.port)}`,
    `uploaded=${nonNegInt(a.uploaded)}`,
    `downloaded=${nonNegInt(a.downloaded)}`,
    `left=${nonNegInt(a.left)}`,
    'compact=1',
  ]
  if (a.event !== 'none') q.push(`event=${a.event}`)
  if (a.numwant !== undefined) q.push(`numwant=${nonNegInt(a.numwant)}`)
  if (a.key !== undefined) q.push(`key=${(a.key >>> 0).toString(16).padStart(8, '0')}`)
  if (a.trackerId !== undefined) q.push(`trackerid=${encodeURIComponent(a.trackerId)}`)
  return q.join('&')
}

export function encodeScrapeQuery(infoHashes: readonly string[]): string {
  return infoHashes.map((h) => `info_hash=${percentEncodeBinary(h)}`).join('&')
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

// ---- decoding (the server) ----

// Value of each ASCII hex digit, -1 for anything else (index by char code; >= 128 is never hex).
function hexTable(): Int8Array {
  const t = new Int8Array(128).fill(-1)
  for (let i = 0; i < 10; i++) t[48 + i] = i
  for (let i = 0; i < 6; i++) { t[65 + i] = 10 + i; t[97 + i] = 10 + i }
  return t
}
// (Marked pure so the browser bundle, which never decodes queries, drops it.)
const HEX_VALUE = /* @__PURE__ */ hexTable()
const hexVal = (c: number): number => (c < 128 ? HEX_VALUE[c]! : -1)

const codes = /* @__PURE__ */ new Array<number>(64)

/** Percent-decodes `s[from, to)` to a binary string (one char per byte). Throws on a broken
 * escape. Collects char codes and builds the string once (hot path: every announce). */
function decodeRange(s: string, from: number, to: number): string {
  let n = 0, plain = true
  for (let i = from; i < to; i++) {
    const c = s.charCodeAt(i)
    if (c === 37 /* % */) {
      const hi = hexVal(s.charCodeAt(i + 1)), lo = hexVal(s.charCodeAt(i + 2))
      if (hi < 0 || lo < 0 || i + 2 >= to) throw new TrackerError('malformed query string')
      codes[n++] = hi * 16 + lo
      i += 2
      plain = false
    } else if (c === 43 /* + */) {
      codes[n++] = 32
      plain = false
    } else {
      codes[n++] = c
    }
  }
  if (plain) return s.slice(from, to)
  if (n <= 64) return String.fromCharCode.apply(null, codes.slice(0, n))
  let out = ''
  for (let i = 0; i < n; i++) out += String.fromCharCode(codes[i]!)
  return out
}

export function percentDecodeBinary(s: string): string {
  return decodeRange(s, 0, s.length)
}

/** Calls `pair` for each `name=value` of a query string with the index ranges of the name
 * `[start, eq)` and the value `[valueStart, end)`, refusing more than MAX_QUERY_PARAMS. */
function forEachPair(search: string, pair: (start: number, eq: number, valueStart: number, end: number) => void): void {
  let start = search.startsWith('?') ? 1 : 0
  let pairs = 0
  while (start < search.length) {
    let amp = search.indexOf('&', start)
    if (amp < 0) amp = search.length
    if (amp > start) {
      if (++pairs > MAX_QUERY_PARAMS) throw new TrackerError('too many query parameters')
      let eq = search.indexOf('=', start)
      if (eq < 0 || eq > amp) eq = amp
      pair(start, eq, Math.min(eq + 1, amp), amp)
    }
    start = amp + 1
  }
}

/** Splits `a=1&b=2&b=3` into name → values (names and values decoded to binary strings). */
export function parseQuery(search: string): Query {
  const q: Query = new Map()
  forEachPair(search, (start, eq, from, amp) => {
    const name = decodeRange(search, start, eq)
    const value = decodeRange(search, from, amp)
    const list = q.get(name)
    if (list) list.push(value)
    else q.set(name, [value])
  })
  return q
}

export function parseEvent(v: string | undefined): AnnounceEvent {
  if (v === undefined || v === '' || v === 'empty' || v === 'paused') return 'none'
  if (v === 'started' || v === 'completed' || v === 'stopped') return v
  throw new TrackerError('invalid event')
}

/** Parses an announce query in one pass without building a parameter map: a tracker runs
 * this for every announce. Unknown parameters are skipped (their escapes still checked); the
 * first of a repeated one counts. The `ip` parameter is not read: a request must not point a
 * swarm at a third party, so the server takes the connection's address. */
export function decodeAnnounceQuery(search: string): HttpAnnounce {
  let infoHash: string | undefined, peerId: string | undefined, event: string | undefined, trackerId: string | undefined
  let port = -1, uploaded = -1, downloaded = -1, left = -1, numwant = -1, key = -1
  let compact = true, noPeerId = false
  forEachPair(search, (start, eq, from, amp) => {
    switch (search.slice(start, eq)) {
      case 'info_hash': infoHash ??= decodeRange(search, from, amp); break
      case 'peer_id': peerId ??= decodeRange(search, from, amp); break
      case 'port': if (port < 0) port = digits(search, from, amp, 'port'); break
      case 'uploaded': if (uploaded < 0) uploaded = digits(search, from, amp, 'uploaded'); break
      case 'downloaded': if (downloaded < 0) downloaded = digits(search, from, amp, 'downloaded'); break
      case 'left': if (left < 0) left = digits(search, from, amp, 'left'); break
      case 'numwant': if (numwant < 0) numwant = digits(search, from, amp, 'numwant'); break
      case 'event': event ??= decodeRange(search, from, amp); break
      case 'compact': compact = search.slice(from, amp) !== '0'; break
      case 'no_peer_id': noPeerId = search.slice(from, amp) === '1'; break
      // `key` is free text to many clients: read as hex when it is (ours and most), else ignored.
      case 'key': if (key < 0) key = hexKey(decodeRange(search, from, amp)); break
      case 'trackerid': trackerId ??= decodeRange(search, from, amp); break
      default: decodeRange(search, start, amp) // still refuse broken escapes anywhere
    }
  })
  if (infoHash === undefined) throw new TrackerError('missing info_hash')
  if (infoHash.length !== 20) throw new TrackerError('invalid info_hash: must be 20 bytes')
  if (peerId === undefined) throw new TrackerError('missing peer_id')
  if (peerId.length !== 20) throw new TrackerError('invalid peer_id: must be 20 bytes')
  if (port < 0) throw new TrackerError('missing port')
  if (port < 1 || port > 65535) throw new TrackerError('invalid port')
  if (left < 0) throw new TrackerError('missing left')
  // One object shape whatever the query holds (absent fields are undefined).
  return {
    infoHash, peerId, port,
    uploaded: Math.max(uploaded, 0), downloaded: Math.max(downloaded, 0), left,
    event: parseEvent(event),
    numwant: numwant >= 0 ? numwant : undefined,
    key: key >= 0 ? key : undefined,
    trackerId,
    compact, noPeerId,
  }
}

const hexKey = (s: string): number => (/^[0-9a-fA-F]{1,8}$/.test(s) ? parseInt(s, 16) : -1)

/** A decimal of 1–16 digits in `s[from, to)`; an empty value counts as absent (-1). */
function digits(s: string, from: number, to: number, name: string): number {
  if (from === to) return -1
  if (to - from > 16) throw new TrackerError(`invalid ${name}`)
  let n = 0
  for (let i = from; i < to; i++) {
    const c = s.charCodeAt(i) - 48
    if (c < 0 || c > 9) throw new TrackerError(`invalid ${name}`)
    n = n * 10 + c
  }
  return n
}

/** All `info_hash` values of a scrape, each 20 bytes. An empty list (a "full scrape") is refused. */
export function decodeScrapeQuery(search: string, maxHashes: number): string[] {
  const hashes = parseQuery(search).get('info_hash') ?? []
  if (hashes.length === 0) throw new TrackerError('missing info_hash (full scrape is not offered)')
  if (hashes.length > maxHashes) throw new TrackerError(`too many info_hash values (at most ${maxHashes})`)
  for (const h of hashes) if (h.length !== 20) throw new TrackerError('invalid info_hash: must be 20 bytes')
  return hashes
}
