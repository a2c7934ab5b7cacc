/** Byte helpers over Uint8Array, for code that runs in browsers too. */
const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'))
const utf8Encoder = new TextEncoder()
const utf8Decoder = new TextDecoder()

export function toHex(b: Uint8Array): string {
  let s = ''
  for (let i = 0; i < b.length; i++) s += HEX[b[i]!]
  return s
}

export function fromHex(hex: string): Uint8Array {
  if (hex.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(hex)) throw new TypeError('invalid hex string')
  const b = new Uint8Array(hex.length / 2)
  for (let i = 0; i < b.length; i++) b[i] = parseInt(hex.slice(i * 2, i * 2 + 2), 16)
  return b
}

export const utf8 = (s: string): Uint8Array => utf8Encoder.encode(s)
export const fromUtf8 = (b: Uint8Array): string => utf8Decoder.decode(b)

export function concat(parts: readonly Uint8Array[], total?: number): Uint8Array {
  const size = total ?? parts.reduce((n, p) => n + p.length, 0)
  const out = new Uint8Array(size)
  let off = 0
  for (const p of parts) { out.set(p, off); off += p.length }
  return out
}

export function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false
  return true
}

export function randomBytes(n: number): Uint8Array {
  const b = new Uint8Array(n)
  // getRandomValues fills at most 65536 bytes per call
  for (let i = 0; i < n; i += 65536) globalThis.crypto.getRandomValues(b.subarray(i, Math.min(n, i + 65536)))
  return b
}

/** Base32 (RFC 4648) decode, for 32-char btih info hashes in magnet links. */
export function fromBase32(s: string): Uint8Array {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567'
  const clean = s.toUpperCase().replace(/=+$/, '')
  const out: number[] = []
  let bits = 0, value = 0
  for (const ch of clean) {
    const v = alphabet.indexOf(ch)
    if (v < 0) throw new TypeError('invalid base32 string')
    value = (value << 5) | v; bits += 5
    if (bits >= 8) { out.push((value >>> (bits - 8)) & 0xff); bits -= 8 }
  }
  return Uint8Array.from(out)
}

export function toBase32(b: Uint8Array): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567'
  let out = '', bits = 0, value = 0
  for (const byte of b) {
    value = (value << 8) | byte; bits += 8
    while (bits >= 5) { out += alphabet[(value >>> (bits - 5)) & 31]; bits -= 5 }
  }
  if (bits > 0) out += alphabet[(value << (5 - bits)) & 31]
  return out
}
