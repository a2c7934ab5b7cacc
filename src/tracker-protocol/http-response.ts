/** HTTP tracker responses (BEP 3; compact lists BEP 23; `peers6` BEP 7; scrape BEP 48):
 * bencoded dictionaries, encoded by the server and decoded by clients. */
import {
  BencodeError, binaryBytes, decode, encode, getBytes, getDict, getInt, getText, isBytes, isDict,
  type BDict, type BValue, type Encodable,
} from '../bencode/index.js'
import type { PeerAddress } from '../transport/types.js'
import { decodeCompactPeers } from './compact-peers.js'
import { TrackerError } from './errors.js'
import { MAX_PEERS_PER_RESPONSE, type AnnounceAnswer, type AnnounceResult, type ScrapeCounts } from './types.js'

/** A response larger than this is refused: a real one is a few KiB. */
export const MAX_RESPONSE_BYTES = 4 * 1024 * 1024
const DECODE_LIMITS = { maxDepth: 8, maxStringLength: MAX_RESPONSE_BYTES, maxTokens: 100_000 }
const DEFAULT_INTERVAL_S = 1800

// ---- encoding (the server) ----

export function encodeFailure(reason: string): Uint8Array {
  return encode({ 'failure reason': reason })
}

/** `interval` in seconds; `min interval` is sent as min(interval, 60). */
export function encodeAnnounceResponse(a: AnnounceAnswer, interval: number, opts: { compact: boolean; noPeerId: boolean }): Uint8Array {
  if (opts.compact) return encodeCompactAnnounce(a, interval)
  return encode({
    interval,
    'min interval': Math.min(interval, 60),
    complete: a.complete,
    incomplete: a.incomplete,
    downloaded: a.downloaded,
    peers: a.peers.map((p) => {
      const d = new Map<string, Encodable>([['ip', p.ip], ['port', p.port]])
      if (!opts.noPeerId) d.set('peer id', binaryBytes(p.peerId))
      return d
    }),
  })
}

/** The hot path, written out by hand: keys in sorted order (BEP 3 canonical form), integers
 * as ASCII digits, compact peer strings copied in. Same bytes as `encode` would give. */
function encodeCompactAnnounce(a: AnnounceAnswer, interval: number): Uint8Array {
  let n4 = 0, n6 = 0
  for (const p of a.peers) {
    if (p.compact.length === 6) n4++
    else if (p.compact.length === 18) n6++
  }
  const minInterval = Math.min(interval, 60)
  const len = K_COMPLETE.length + digitCount(a.complete) + K_DOWNLOADED.length + digitCount(a.downloaded) +
    K_INCOMPLETE.length + digitCount(a.incomplete) + K_INTERVAL.length + digitCount(interval) +
    K_MIN_INTERVAL.length + digitCount(minInterval) + K_PEERS.length + digitCount(n4 * 6) + 1 + n4 * 6 +
    (n6 > 0 ? K_PEERS6.length + digitCount(n6 * 18) + 1 + n6 * 18 : 0) + 1
  const out = new Uint8Array(len)
  let off = put(out, 0, K_COMPLETE)
  off = putInt(out, off, a.complete)
  off = putInt(out, put(out, off, K_DOWNLOADED), a.downloaded)
  off = putInt(out, put(out, off, K_INCOMPLETE), a.incomplete)
  off = putInt(out, put(out, off, K_INTERVAL), interval)
  off = putInt(out, put(out, off, K_MIN_INTERVAL), minInterval)
  off = putInt(out, put(out, off, K_PEERS), n4 * 6)
  out[off++] = 0x3a // ':'
  // Byte loops: for 6-byte pieces they beat TypedArray#set's per-call overhead.
  for (const p of a.peers) {
    const c = p.compact
    if (c.length === 6) { out[off] = c[0]!; out[off + 1] = c[1]!; out[off + 2] = c[2]!; out[off + 3] = c[3]!; out[off + 4] = c[4]!; out[off + 5] = c[5]!; off += 6 }
  }
  if (n6 > 0) {
    off = putInt(out, put(out, off, K_PEERS6), n6 * 18)
    out[off++] = 0x3a
    for (const p of a.peers) if (p.compact.length === 18) { out.set(p.compact, off); off += 18 }
  }
  out[off] = 0x65 // 'e' closes the dictionary
  return out
}

const ascii = (s: string): Uint8Array => Uint8Array.from(s, (c) => c.charCodeAt(0))
// Each key carries the 'e' that closes the integer before it.
// (Marked pure so the browser bundle, which never encodes responses, drops them.)
const K_COMPLETE = /* @__PURE__ */ ascii('d8:completei'), K_DOWNLOADED = /* @__PURE__ */ ascii('e10:downloadedi')
const K_INCOMPLETE = /* @__PURE__ */ ascii('e10:incompletei'), K_INTERVAL = /* @__PURE__ */ ascii('e8:intervali')
const K_MIN_INTERVAL = /* @__PURE__ */ ascii('e12:min intervali'), K_PEERS = /* @__PURE__ */ ascii('e5:peers'), K_PEERS6 = /* @__PURE__ */ ascii('6:peers6')

function put(out: Uint8Array, off: number, b: Uint8Array): number {
  for (let i = 0; i < b.length; i++) out[off + i] = b[i]!
  return off + b.length
}

function digitCount(n: number): number {
  let d = 1
  while (n >= 10) { n = Math.floor(n / 10); d++ }
  return d
}

function putInt(out: Uint8Array, off: number, n: number): number {
  const d = digitCount(n)
  for (let i = d - 1; i >= 0; i--) { out[off + i] = 48 + (n % 10); n = Math.floor(n / 10) }
  return off + d
}

/** `files` keyed by the raw 20-byte info hash (BEP 48). */
export function encodeScrapeResponse(files: ReadonlyMap<string, ScrapeCounts>): Uint8Array {
  const out = new Map<string, Encodable>()
  for (const [hash, c] of files) {
    out.set(hash, { complete: c.complete, incomplete: c.incomplete, downloaded: c.downloaded })
  }
  return encode({ files: out })
}

// ---- decoding (clients) ----

/** Decodes a tracker body to a dict; `failure reason` (BEP 3) becomes a TrackerError, and so
 * does a body that is not bencode or an HTTP status other than 200 without a failure reason. */
export function decodeTrackerBody(status: number, body: Uint8Array): BDict {
  if (body.length > MAX_RESPONSE_BYTES) throw new TrackerError(`response too large (${body.length} bytes)`)
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

/** Intervals are seconds; keep them in a sane range whatever the tracker says (1 s .. 1 day). */
export const clampInterval = (s: number): number => Math.min(86_400, Math.max(1, Math.floor(s)))

const textDecoder = new TextDecoder('utf-8', { fatal: false })
const validPort = (n: number | undefined): n is number => n !== undefined && Number.isInteger(n) && n > 0 && n < 65536

/** BEP 3 non-compact list: `[{ ip, port, peer id? }, ...]`; odd entries are skipped. */
export function decodeDictPeers(list: BValue[], out: PeerAddress[] = []): PeerAddress[] {
  for (const entry of list) {
    if (out.length >= MAX_PEERS_PER_RESPONSE) break
    if (!isDict(entry)) continue
    const ip = getBytes(entry, 'ip')
    const port = getInt(entry, 'port')
    if (!ip || ip.length === 0 || ip.length > 255 || !validPort(port)) continue
    out.push({ host: textDecoder.decode(ip), port })
  }
  return out
}

export function decodeAnnounceResponse(d: BDict): AnnounceResult {
  const peers: PeerAddress[] = []
  const raw = d.get('peers')
  if (isBytes(raw)) decodeCompactPeers(raw, 4, peers)
  else if (Array.isArray(raw)) decodeDictPeers(raw, peers)
  else if (raw !== undefined) throw new TrackerError('peers has an unknown shape')
  const raw6 = getBytes(d, 'peers6')
  if (raw6) decodeCompactPeers(raw6, 6, peers)
  const result: AnnounceResult = { interval: clampInterval(count(d, 'interval') ?? DEFAULT_INTERVAL_S), peers }
  const minInterval = count(d, 'min interval')
  if (minInterval !== undefined) result.minInterval = clampInterval(minInterval)
  const complete = count(d, 'complete'); if (complete !== undefined) result.complete = complete
  const incomplete = count(d, 'incomplete'); if (incomplete !== undefined) result.incomplete = incomplete
  const trackerId = getText(d, 'tracker id'); if (trackerId !== undefined) result.trackerId = trackerId.slice(0, 256)
  const warning = getText(d, 'warning message'); if (warning !== undefined) result.warning = warning.slice(0, 1024)
  return result
}

const strictUtf8 = new TextDecoder('utf-8', { fatal: true })
const HEX40 = /^[0-9a-fA-F]{40}$/

/** A `files` key is the raw 20-byte info hash (BEP 48). Some trackers (bittorrent-tracker 11)
 * send it UTF-8 encoded as if each byte were a character, or as 40 hex digits; accept those.
 * Returns the 20-byte binary string, or undefined for a key we do not understand. */
function scrapeKey(key: string): string | undefined {
  if (key.length === 20) return key
  if (key.length === 40 && HEX40.test(key)) {
    let s = ''
    for (let i = 0; i < 40; i += 2) s += String.fromCharCode(parseInt(key.slice(i, i + 2), 16))
    return s
  }
  if (key.length > 40) return undefined
  try {
    const text = strictUtf8.decode(Uint8Array.from(key, (c) => c.charCodeAt(0)))
    if (text.length === 20 && Array.from(text).every((c) => c.charCodeAt(0) < 256)) return text
  } catch { /* not UTF-8: not a key we understand */ }
  return undefined
}

/** BEP 48 scrape: counts keyed by the 20-byte binary info hash; hashes the tracker did not
 * report are absent. */
export function decodeScrapeResponse(d: BDict): Map<string, ScrapeCounts> {
  const files = getDict(d, 'files')
  if (!files) throw new TrackerError('scrape response has no files dictionary')
  const out = new Map<string, ScrapeCounts>()
  for (const [key, value] of files) {
    const hash = scrapeKey(key)
    if (hash === undefined || !isDict(value)) continue
    out.set(hash, { complete: count(value, 'complete') ?? 0, incomplete: count(value, 'incomplete') ?? 0, downloaded: count(value, 'downloaded') ?? 0 })
  }
  return out
}
