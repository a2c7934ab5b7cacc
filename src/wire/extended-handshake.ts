/** BEP 10 extension handshake (extended message id 0): a bencoded dictionary whose `m`
 * maps extension names to the ids the sender wants to receive them on; id 0 turns an
 * extension off. Other top-level keys (`v`, `reqq`, `metadata_size`, ...) are informative. */
import { decode, encode, getDict, isDict, isInt, type BDict, type Encodable } from '../bencode/index.js'
import { WireError } from './errors.js'
import type { WireExtension } from './extension.js'

export const CLIENT_VERSION = 'swarmstream/0.1'
/** How many requests from one peer we are willing to queue (advertised as `reqq`). */
export const REQUEST_QUEUE = 250

/** Our handshake: extensions get ids 1, 2, ... in order; they and the caller add fields. */
export function buildExtendedHandshake(extensions: readonly WireExtension[], extra: Record<string, Encodable> = {}): Uint8Array {
  const ids: Record<string, number> = {}
  extensions.forEach((ext, i) => { ids[ext.name] = i + 1 })
  const dict: Record<string, Encodable> = { m: ids, v: CLIENT_VERSION, reqq: REQUEST_QUEUE }
  for (const ext of extensions) Object.assign(dict, ext.extendHandshake?.())
  Object.assign(dict, extra)
  return encode(dict)
}

/** The peer's handshake and the ids in its `m` (0 meaning: switched off). Junk entries in
 * `m` are skipped; a payload that is not a dictionary is malformed. */
export function parseExtendedHandshake(payload: Uint8Array): { dict: BDict; ids: Map<string, number> } {
  let dict: BDict
  try {
    const value = decode(payload, { maxDepth: 16, maxTokens: 10_000 })
    if (!isDict(value)) throw new Error('not a dictionary')
    dict = value
  } catch (e) {
    throw new WireError(`bad extension handshake: ${e instanceof Error ? e.message : String(e)}`, 'malformed')
  }
  const ids = new Map<string, number>()
  for (const [name, id] of getDict(dict, 'm') ?? []) {
    if (isInt(id) && id >= 0 && id <= 255) ids.set(name, id)
  }
  return { dict, ids }
}
