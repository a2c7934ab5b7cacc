/** BEP 15 UDP tracker packets: pure encoders/decoders over Uint8Array. */
import { parseCompactPeers } from './compact-peers.js'
import { TrackerError, type AnnounceEvent, type AnnounceParams, type AnnounceResult, type ScrapeResult } from './tracker-types.js'

export const ACTION_CONNECT = 0
export const ACTION_ANNOUNCE = 1
export const ACTION_SCRAPE = 2
export const ACTION_ERROR = 3
/** BEP 15 allows about 74 info hashes per scrape packet. */
export const MAX_SCRAPE_HASHES = 74

const PROTOCOL_ID = 0x41727101980n
const EVENT_IDS: Record<AnnounceEvent, number> = { update: 0, completed: 1, started: 2, stopped: 3 }

const u64 = (n: number): bigint => BigInt(Math.max(0, Math.floor(Number.isFinite(n) ? n : 0)))

export function encodeConnect(txn: number): Uint8Array {
  const b = new Uint8Array(16)
  const v = new DataView(b.buffer)
  v.setBigUint64(0, PROTOCOL_ID)
  v.setUint32(8, ACTION_CONNECT)
  v.setUint32(12, txn)
  return b
}

export function encodeAnnounce(connectionId: Uint8Array, txn: number, p: AnnounceParams): Uint8Array {
  if (p.infoHash.length !== 20 || p.peerId.length !== 20) throw new TrackerError('UDP announce needs a 20-byte info hash and peer id')
  const b = new Uint8Array(98)
  const v = new DataView(b.buffer)
  b.set(connectionId, 0)
  v.setUint32(8, ACTION_ANNOUNCE)
  v.setUint32(12, txn)
  b.set(p.infoHash, 16)
  b.set(p.peerId, 36)
  v.setBigUint64(56, u64(p.downloaded))
  v.setBigUint64(64, u64(p.left))
  v.setBigUint64(72, u64(p.uploaded))
  v.setUint32(80, EVENT_IDS[p.event])
  v.setUint32(84, 0) // IP: 0 = use the sender's address
  v.setUint32(88, (p.key ?? 0) >>> 0)
  v.setInt32(92, p.numwant === undefined ? -1 : Math.max(0, Math.min(0x7fffffff, Math.floor(p.numwant))))
  v.setUint16(96, p.port & 0xffff)
  return b
}

export function encodeScrape(connectionId: Uint8Array, txn: number, infoHashes: Uint8Array[]): Uint8Array {
  if (infoHashes.length > MAX_SCRAPE_HASHES) throw new TrackerError(`at most ${MAX_SCRAPE_HASHES} info hashes per UDP scrape`)
  const b = new Uint8Array(16 + 20 * infoHashes.length)
  const v = new DataView(b.buffer)
  b.set(connectionId, 0)
  v.setUint32(8, ACTION_SCRAPE)
  v.setUint32(12, txn)
  infoHashes.forEach((h, i) => {
    if (h.length !== 20) throw new TrackerError('info hash must be 20 bytes')
    b.set(h, 16 + 20 * i)
  })
  return b
}

/** The 8-byte header every response starts with; undefined for runts. */
export function readHeader(b: Uint8Array): { action: number; txn: number } | undefined {
  if (b.length < 8) return undefined
  const v = new DataView(b.buffer, b.byteOffset, b.byteLength)
  return { action: v.getUint32(0), txn: v.getUint32(4) }
}

export function decodeConnect(b: Uint8Array): Uint8Array {
  if (b.length < 16) throw new TrackerError('short UDP connect response')
  return b.slice(8, 16)
}

/** Peers are 6-byte IPv4 entries: we only speak to trackers over IPv4 sockets (BEP 15). */
export function decodeAnnounce(b: Uint8Array): AnnounceResult {
  if (b.length < 20) throw new TrackerError('short UDP announce response')
  const v = new DataView(b.buffer, b.byteOffset, b.byteLength)
  const peerBytes = b.subarray(20)
  // A trailing partial entry is truncation on the wire; keep the whole entries before it.
  const whole = peerBytes.subarray(0, peerBytes.length - (peerBytes.length % 6))
  return {
    interval: Math.min(86_400, Math.max(1, v.getUint32(8))),
    incomplete: v.getUint32(12),
    complete: v.getUint32(16),
    peers: parseCompactPeers(whole, 4),
  }
}

export function decodeScrape(b: Uint8Array, infoHashes: Uint8Array[], hex: (h: Uint8Array) => string): Map<string, ScrapeResult> {
  const v = new DataView(b.buffer, b.byteOffset, b.byteLength)
  const out = new Map<string, ScrapeResult>()
  for (let i = 0; i < infoHashes.length; i++) {
    const off = 8 + 12 * i
    if (off + 12 > b.length) break
    out.set(hex(infoHashes[i]!), { complete: v.getUint32(off), downloaded: v.getUint32(off + 4), incomplete: v.getUint32(off + 8) })
  }
  return out
}

export function decodeError(b: Uint8Array): TrackerError {
  const msg = new TextDecoder('utf-8', { fatal: false }).decode(b.subarray(8, 8 + 1024))
  return new TrackerError(msg || 'tracker error')
}
