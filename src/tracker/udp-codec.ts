import { binaryString } from '../bencode/index.js'
import type { AnnounceEvent, AnnounceResult, ScrapeCounts } from './types.js'
import { TrackerRefusal } from './types.js'

/** UDP tracker packets (BEP 15). All integers are big-endian. */

export const PROTOCOL_ID = 0x41727101980n
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

/** Parses one datagram. Returns undefined for packets too short to carry a transaction id
 * (nothing sensible to answer); throws TrackerRefusal (with the transaction id) otherwise. */
export function parseUdpRequest(msg: Uint8Array, maxScrapeHashes: number): UdpRequest | undefined {
  if (msg.length < 16) return undefined
  const v = new DataView(msg.buffer, msg.byteOffset, msg.byteLength)
  const action = v.getUint32(8)
  const transactionId = v.getUint32(12)
  const connectionId = msg.subarray(0, 8)
  const fail = (reason: string): never => { throw new UdpRefusal(reason, transactionId) }
  if (action === ACTION_CONNECT) {
    if (v.getBigUint64(0) !== PROTOCOL_ID) fail('bad protocol id')
    return { action: 'connect', transactionId }
  }
  if (action === ACTION_ANNOUNCE) {
    // 98 bytes; BEP 41 options may follow and are ignored.
    if (msg.length < 98) fail('announce too short')
    const ev = EVENTS[v.getUint32(80)]
    if (ev === undefined) fail('invalid event')
    const numwant = v.getInt32(92)
    return {
      action: 'announce', transactionId, connectionId,
      infoHash: binaryString(msg.subarray(16, 36)),
      peerId: binaryString(msg.subarray(36, 56)),
      downloaded: safe(v.getBigUint64(56)),
      left: safe(v.getBigUint64(64)),
      uploaded: safe(v.getBigUint64(72)),
      event: ev!,
      // -1 (or any negative) means "default"
      numwant: numwant < 0 ? 50 : numwant,
      port: v.getUint16(96),
    }
  }
  if (action === ACTION_SCRAPE) {
    const n = (msg.length - 16) / 20
    if (!Number.isInteger(n) || n < 1) fail('scrape needs whole 20-byte info hashes')
    if (n > maxScrapeHashes) fail(`too many info hashes (at most ${maxScrapeHashes})`)
    const infoHashes: string[] = []
    for (let i = 0; i < n; i++) infoHashes.push(binaryString(msg.subarray(16 + i * 20, 36 + i * 20)))
    return { action: 'scrape', transactionId, connectionId, infoHashes }
  }
  return fail('unknown action')
}

export class UdpRefusal extends TrackerRefusal {
  constructor(message: string, readonly transactionId: number) { super(message) }
}

function safe(n: bigint): number {
  return n > BigInt(Number.MAX_SAFE_INTEGER) ? Number.MAX_SAFE_INTEGER : Number(n)
}

export function encodeConnect(transactionId: number, connectionId: Uint8Array): Uint8Array {
  const out = new Uint8Array(16)
  const v = new DataView(out.buffer)
  v.setUint32(0, ACTION_CONNECT); v.setUint32(4, transactionId)
  out.set(connectionId.subarray(0, 8), 8)
  return out
}

/** `addrLength` 6 for an IPv4 socket, 18 for IPv6: BEP 15 lets the socket's family decide. */
export function encodeUdpAnnounce(
  transactionId: number, interval: number, result: AnnounceResult, addrLength: 6 | 18,
): Uint8Array {
  const peers = result.peers.filter((p) => p.compact.length === addrLength)
  const out = new Uint8Array(20 + peers.length * addrLength)
  const v = new DataView(out.buffer)
  v.setUint32(0, ACTION_ANNOUNCE); v.setUint32(4, transactionId); v.setUint32(8, interval)
  v.setUint32(12, clamp32(result.incomplete)); v.setUint32(16, clamp32(result.complete))
  let off = 20
  for (const p of peers) { out.set(p.compact, off); off += addrLength }
  return out
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
