/** BEP 11 peer exchange (`ut_pex`): peers tell each other whom they are connected to. A
 * message is a bencoded dictionary of compact addresses (`added`, `added6`), one flags byte
 * per added peer (`added.f`, `added6.f`) and the ones gone since the last message (`dropped`,
 * `dropped6`). The BEP asks for at most one message a minute and at most 50 added and 50
 * dropped peers in each: what we send keeps to that, what we receive past it is cut or
 * ignored, so a flooding peer gains nothing. */
import { decodePrefix, encode, getBytes, isDict, type BDict } from '../bencode/index.js'
import { encodeCompactPeer } from '../tracker-protocol/compact-peers.js'
import { decodeCompactPeers } from '../tracker-protocol/compact-peers.js'
import type { PeerAddress } from '../transport/types.js'
import { Emitter } from '../util/emitter.js'
import { WireError } from './errors.js'
import type { WireExtension } from './extension.js'
import type { Wire } from './wire.js'

/** added.f bits (BEP 11) */
export const PEX_PREFERS_ENCRYPTION = 0x01
export const PEX_SEED = 0x02
export const PEX_UTP = 0x04
export const PEX_OUTGOING = 0x10

/** the BEP's caps per message */
export const PEX_MAX_ADDED = 50
export const PEX_MAX_DROPPED = 50

export interface PexPeer extends PeerAddress { flags: number }
export interface PexMessage { added: PexPeer[]; dropped: PeerAddress[] }

export function encodePex(m: PexMessage): Uint8Array {
  const dict: Record<string, Uint8Array> = {}
  for (const family of [4, 6] as const) {
    const suffix = family === 4 ? '' : '6'
    const added = m.added.filter((p) => (p.host.includes(':') ? 6 : 4) === family).slice(0, PEX_MAX_ADDED)
    const dropped = m.dropped.filter((p) => (p.host.includes(':') ? 6 : 4) === family).slice(0, PEX_MAX_DROPPED)
    dict[`added${suffix}`] = concatAll(added.map((p) => encodeCompactPeer(p.host, p.port)))
    dict[`added${suffix}.f`] = Uint8Array.from(added.map((p) => p.flags & 0xff))
    dict[`dropped${suffix}`] = concatAll(dropped.map((p) => encodeCompactPeer(p.host, p.port)))
  }
  return encode(dict)
}

/** Reads a message, keeping at most the BEP's caps; throws a WireError on junk. */
export function decodePex(payload: Uint8Array): PexMessage {
  let dict: BDict
  try {
    const v = decodePrefix(payload, 0, { maxDepth: 2, maxTokens: 32 }).value
    if (!isDict(v)) throw new Error('not a dictionary')
    dict = v
  } catch (e) {
    throw new WireError(`bad ut_pex message: ${e instanceof Error ? e.message : String(e)}`, 'malformed')
  }
  const out: PexMessage = { added: [], dropped: [] }
  for (const family of [4, 6] as const) {
    const suffix = family === 4 ? '' : '6'
    const size = family === 4 ? 6 : 18
    const added = getBytes(dict, `added${suffix}`)
    const flags = getBytes(dict, `added${suffix}.f`)
    const dropped = getBytes(dict, `dropped${suffix}`)
    try {
      if (added) {
        const peers = decodeCompactPeers(added.subarray(0, Math.floor(added.length / size) * size).subarray(0, PEX_MAX_ADDED * size), family)
        peers.forEach((p, i) => out.added.push({ ...p, flags: flags?.[i] ?? 0 }))
      }
      if (dropped) out.dropped.push(...decodeCompactPeers(dropped.subarray(0, Math.floor(dropped.length / size) * size).subarray(0, PEX_MAX_DROPPED * size), family))
    } catch (e) {
      throw new WireError(`bad ut_pex addresses: ${e instanceof Error ? e.message : String(e)}`, 'malformed')
    }
  }
  return out
}

function concatAll(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0))
  let at = 0
  for (const p of parts) { out.set(p, at); at += p.length }
  return out
}

export type UtPexEvents = { message: [PexMessage] }

/** The extension on one wire: `send()` what changed, 'message' for what the peer says.
 * Messages closer together than `minGapMs` (the BEP: one a minute; we allow some slack)
 * are dropped unread. */
export class UtPex extends Emitter<UtPexEvents> implements WireExtension {
  readonly name = 'ut_pex'
  #lastReceived = -Infinity

  constructor(private readonly wire: Wire, private readonly now: () => number, private readonly minGapMs = 45_000) {
    super()
  }

  get supported(): boolean { return this.wire.peerSupportsExtension(this.name) }

  send(m: PexMessage): void {
    if (this.supported && (m.added.length > 0 || m.dropped.length > 0)) this.wire.extended(this.name, encodePex(m))
  }

  onMessage(payload: Uint8Array): void {
    const now = this.now()
    if (now - this.#lastReceived < this.minGapMs) return // a flood: ignored
    this.#lastReceived = now
    this.emit('message', decodePex(payload))
  }
}
