import { binaryString } from '../bencode/index.js'
import type { AnnounceEvent, AnnounceResult, ScrapeCounts } from './types.js'
import { TrackerRefusal } from './types.js'

/** UDP tracker packets (BEP 15). All integers are big-endian. */

/** BEP 15 magic for connect: 0x41727101980, checked as two 32-bit halves. */
export const ACTION_CONNECT = 0, ACTION_ANNOUNCE = 1, ACTION_SCRAPE = 2, ACTION_ERROR = 3
const EVENTS: readonly AnnounceEvent[] = ['none', 'completed', 'started', 'stopped']

export type UdpRequest =
  | { action: 'connect'; transactionId: number }
  | {
    action: 'announce'; transactionId: number; connectionId: Uint8Array
    infoHash: string; peerId: string; downloaded: number; left: number; uploaded: number
    event: AnnounceEvent; numwant: number; port: number
  }
  | { action: 'scrape'; transactionId: number; connectionId: Uint8Array; infoHashes: string[] }

/** Reads bytes [start, end) as a binary string; Node passes Buffer#latin1Slice-backed one. */
export type Latin1Reader = (msg: Uint8Array, start: number, end: number) => string
const readLatin1: Latin1Reader = (msg, start, end) => binaryString(msg.subarray(start, end))

/** Parses one datagram. Returns undefined for packets too short to carry a transaction id
 * (nothing sensible to answer); throws UdpRefusal (with the transaction id) otherwise. */
export function parseUdpRequest(msg: Uint8Array, maxScrapeHashes: number, latin1: Latin1Reader = readLatin1): UdpRequest | undefined {
  if (msg.length < 16) return undefined
  const action = u32(msg, 8)
  const transactionId = u32(msg, 12)
  if (action === ACTION_CONNECT) {
    if (u32(msg, 0) !== 0x417 || u32(msg, 4) !== 0x27101980) throw new UdpRefusal('bad protocol id', transactionId)
    return { action: 'connect', transactionId }
  }
  const connectionId = msg.subarray(0, 8)
  if (action === ACTION_ANNOUNCE) {
    // 98 bytes; BEP 41 options may follow and are ignored.
    if (msg.length < 98) throw new UdpRefusal('announce too short', transactionId)
    const ev = EVENTS[u32(msg, 80)]
    if (ev === undefined) throw new UdpRefusal('invalid event', transactionId)
    const numwant = u32(msg, 92) | 0
    return {
      action: 'announce', transactionId, connectionId,
      infoHash: latin1(msg, 16, 36),
      peerId: latin1(msg, 36, 56),
      downloaded: u64(msg, 56),
      left: u64(msg, 64),
      uploaded: u64(msg, 72),
      event: ev,
      // -1 (or any negative) means "default"
      numwant: numwant < 0 ? 50 : numwant,
      port: (msg[96]! << 8) | msg[97]!,
    }
  }
  if (action === ACTION_SCRAPE) {
    const n = (msg.length - 16) / 20
    if (!Number.isInteger(n) || n < 1) throw new UdpRefusal('scrape needs whole 20-byte info hashes', transactionId)
    if (n > maxScrapeHashes) throw new UdpRefusal(`too many info hashes (at most ${maxScrapeHashes})`, transactionId)
    const infoHashes: string[] = []
    for (let i = 0; i < n; i++) infoHashes.push(latin1(msg, 16 + i * 20, 36 + i * 20))
    return { action: 'scrape', transactionId, connectionId, infoHashes }
  }
  throw new UdpRefusal('unknown action', transactionId)
}

const u32 = (b: Uint8Array, o: number): number => ((b[o]! << 24) | (b[o + 1]! << 16) | (b[o + 2]! << 8) | b[o + 3]!) >>> 0
/** 64-bit counters, saturated at 2^53 - 1. */
function u64(b: Uint8Array, o: number): number {
  const v = u32(b, o) * 2 ** 32 + u32(b, o + 4)
  return v > Number.MAX_SAFE_INTEGER ? Number.MAX_SAFE_INTEGER : v
}

export class UdpRefusal extends TrackerRefusal {
  constructor(message: string, readonly transactionId: number) { super(message) }
}


export function encodeConnect(transactionId: number, connectionId: Uint8Array): Uint8Array {
  const out = new Uint8Array(16)
  const v = new DataView(out.buffer)
  v.setUint32(0, ACTION_CONNECT); v.setUint32(4, transactionId)
  out.set(connectionId.subarray(0, 8), 8)
  return out
}

/** `addrLength` 6 for an IPv4 client, 18 for IPv6: BEP 15 lets the address family decide. */
export function encodeUdpAnnounce(
  transactionId: number, interval: number, result: AnnounceResult, addrLength: 6 | 18,
): Uint8Array {
  let n = 0
  for (const p of result.peers) if (p.compact.length === addrLength) n++
  const out = new Uint8Array(20 + n * addrLength)
  put32(out, 0, ACTION_ANNOUNCE); put32(out, 4, transactionId); put32(out, 8, interval)
  put32(out, 12, clamp32(result.incomplete)); put32(out, 16, clamp32(result.complete))
  let off = 20
  for (const p of result.peers) {
    const c = p.compact
    if (c.length !== addrLength) continue
    for (let i = 0; i < addrLength; i++) out[off + i] = c[i]!
    off += addrLength
  }
  return out
}

function put32(b: Uint8Array, o: number, v: number): void {
  b[o] = v >>> 24; b[o + 1] = (v >>> 16) & 0xff; b[o + 2] = (v >>> 8) & 0xff; b[o + 3] = v & 0xff
}

export function encodeUdpScrape(transactionId: number, counts: readonly ScrapeCounts[]): Uint8Array {
  const out = new Uint8Array(8 + counts.length * 12)
  const v = new DataView(out.buffer)
  v.setUint32(0, ACTION_SCRAPE); v.setUint32(4, transactionId)
  counts.forEach((c, i) => {
    v.setUint32(8 + i * 12, clamp32(c.complete))
    v.setUint32(12 + i * 12, clamp32(c.downloaded))
    v.setUint32(16 + i * 12, clamp32(c.incomplete))
  })
  return out
}

export function encodeUdpError(transactionId: number, message: string): Uint8Array {
  const text = new TextEncoder().encode(message)
  const out = new Uint8Array(8 + text.length)
  const v = new DataView(out.buffer)
  v.setUint32(0, ACTION_ERROR); v.setUint32(4, transactionId)
  out.set(text, 8)
  return out
}

const clamp32 = (n: number): number => Math.max(0, Math.min(n, 0xffffffff))
