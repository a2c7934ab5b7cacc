/** Node ids and the XOR metric (BEP 5, Kademlia): distance(a, b) = a XOR b as an unsigned
 * 160-bit integer. Pure. */
import { randomBytes } from '../../util/bytes.js'

export const ID_BYTES = 20
export const ID_BITS = 160

export type RandomBytes = (n: number) => Uint8Array

export const randomNodeId = (random: RandomBytes = randomBytes): Uint8Array => random(ID_BYTES)

export const isNodeId = (b: Uint8Array | undefined): b is Uint8Array => b !== undefined && b.length === ID_BYTES

/** < 0 when `a` is closer to `target` than `b`, > 0 when farther, 0 when equal. */
export function compareDistance(a: Uint8Array, b: Uint8Array, target: Uint8Array): number {
  for (let i = 0; i < ID_BYTES; i++) {
    const da = a[i]! ^ target[i]!
    const db = b[i]! ^ target[i]!
    if (da !== db) return da - db
  }
  return 0
}

/** How many leading bits `a` and `b` share (160 when equal): the index of the bucket `b`
 * falls in, seen from `a`. */
export function commonPrefixBits(a: Uint8Array, b: Uint8Array): number {
  for (let i = 0; i < ID_BYTES; i++) {
    const x = a[i]! ^ b[i]!
    if (x !== 0) return i * 8 + Math.clz32(x) - 24
  }
  return ID_BITS
}

/** A random id sharing exactly `bits` leading bits with `base` (the next bit differs), or
 * sharing at least `bits` when `flipNext` is false: a target inside one bucket's range. */
export function randomIdInBucket(base: Uint8Array, bits: number, flipNext: boolean, random: RandomBytes = randomBytes): Uint8Array {
  const id = random(ID_BYTES)
  const full = Math.floor(bits / 8)
  for (let i = 0; i < full; i++) id[i] = base[i]!
  const rem = bits % 8
  if (full < ID_BYTES) {
    const keep = (0xff00 >> rem) & 0xff
    id[full] = (base[full]! & keep) | (id[full]! & ~keep & 0xff)
    if (flipNext) {
      const bit = 0x80 >> rem
      id[full] = (id[full]! & ~bit & 0xff) | (~base[full]! & bit)
    }
  }
  return id
}

/** Long-lived ids (routing-table entries) are copied into shared slabs: a Uint8Array of its
 * own costs an ArrayBuffer each, and a view of the received datagram would keep the whole
 * packet alive. A slab lives while any id in it does (at most 64 KiB each). */
const SLAB_IDS = 3276
let slab = new Uint8Array(0)
let slabUsed = 0
export function copyId(id: Uint8Array): Uint8Array {
  if (slabUsed + ID_BYTES > slab.length) { slab = new Uint8Array(SLAB_IDS * ID_BYTES); slabUsed = 0 }
  const out = slab.subarray(slabUsed, slabUsed + ID_BYTES)
  out.set(id.subarray(0, ID_BYTES))
  slabUsed += ID_BYTES
  return out
}
