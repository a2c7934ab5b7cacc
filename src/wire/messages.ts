/** The peer wire message codec, pure bytes in and out: BEP 3 (core messages), BEP 5 (port),
 * BEP 6 (fast extension) and BEP 10 (extended). Every message on the wire is
 * `<length: u32 big-endian><id: u8><payload>`; a zero length is a keep-alive. */
import { WireError } from './errors.js'

export const MessageId = {
  choke: 0,
  unchoke: 1,
  interested: 2,
  uninterested: 3,
  have: 4,
  bitfield: 5,
  request: 6,
  piece: 7,
  cancel: 8,
  port: 9,           // BEP 5
  suggest: 0x0d,     // BEP 6
  haveAll: 0x0e,
  haveNone: 0x0f,
  reject: 0x10,
  allowedFast: 0x11,
  extended: 20,      // BEP 10
} as const

export type Message =
  | { type: 'keepalive' }
  | { type: 'choke' | 'unchoke' | 'interested' | 'uninterested' | 'have-all' | 'have-none' }
  | { type: 'have' | 'suggest' | 'allowed-fast'; index: number }
  | { type: 'bitfield'; bytes: Uint8Array }
  | { type: 'request' | 'cancel' | 'reject'; index: number; offset: number; length: number }
  | { type: 'piece'; index: number; offset: number; block: Uint8Array }
  | { type: 'port'; port: number }
  | { type: 'extended'; id: number; payload: Uint8Array }

export interface Handshake {
  infoHash: Uint8Array
  peerId: Uint8Array
  reserved: Uint8Array
  /** BEP 5: reserved[7] & 0x01 */
  dht: boolean
  /** BEP 6: reserved[7] & 0x04 */
  fast: boolean
  /** BEP 10: bit 20 from the right, reserved[5] & 0x10 */
  extended: boolean
}

export const PROTOCOL = 'BitTorrent protocol'
export const HANDSHAKE_LENGTH = 49 + PROTOCOL.length
const PSTR = new TextEncoder().encode(PROTOCOL)

// ---- little helpers -------------------------------------------------------------------

export function writeU32(b: Uint8Array, at: number, v: number): void {
  b[at] = v >>> 24; b[at + 1] = (v >>> 16) & 0xff; b[at + 2] = (v >>> 8) & 0xff; b[at + 3] = v & 0xff
}

export function readU32(b: Uint8Array, at: number): number {
  return ((b[at]! << 24) | (b[at + 1]! << 16) | (b[at + 2]! << 8) | b[at + 3]!) >>> 0
}

function u32(v: number, what: string): number {
  if (!Number.isInteger(v) || v < 0 || v > 0xffffffff) throw new RangeError(`${what} must be a u32, got ${v}`)
  return v
}

/** `<len><id>` followed by room for `payload` bytes. */
function frame(id: number, payload: number): Uint8Array {
  const b = new Uint8Array(5 + payload)
  writeU32(b, 0, 1 + payload)
  b[4] = id
  return b
}

function withInts(id: number, ...ints: number[]): Uint8Array {
  const b = frame(id, ints.length * 4)
  ints.forEach((v, k) => writeU32(b, 5 + k * 4, u32(v, 'field')))
  return b
}

// ---- encoders ---------------------------------------------------------------------------

export const encodeKeepAlive = (): Uint8Array => new Uint8Array(4)
export const encodeChoke = (): Uint8Array => frame(MessageId.choke, 0)
export const encodeUnchoke = (): Uint8Array => frame(MessageId.unchoke, 0)
export const encodeInterested = (): Uint8Array => frame(MessageId.interested, 0)
export const encodeUninterested = (): Uint8Array => frame(MessageId.uninterested, 0)
export const encodeHaveAll = (): Uint8Array => frame(MessageId.haveAll, 0)
export const encodeHaveNone = (): Uint8Array => frame(MessageId.haveNone, 0)
export const encodeHave = (index: number): Uint8Array => withInts(MessageId.have, index)
export const encodeSuggest = (index: number): Uint8Array => withInts(MessageId.suggest, index)
export const encodeAllowedFast = (index: number): Uint8Array => withInts(MessageId.allowedFast, index)
export const encodeRequest = (index: number, offset: number, length: number): Uint8Array =>
  withInts(MessageId.request, index, offset, length)
export const encodeCancel = (index: number, offset: number, length: number): Uint8Array =>
  withInts(MessageId.cancel, index, offset, length)
export const encodeReject = (index: number, offset: number, length: number): Uint8Array =>
  withInts(MessageId.reject, index, offset, length)

export function encodeBitfield(bytes: Uint8Array): Uint8Array {
  const b = frame(MessageId.bitfield, bytes.length)
  b.set(bytes, 5)
  return b
}

/** The 13 bytes that precede a block: sent separately so the block itself is never copied. */
export function encodePieceHeader(index: number, offset: number, blockLength: number): Uint8Array {
  const b = new Uint8Array(13)
  writeU32(b, 0, 9 + blockLength)
  b[4] = MessageId.piece
  writeU32(b, 5, u32(index, 'index'))
  writeU32(b, 9, u32(offset, 'offset'))
  return b
}

/** Whole piece message in one buffer (copies the block; the Wire uses the header instead). */
export function encodePiece(index: number, offset: number, block: Uint8Array): Uint8Array {
  const b = new Uint8Array(13 + block.length)
  b.set(encodePieceHeader(index, offset, block.length))
  b.set(block, 13)
  return b
}

export function encodePort(port: number): Uint8Array {
  if (!Number.isInteger(port) || port < 0 || port > 0xffff) throw new RangeError(`invalid port ${port}`)
  const b = frame(MessageId.port, 2)
  b[5] = port >>> 8; b[6] = port & 0xff
  return b
}

/** BEP 10: `<len><20><extended id><payload>`; id 0 is the extension handshake. */
export function encodeExtended(id: number, payload: Uint8Array): Uint8Array {
  if (!Number.isInteger(id) || id < 0 || id > 255) throw new RangeError(`invalid extended id ${id}`)
  const b = frame(MessageId.extended, 1 + payload.length)
  b[5] = id
  b.set(payload, 6)
  return b
}

export function encodeHandshake(infoHash: Uint8Array, peerId: Uint8Array,
  opts: { dht?: boolean; fast?: boolean; extended?: boolean } = {}): Uint8Array {
  if (infoHash.length !== 20) throw new RangeError('info hash must be 20 bytes')
  if (peerId.length !== 20) throw new RangeError('peer id must be 20 bytes')
  const b = new Uint8Array(HANDSHAKE_LENGTH)
  b[0] = PSTR.length
  b.set(PSTR, 1)
  const r = 1 + PSTR.length
  if (opts.extended) b[r + 5]! |= 0x10
  if (opts.fast) b[r + 7]! |= 0x04
  if (opts.dht) b[r + 7]! |= 0x01
  b.set(infoHash, r + 8)
  b.set(peerId, r + 28)
  return b
}

/** Decodes exactly HANDSHAKE_LENGTH bytes; the returned arrays are copies. */
export function decodeHandshake(b: Uint8Array): Handshake {
  if (b.length !== HANDSHAKE_LENGTH || b[0] !== PSTR.length) throw new WireError('not a BitTorrent handshake', 'malformed')
  for (let i = 0; i < PSTR.length; i++) {
    if (b[1 + i] !== PSTR[i]) throw new WireError('not a BitTorrent handshake', 'malformed')
  }
  const r = 1 + PSTR.length
  const reserved = b.slice(r, r + 8)
  return {
    reserved,
    infoHash: b.slice(r + 8, r + 28),
    peerId: b.slice(r + 28, r + 48),
    dht: (reserved[7]! & 0x01) !== 0,
    fast: (reserved[7]! & 0x04) !== 0,
    extended: (reserved[5]! & 0x10) !== 0,
  }
}

// ---- decoder ----------------------------------------------------------------------------

const SIMPLE: Record<number, Message['type']> = {
  [MessageId.choke]: 'choke', [MessageId.unchoke]: 'unchoke', [MessageId.interested]: 'interested',
  [MessageId.uninterested]: 'uninterested', [MessageId.haveAll]: 'have-all', [MessageId.haveNone]: 'have-none',
}

function expectLength(body: Uint8Array, n: number, name: string): void {
  if (body.length !== n) throw new WireError(`${name} message must be ${n} bytes, got ${body.length}`, 'malformed')
}

/** Decodes one message body (the bytes after the length prefix, starting with the id).
 * `bitfield`, `piece` and `extended` payloads are views into `body`, not copies.
 * Returns undefined for ids we do not know, which BEP 3 says to ignore. */
export function decodeMessage(body: Uint8Array): Message | undefined {
  if (body.length === 0) return { type: 'keepalive' }
  const id = body[0]!
  switch (id) {
    case MessageId.choke: case MessageId.unchoke: case MessageId.interested:
    case MessageId.uninterested: case MessageId.haveAll: case MessageId.haveNone: {
      const type = SIMPLE[id] as 'choke'
      expectLength(body, 1, type)
      return { type }
    }
    case MessageId.have: case MessageId.suggest: case MessageId.allowedFast: {
      const type = id === MessageId.have ? 'have' : id === MessageId.suggest ? 'suggest' : 'allowed-fast'
      expectLength(body, 5, type)
      return { type, index: readU32(body, 1) }
    }
    case MessageId.request: case MessageId.cancel: case MessageId.reject: {
      const type = id === MessageId.request ? 'request' : id === MessageId.cancel ? 'cancel' : 'reject'
      expectLength(body, 13, type)
      return { type, index: readU32(body, 1), offset: readU32(body, 5), length: readU32(body, 9) }
    }
    case MessageId.bitfield:
      return { type: 'bitfield', bytes: body.subarray(1) }
    case MessageId.piece:
      if (body.length < 9) throw new WireError('piece message too short', 'malformed')
      return { type: 'piece', index: readU32(body, 1), offset: readU32(body, 5), block: body.subarray(9) }
    case MessageId.port:
      expectLength(body, 3, 'port')
      return { type: 'port', port: (body[1]! << 8) | body[2]! }
    case MessageId.extended:
      if (body.length < 2) throw new WireError('extended message too short', 'malformed')
      return { type: 'extended', id: body[1]!, payload: body.subarray(2) }
    default:
      return undefined
  }
}
