/** UDP tracker requests (BEP 15): connect, announce, scrape. Built by clients, parsed by the
 * server. All integers are big-endian. */
import { putBinary, readU32, readU64, toBinaryString, writeU32, writeU64 } from './binary.js'
import { TrackerError } from './errors.js'
import type { Announce, AnnounceEvent } from './types.js'

export const ACTION_CONNECT = 0, ACTION_ANNOUNCE = 1, ACTION_SCRAPE = 2, ACTION_ERROR = 3
/** BEP 15: about 74 info hashes fit one scrape packet. */
export const MAX_UDP_SCRAPE_HASHES = 74
/** The connect magic 0x41727101980, as two 32-bit halves. */
const PROTOCOL_ID_HI = 0x417, PROTOCOL_ID_LO = 0x27101980
/** Event numbers, by their position. */
const EVENTS: readonly AnnounceEvent[] = ['none', 'completed', 'started', 'stopped']
const EVENT_IDS: Record<AnnounceEvent, number> = { none: 0, completed: 1, started: 2, stopped: 3 }

export type UdpRequest =
  | { action: 'connect'; transactionId: number }
  | ({ action: 'announce'; transactionId: number; connectionId: Uint8Array } & Announce)
  | { action: 'scrape'; transactionId: number; connectionId: Uint8Array; infoHashes: string[] }

/** A malformed request: carries its transaction id so the server can answer with an error. */
export class UdpRequestError extends TrackerError {
  constructor(message: string, readonly transactionId: number) { super(message) }
}

// ---- encoding (clients) ----

export function encodeUdpConnectRequest(transactionId: number): Uint8Array {
  const b = new Uint8Array(16)
  writeU32(b, 0, PROTOCOL_ID_HI); writeU32(b, 4, PROTOCOL_ID_LO)
  writeU32(b, 8, ACTION_CONNECT); writeU32(b, 12, transactionId)
  return b
}

export function encodeUdpAnnounceRequest(connectionId: Uint8Array, transactionId: number, a: Announce): Uint8Array {
  if (a.infoHash.length !== 20 || a.peerId.length !== 20) throw new TrackerError('UDP announce needs a 20-byte info hash and peer id')
  if (connectionId.length !== 8) throw new TrackerError('connection id must be 8 bytes')
  const b = new Uint8Array(98)
  b.set(connectionId, 0)
  writeU32(b, 8, ACTION_ANNOUNCE); writeU32(b, 12, transactionId)
  putBinary(b, 16, a.infoHash); putBinary(b, 36, a.peerId)
  writeU64(b, 56, a.downloaded); writeU64(b, 64, a.left); writeU64(b, 72, a.uploaded)
  writeU32(b, 80, EVENT_IDS[a.event])
  writeU32(b, 84, 0) // IP: 0 = the sender's address
  writeU32(b, 88, (a.key ?? 0) >>> 0)
  // -1: the tracker's default
  writeU32(b, 92, a.numwant === undefined ? 0xffffffff : Math.max(0, Math.min(0x7fffffff, Math.floor(a.numwant))))
  b[96] = (a.port >> 8) & 0xff; b[97] = a.port & 0xff
  return b
}

export function encodeUdpScrapeRequest(connectionId: Uint8Array, transactionId: number, infoHashes: readonly string[]): Uint8Array {
  if (infoHashes.length > MAX_UDP_SCRAPE_HASHES) throw new TrackerError(`at most ${MAX_UDP_SCRAPE_HASHES} info hashes per UDP scrape`)
  const b = new Uint8Array(16 + 20 * infoHashes.length)
  b.set(connectionId, 0)
  writeU32(b, 8, ACTION_SCRAPE); writeU32(b, 12, transactionId)
  infoHashes.forEach((h, i) => {
    if (h.length !== 20) throw new TrackerError('info hash must be 20 bytes')
    putBinary(b, 16 + 20 * i, h)
  })
  return b
}

// ---- decoding (the server) ----

/** Reads bytes [start, end) as a binary string. The server passes Buffer's native latin1
 * slice, which beats building strings in JS. */
export type Latin1Reader = (msg: Uint8Array, start: number, end: number) => string
const readLatin1: Latin1Reader = (msg, start, end) => toBinaryString(msg.subarray(start, end))

/** Parses one datagram. Returns undefined for packets too short to carry a transaction id
 * (nothing sensible to answer); throws UdpRequestError (with the transaction id) otherwise. */
export function parseUdpRequest(msg: Uint8Array, maxScrapeHashes: number, latin1: Latin1Reader = readLatin1): UdpRequest | undefined {
  if (msg.length < 16) return undefined
  const action = readU32(msg, 8)
  const transactionId = readU32(msg, 12)
  if (action === ACTION_CONNECT) {
    if (readU32(msg, 0) !== PROTOCOL_ID_HI || readU32(msg, 4) !== PROTOCOL_ID_LO) throw new UdpRequestError('bad protocol id', transactionId)
    return { action: 'connect', transactionId }
  }
  const connectionId = msg.subarray(0, 8)
  if (action === ACTION_ANNOUNCE) {
    // 98 bytes; BEP 41 options may follow and are ignored.
    if (msg.length < 98) throw new UdpRequestError('announce too short', transactionId)
    const event = EVENTS[readU32(msg, 80)]
    if (event === undefined) throw new UdpRequestError('invalid event', transactionId)
    const numwant = readU32(msg, 92) | 0
    // One object shape whatever the packet holds (absent fields are undefined): this runs
    // for every announce.
    return {
      action: 'announce', transactionId, connectionId,
      infoHash: latin1(msg, 16, 36),
      peerId: latin1(msg, 36, 56),
      downloaded: readU64(msg, 56),
      left: readU64(msg, 64),
      uploaded: readU64(msg, 72),
      event,
      // -1 (or any negative) means "the tracker's default"
      numwant: numwant >= 0 ? numwant : undefined,
      key: readU32(msg, 88),
      port: (msg[96]! << 8) | msg[97]!,
    }
  }
  if (action === ACTION_SCRAPE) {
    const n = (msg.length - 16) / 20
    if (!Number.isInteger(n) || n < 1) throw new UdpRequestError('scrape needs whole 20-byte info hashes', transactionId)
    if (n > maxScrapeHashes) throw new UdpRequestError(`too many info hashes (at most ${maxScrapeHashes})`, transactionId)
    const infoHashes: string[] = []
    for (let i = 0; i < n; i++) infoHashes.push(latin1(msg, 16 + i * 20, 36 + i * 20))
    return { action: 'scrape', transactionId, connectionId, infoHashes }
  }
  throw new UdpRequestError('unknown action', transactionId)
}
