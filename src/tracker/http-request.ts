import type { AnnounceEvent, AnnounceRequest } from './types.js'
import { TrackerRefusal } from './types.js'

/** Parses HTTP tracker query strings (BEP 3) into the common request shape. `info_hash` and
 * `peer_id` are raw bytes percent-encoded, so the query is decoded to bytes, never as UTF-8. */

export type Query = Map<string, string[]>

const MAX_QUERY_PARAMS = 200

// Value of each ASCII hex digit, -1 for anything else (index by char code; >= 128 is never hex).
const HEX_VALUE = new Int8Array(128).fill(-1)
for (let i = 0; i < 10; i++) HEX_VALUE[48 + i] = i
for (let i = 0; i < 6; i++) { HEX_VALUE[65 + i] = 10 + i; HEX_VALUE[97 + i] = 10 + i }
const hexVal = (c: number): number => (c < 128 ? HEX_VALUE[c]! : -1)

const codes = new Array<number>(64)

/** Percent-decodes `s[from, to)` to a binary string (one char per byte). Throws on a broken
 * escape. Collects char codes and builds the string once (hot path: every announce). */
function decodeRange(s: string, from: number, to: number): string {
  let n = 0, plain = true
  for (let i = from; i < to; i++) {
    const c = s.charCodeAt(i)
    if (c === 37 /* % */) {
      const hi = hexVal(s.charCodeAt(i + 1)), lo = hexVal(s.charCodeAt(i + 2))
      if (hi < 0 || lo < 0 || i + 2 >= to) throw new TrackerRefusal('malformed query string')
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
      if (++pairs > MAX_QUERY_PARAMS) throw new TrackerRefusal('too many query parameters')
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
  throw new TrackerRefusal('invalid event')
}

export interface HttpAnnounce extends AnnounceRequest {
  compact: boolean
  noPeerId: boolean
}

/** Parses an announce query in one pass without building a parameter map: this runs for
 * every announce. Unknown parameters are skipped; the first of a repeated one counts. `ip` is
 * the connection's address: the `ip` parameter is ignored, so a request cannot point a swarm
 * at a third party. */
export function parseHttpAnnounce(search: string, ip: string, maxNumwant: number): HttpAnnounce {
  let infoHash: string | undefined, peerId: string | undefined, event: string | undefined
  let port = -1, uploaded = -1, downloaded = -1, left = -1, numwant = -1
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
      default: decodeRange(search, start, amp) // still refuse broken escapes anywhere
    }
  })
  if (infoHash === undefined) throw new TrackerRefusal('missing info_hash')
  if (infoHash.length !== 20) throw new TrackerRefusal('invalid info_hash: must be 20 bytes')
  if (peerId === undefined) throw new TrackerRefusal('missing peer_id')
  if (peerId.length !== 20) throw new TrackerRefusal('invalid peer_id: must be 20 bytes')
  if (port < 0) throw new TrackerRefusal('missing port')
  if (port < 1 || port > 65535) throw new TrackerRefusal('invalid port')
  if (left < 0) throw new TrackerRefusal('missing left')
  return {
    kind: 'http', infoHash, peerId, ip, port,
    uploaded: Math.max(uploaded, 0), downloaded: Math.max(downloaded, 0), left,
    event: parseEvent(event),
    numwant: Math.min(numwant < 0 ? 50 : numwant, maxNumwant),
    compact, noPeerId,
  }
}

/** A decimal of 1–16 digits in `s[from, to)`; an empty value counts as absent (-1). */
function digits(s: string, from: number, to: number, name: string): number {
  if (from === to) return -1
  if (to - from > 16) throw new TrackerRefusal(`invalid ${name}`)
  let n = 0
  for (let i = from; i < to; i++) {
    const c = s.charCodeAt(i) - 48
    if (c < 0 || c > 9) throw new TrackerRefusal(`invalid ${name}`)
    n = n * 10 + c
  }
  return n
}

/** All `info_hash` values of a scrape, each 20 bytes. An empty list (a "full scrape") is refused. */
export function parseHttpScrape(q: Query, maxHashes: number): string[] {
  const hashes = q.get('info_hash') ?? []
  if (hashes.length === 0) throw new TrackerRefusal('missing info_hash (full scrape is not offered)')
  if (hashes.length > maxHashes) throw new TrackerRefusal(`too many info_hash values (at most ${maxHashes})`)
  for (const h of hashes) if (h.length !== 20) throw new TrackerRefusal('invalid info_hash: must be 20 bytes')
  return hashes
}
