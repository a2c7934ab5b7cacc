/** UDP tracker responses (BEP 15): built by the server, parsed by clients. Every response
 * starts with action and transaction id; action 3 carries an error message. */
import { clampU32, readU32, writeU32 } from './binary.js'
import { decodeCompactPeers } from './compact-peers.js'
import { TrackerError } from './errors.js'
import { ACTION_ANNOUNCE, ACTION_CONNECT, ACTION_ERROR, ACTION_SCRAPE } from './udp-request.js'
import type { AnnounceResult, CompactPeer, ScrapeCounts } from './types.js'

/** Longest error text read from a tracker. */
const MAX_ERROR_BYTES = 1024

// ---- encoding (the server) ----

export function encodeUdpConnectResponse(transactionId: number, connectionId: Uint8Array): Uint8Array {
  const out = new Uint8Array(16)
  writeU32(out, 0, ACTION_CONNECT); writeU32(out, 4, transactionId)
  out.set(connectionId.subarray(0, 8), 8)
  return out
}

/** `addrLength` 6 for an IPv4 client, 18 for IPv6: BEP 15 lets the address family decide, so
 * peers of the other family are left out. */
export function encodeUdpAnnounceResponse(
  transactionId: number, interval: number, a: { complete: number; incomplete: number; peers: readonly CompactPeer[] }, addrLength: 6 | 18,
): Uint8Array {
  let n = 0
  for (const p of a.peers) if (p.compact.length === addrLength) n++
  const out = new Uint8Array(20 + n * addrLength)
  writeU32(out, 0, ACTION_ANNOUNCE); writeU32(out, 4, transactionId); writeU32(out, 8, clampU32(interval))
  writeU32(out, 12, clampU32(a.incomplete)); writeU32(out, 16, clampU32(a.complete))
  let off = 20
  for (const p of a.peers) {
    const c = p.compact
    if (c.length !== addrLength) continue
    for (let i = 0; i < addrLength; i++) out[off + i] = c[i]!
    off += addrLength
  }
  return out
}

/** Counts in the order of the request's info hashes. */
export function encodeUdpScrapeResponse(transactionId: number, counts: readonly ScrapeCounts[]): Uint8Array {
  const out = new Uint8Array(8 + counts.length * 12)
  writeU32(out, 0, ACTION_SCRAPE); writeU32(out, 4, transactionId)
  counts.forEach((c, i) => {
    writeU32(out, 8 + i * 12, clampU32(c.complete))
    writeU32(out, 12 + i * 12, clampU32(c.downloaded))
    writeU32(out, 16 + i * 12, clampU32(c.incomplete))
  })
  return out
}

const utf8 = /* @__PURE__ */ new TextEncoder()

export function encodeUdpErrorResponse(transactionId: number, message: string): Uint8Array {
  const text = utf8.encode(message).subarray(0, MAX_ERROR_BYTES)
  const out = new Uint8Array(8 + text.length)
  writeU32(out, 0, ACTION_ERROR); writeU32(out, 4, transactionId)
  out.set(text, 8)
  return out
}

// ---- decoding (clients) ----

/** The 8-byte header every response starts with; undefined for runts. */
export function readUdpHeader(b: Uint8Array): { action: number; transactionId: number } | undefined {
  if (b.length < 8) return undefined
  return { action: readU32(b, 0), transactionId: readU32(b, 4) }
}

/** The connection id (8 bytes, copied). */
export function decodeUdpConnectResponse(b: Uint8Array): Uint8Array {
  if (b.length < 16) throw new TrackerError('short UDP connect response')
  return b.slice(8, 16)
}

/** `family` is the tracker socket's: 6-byte peers over IPv4, 18-byte ones over IPv6 (BEP 15).
 * A trailing partial entry is truncation on the wire; the whole entries before it count. */
export function decodeUdpAnnounceResponse(b: Uint8Array, family: 4 | 6 = 4): AnnounceResult {
  if (b.length < 20) throw new TrackerError('short UDP announce response')
  const size = family === 4 ? 6 : 18
  const peerBytes = b.subarray(20)
  const whole = peerBytes.subarray(0, peerBytes.length - (peerBytes.length % size))
  return {
    interval: Math.min(86_400, Math.max(1, readU32(b, 8))),
    incomplete: readU32(b, 12),
    complete: readU32(b, 16),
    peers: decodeCompactPeers(whole, family),
  }
}

/** Counts in request order; a response cut short yields fewer entries than were asked for. */
export function decodeUdpScrapeResponse(b: Uint8Array, asked: number): ScrapeCounts[] {
  const out: ScrapeCounts[] = []
  for (let i = 0; i < asked; i++) {
    const off = 8 + 12 * i
    if (off + 12 > b.length) break
    out.push({ complete: readU32(b, off), downloaded: readU32(b, off + 4), incomplete: readU32(b, off + 8) })
  }
  return out
}

const lenientUtf8 = /* @__PURE__ */ new TextDecoder('utf-8', { fatal: false })

export function decodeUdpErrorResponse(b: Uint8Array): TrackerError {
  const msg = lenientUtf8.decode(b.subarray(8, 8 + MAX_ERROR_BYTES))
  return new TrackerError(msg || 'tracker error')
}
