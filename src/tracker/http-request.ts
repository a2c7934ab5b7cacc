import type { AnnounceEvent, AnnounceRequest } from './types.js'
import { TrackerRefusal } from './types.js'

/** Parses HTTP tracker query strings (BEP 3) into the common request shape. `info_hash` and
 * `peer_id` are raw bytes percent-encoded, so the query is decoded to bytes, never as UTF-8. */

export type Query = Map<string, string[]>

const MAX_QUERY_PARAMS = 200

function hexVal(c: number): number {
  if (c >= 48 && c <= 57) return c - 48
  if (c >= 65 && c <= 70) return c - 55
  if (c >= 97 && c <= 102) return c - 87
  return -1
}

/** Percent-decodes to a binary string (one char per byte). Throws on a broken escape. */
export function percentDecodeBinary(s: string): string {
  if (s.indexOf('%') < 0 && s.indexOf('+') < 0) return s
  let out = ''
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i)
    if (c === 37 /* % */) {
      const hi = hexVal(s.charCodeAt(i + 1)), lo = hexVal(s.charCodeAt(i + 2))
      if (hi < 0 || lo < 0) throw new TrackerRefusal('malformed query string')
      out += String.fromCharCode(hi * 16 + lo)
      i += 2
    } else if (c === 43 /* + */) {
      out += ' '
    } else {
      out += s[i]
    }
  }
  return out
}

/** Splits `a=1&b=2&b=3` into name → values (names and values decoded to binary strings). */
export function parseQuery(search: string): Query {
  const q: Query = new Map()
  if (search.startsWith('?')) search = search.slice(1)
  if (search === '') return q
  const pairs = search.split('&')
  if (pairs.length > MAX_QUERY_PARAMS) throw new TrackerRefusal('too many query parameters')
  for (const pair of pairs) {
    if (pair === '') continue
    const eq = pair.indexOf('=')
    const name = percentDecodeBinary(eq < 0 ? pair : pair.slice(0, eq))
    const value = eq < 0 ? '' : percentDecodeBinary(pair.slice(eq + 1))
    const list = q.get(name)
    if (list) list.push(value)
    else q.set(name, [value])
  }
  return q
}

function one(q: Query, name: string): string | undefined {
  return q.get(name)?.[0]
}

function id20(q: Query, name: string): string {
  const v = one(q, name)
  if (v === undefined) throw new TrackerRefusal(`missing ${name}`)
  if (v.length !== 20) throw new TrackerRefusal(`invalid ${name}: must be 20 bytes`)
  return v
}

function uint(q: Query, name: string, fallback: number | undefined): number {
  const v = one(q, name)
  if (v === undefined || v === '') {
    if (fallback === undefined) throw new TrackerRefusal(`missing ${name}`)
    return fallback
  }
  if (!/^\d{1,16}$/.test(v)) throw new TrackerRefusal(`invalid ${name}`)
  return Number(v)
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

/** `ip` is the connection's address: the `ip` query parameter is ignored, so a request cannot
 * point a swarm at a third party. */
export function parseHttpAnnounce(q: Query, ip: string, maxNumwant: number): HttpAnnounce {
  const port = uint(q, 'port', undefined)
  if (port < 1 || port > 65535) throw new TrackerRefusal('invalid port')
  const numwant = uint(q, 'numwant', 50)
  return {
    kind: 'http',
    infoHash: id20(q, 'info_hash'),
    peerId: id20(q, 'peer_id'),
    ip, port,
    uploaded: uint(q, 'uploaded', 0),
    downloaded: uint(q, 'downloaded', 0),
    left: uint(q, 'left', undefined),
    event: parseEvent(one(q, 'event')),
    numwant: Math.min(numwant, maxNumwant),
    compact: one(q, 'compact') !== '0',
    noPeerId: one(q, 'no_peer_id') === '1',
  }
}

/** All `info_hash` values of a scrape, each 20 bytes. An empty list (a "full scrape") is refused. */
export function parseHttpScrape(q: Query, maxHashes: number): string[] {
  const hashes = q.get('info_hash') ?? []
  if (hashes.length === 0) throw new TrackerRefusal('missing info_hash (full scrape is not offered)')
  if (hashes.length > maxHashes) throw new TrackerRefusal(`too many info_hash values (at most ${maxHashes})`)
  for (const h of hashes) if (h.length !== 20) throw new TrackerRefusal('invalid info_hash: must be 20 bytes')
  return hashes
}
