/** Binary strings (one char per byte, code points 0–255): the form ids travel in on the
 * WebSocket tracker protocol and the form the server keys its maps with. */

export function toBinaryString(bytes: Uint8Array): string {
  let s = ''
  for (let i = 0; i < bytes.length; i++) s += String.fromCharCode(bytes[i]!)
  return s
}

export function fromBinaryString(s: string): Uint8Array {
  const out = new Uint8Array(s.length)
  for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i)
  return out
}

/** Exactly 20 chars, each a byte: an info hash, peer id or offer id. */
export function isBinary20(v: unknown): v is string {
  if (typeof v !== 'string' || v.length !== 20) return false
  for (let i = 0; i < 20; i++) if (v.charCodeAt(i) > 0xff) return false
  return true
}

/** Writes a binary string's chars as bytes at `offset`. */
export function putBinary(out: Uint8Array, offset: number, s: string): void {
  for (let i = 0; i < s.length; i++) out[offset + i] = s.charCodeAt(i)
}

export const readU32 = (b: Uint8Array, o: number): number =>
  ((b[o]! << 24) | (b[o + 1]! << 16) | (b[o + 2]! << 8) | b[o + 3]!) >>> 0

export function writeU32(b: Uint8Array, o: number, v: number): void {
  b[o] = v >>> 24; b[o + 1] = (v >>> 16) & 0xff; b[o + 2] = (v >>> 8) & 0xff; b[o + 3] = v & 0xff
}

/** 64-bit counters, saturated at 2^53 - 1. */
export function readU64(b: Uint8Array, o: number): number {
  const v = readU32(b, o) * 2 ** 32 + readU32(b, o + 4)
  return v > Number.MAX_SAFE_INTEGER ? Number.MAX_SAFE_INTEGER : v
}

/** Non-negative integers up to 2^53, written big-endian; NaN and negatives become 0. */
export function writeU64(b: Uint8Array, o: number, n: number): void {
  const v = Math.max(0, Math.min(Number.MAX_SAFE_INTEGER, Math.floor(Number.isFinite(n) ? n : 0)))
  writeU32(b, o, Math.floor(v / 2 ** 32))
  writeU32(b, o + 4, v % 2 ** 32)
}

/** Clamps a count to what a 32-bit field holds. */
export const clampU32 = (n: number): number => Math.max(0, Math.min(n, 0xffffffff))
