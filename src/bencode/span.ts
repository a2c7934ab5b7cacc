import { binaryString, decodePrefix } from './decode.js'
import type { DecodeLimits } from './types.js'

/** Byte range [start, end) of the value stored under `key` in the top-level dictionary of
 * `bytes`, as it appears in the input. The info hash is the SHA-1 of exactly these bytes
 * (BEP 3), so it must not depend on how we would re-encode them. */
export function rawValueSpan(bytes: Uint8Array, key: string, limits: DecodeLimits = {}): [number, number] | undefined {
  if (bytes[0] !== 0x64) return undefined
  let pos = 1
  while (pos < bytes.length && bytes[pos] !== 0x65) {
    const k = decodePrefix(bytes, pos, limits)
    if (!(k.value instanceof Uint8Array)) return undefined
    const v = decodePrefix(bytes, k.end, limits)
    if (binaryString(k.value) === key) return [k.end, v.end]
    pos = v.end
  }
  return undefined
}
