import { BencodeError } from './errors.js'
import { DEFAULT_LIMITS, type BDict, type BValue, type DecodeLimits } from './types.js'

const I = 0x69, L = 0x6c, D = 0x64, E = 0x65, COLON = 0x3a, MINUS = 0x2d, ZERO = 0x30, NINE = 0x39

export interface Decoded {
  value: BValue
  /** index of the first byte after the value */
  end: number
}

/** Decodes one complete bencoded document; trailing bytes are an error. */
export function decode(bytes: Uint8Array, limits: DecodeLimits = {}): BValue {
  const { value, end } = decodePrefix(bytes, 0, limits)
  if (end !== bytes.length) throw new BencodeError('trailing data', end)
  return value
}

/** Decodes the value starting at `start` and reports where it ended, for formats that
 * put raw bytes after a bencoded header (BEP 9 ut_metadata data messages). */
export function decodePrefix(bytes: Uint8Array, start = 0, limits: DecodeLimits = {}): Decoded {
  const lim = { ...DEFAULT_LIMITS, ...limits }
  let pos = start
  let tokens = 0

  const fail = (msg: string): never => { throw new BencodeError(msg, pos) }

  function readDigits(terminator: number): number {
    const from = pos
    let negative = false
    if (bytes[pos] === MINUS) { negative = true; pos++ }
    const digitsFrom = pos
    let n = 0
    while (pos < bytes.length && bytes[pos] !== terminator) {
      const c = bytes[pos]!
      if (c < ZERO || c > NINE) fail('invalid digit')
      n = n * 10 + (c - ZERO)
      pos++
    }
    if (pos >= bytes.length) fail('unexpected end')
    const count = pos - digitsFrom
    if (count === 0) fail('empty number')
    // Canonical form only: no leading zeros, no "-0" (BEP 3).
    if (bytes[digitsFrom] === ZERO && (count > 1 || negative)) { pos = from; fail('non-canonical integer') }
    if (!Number.isSafeInteger(n)) { pos = from; fail('integer out of range') }
    pos++ // terminator
    return negative ? -n : n
  }

  function readString(): Uint8Array {
    if (bytes[pos] === MINUS) fail('negative string length')
    const length = readDigits(COLON)
    if (length > lim.maxStringLength) fail(`string longer than ${lim.maxStringLength} bytes`)
    if (pos + length > bytes.length) fail('unexpected end of string')
    const s = bytes.subarray(pos, pos + length)
    pos += length
    return s
  }

  function readValue(depth: number): BValue {
    if (++tokens > lim.maxTokens) fail('too many values')
    if (pos >= bytes.length) fail('unexpected end')
    const c = bytes[pos]!
    if (c === I) { pos++; return readDigits(E) }
    if (c >= ZERO && c <= NINE) return readString()
    if (c !== L && c !== D) fail('unexpected byte 0x' + c.toString(16))
    if (depth >= lim.maxDepth) fail('nesting too deep')
    pos++
    if (c === L) {
      const list: BValue[] = []
      while (bytes[pos] !== E) {
        if (pos >= bytes.length) fail('unexpected end of list')
        list.push(readValue(depth + 1))
      }
      pos++
      return list
    }
    const dict: BDict = new Map()
    while (bytes[pos] !== E) {
      if (pos >= bytes.length) fail('unexpected end of dictionary')
      const c2 = bytes[pos]!
      if (c2 < ZERO || c2 > NINE) fail('dictionary key must be a string')
      const key = binaryString(readString())
      if (dict.has(key)) fail('duplicate dictionary key')
      dict.set(key, readValue(depth + 1))
    }
    pos++
    return dict
  }

  const value = readValue(0)
  return { value, end: pos }
}

/** Bytes to a string with one char per byte (latin1): lossless, used for dictionary keys. */
export function binaryString(b: Uint8Array): string {
  let s = ''
  for (let i = 0; i < b.length; i += 4096) {
    s += String.fromCharCode.apply(null, b.subarray(i, i + 4096) as unknown as number[])
  }
  return s
}
