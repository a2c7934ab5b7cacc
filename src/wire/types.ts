/** The Wire's public shapes: options, handshake flags and the typed event map. */
import type { BDict, Encodable } from '../bencode/index.js'
import type { Clock } from '../util/clock.js'

export interface HandshakeFlags { dht: boolean; fast: boolean; extended: boolean }

export type WireEvents = {
  handshake: [infoHash: Uint8Array, peerId: Uint8Array, flags: HandshakeFlags]
  'extended-handshake': [handshake: BDict]
  choke: []; unchoke: []; interested: []; uninterested: []
  have: [index: number]
  /** Raw bitfield bytes: the wire does not know the piece count (see Bitfield.fromBytes). */
  bitfield: [bytes: Uint8Array]
  'have-all': []; 'have-none': []
  request: [index: number, offset: number, length: number]
  /** `block` is a view of received bytes: keep it, but do not write into it. */
  piece: [index: number, offset: number, block: Uint8Array]
  cancel: [index: number, offset: number, length: number]
  reject: [index: number, offset: number, length: number]
  'allowed-fast': [index: number]
  suggest: [index: number]
  port: [port: number]
  keepalive: []
  drain: []
  close: []
  error: [error: Error]
}

export interface WireOptions {
  maxMessageLength?: number
  /** How often to send a keep-alive; 0 disables. Default 60 s. */
  keepAliveMs?: number
  /** Drop the connection when nothing arrives for this long; 0 disables. Default 120 s. */
  idleTimeoutMs?: number
  /** Largest block a peer may request. Default 128 KiB; bigger requests drop the peer. */
  maxRequestLength?: number
  /** Extra top-level fields for our extension handshake (BEP 10), e.g. `p`, `yourip`. */
  extendedHandshake?: () => Record<string, Encodable>
  /** Time for rates, keep-alives and the idle timeout (default: the system clock). */
  clock?: Clock
}
