/** KRPC (BEP 5): bencoded dictionaries over UDP. Queries {t, y:"q", q, a}, responses
 * {t, y:"r", r} and errors {t, y:"e", e:[code, message]}; "v" names the client (BEP 20),
 * "ro" marks a read-only sender (BEP 43), "ip" tells the requester its address (BEP 42).
 * decodeMessage never throws: anything malformed is undefined. */
import { decode, encode, getBytes, getDict, getInt, getList, isBytes, isInt, text, type BDict, type Encodable } from '../../bencode/index.js'
import { decodePeer, encodePeer } from './compact.js'
import { isNodeId } from './node-id.js'
import type { PeerAddress } from './types.js'

export const KRPC_ERROR = { generic: 201, server: 202, protocol: 203, methodUnknown: 204 } as const

export interface KrpcQuery {
  y: 'q'
  t: Uint8Array
  q: string
  /** the arguments, with "id" checked to be 20 bytes */
  a: BDict
  id: Uint8Array
  readOnly: boolean
}
export interface KrpcResponse {
  y: 'r'
  t: Uint8Array
  r: BDict
  id: Uint8Array
  /** our address as the responder saw it (BEP 42) */
  ip?: PeerAddress
}
export interface KrpcError {
  y: 'e'
  t: Uint8Array
  code: number
  message: string
  ip?: PeerAddress
}
export type KrpcMessage = KrpcQuery | KrpcResponse | KrpcError

/** How KRPC datagrams are read: shallow, small. */
const LIMITS = { maxDepth: 6, maxTokens: 1024, maxStringLength: 65536 }
const MAX_TID = 16

export function decodeMessage(bytes: Uint8Array): KrpcMessage | undefined {
  let d
  try { d = decode(bytes, LIMITS) } catch { return undefined }
  if (!(d instanceof Map)) return undefined
  const t = getBytes(d, 't')
  const y = getBytes(d, 'y')
  if (!t || t.length === 0 || t.length > MAX_TID || !y || y.length !== 1) return undefined
  const ipBytes = getBytes(d, 'ip')
  const ip = ipBytes && ipBytes.length === 6 ? decodePeer(ipBytes) : undefined
  switch (y[0]) {
    case 0x71: { // q
      const q = getBytes(d, 'q')
      const a = getDict(d, 'a')
      const id = a && getBytes(a, 'id')
      if (!q || q.length > 64 || !a || !isNodeId(id)) return undefined
      return { y: 'q', t, q: text(q), a, id, readOnly: getInt(d, 'ro') === 1 }
    }
    case 0x72: { // r
      const r = getDict(d, 'r')
      const id = r && getBytes(r, 'id')
      if (!r || !isNodeId(id)) return undefined
      return ip ? { y: 'r', t, r, id, ip } : { y: 'r', t, r, id }
    }
    case 0x65: { // e
      const e = getList(d, 'e')
      const code = e?.[0]
      const msg = e?.[1]
      if (!isInt(code)) return undefined
      const message = isBytes(msg) ? text(msg).slice(0, 200) : ''
      return ip ? { y: 'e', t, code, message, ip } : { y: 'e', t, code, message }
    }
    default:
      return undefined
  }
}

export interface Envelope {
  /** client version, BEP 20 style: two letters and two version bytes */
  v?: Uint8Array
  /** BEP 43: we are read-only */
  readOnly?: boolean
}

export function encodeQuery(t: Uint8Array, q: string, a: { readonly [k: string]: Encodable | undefined }, env: Envelope = {}): Uint8Array {
  return encode({ t, y: 'q', q, a, v: env.v, ro: env.readOnly ? 1 : undefined })
}

export function encodeResponse(t: Uint8Array, r: { readonly [k: string]: Encodable | undefined }, to?: PeerAddress, env: Envelope = {}): Uint8Array {
  return encode({ t, y: 'r', r, ip: to && encodePeer(to), v: env.v })
}

export function encodeError(t: Uint8Array, code: number, message: string, to?: PeerAddress, env: Envelope = {}): Uint8Array {
  return encode({ t, y: 'e', e: [code, message], ip: to && encodePeer(to), v: env.v })
}
