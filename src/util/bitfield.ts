/** Which pieces a peer (or we) have: one bit per piece, high bit of byte 0 is piece 0
 * (BEP 3 `bitfield`). The count of set bits is kept up to date on every change, so
 * `count()`, `isFull()` and `isEmpty()` are O(1). */

// population count of every byte value, built once
const POPCOUNT = new Uint8Array(256)
for (let i = 1; i < 256; i++) POPCOUNT[i] = (i & 1) + POPCOUNT[i >> 1]!

export class Bitfield {
  readonly length: number
  readonly #bytes: Uint8Array
  #count = 0

  /** `bytes`, when given, is copied; spare bits past `length` are ignored and cleared. */
  constructor(length: number, bytes?: Uint8Array) {
    if (!Number.isSafeInteger(length) || length < 0) throw new RangeError(`invalid bitfield length ${length}`)
    this.length = length
    const size = Math.ceil(length / 8)
    this.#bytes = new Uint8Array(size)
    if (bytes) {
      if (bytes.length < size) throw new RangeError(`bitfield needs ${size} bytes, got ${bytes.length}`)
      this.#bytes.set(bytes.subarray(0, size))
      this.#clearSpareBits()
      for (let i = 0; i < size; i++) this.#count += POPCOUNT[this.#bytes[i]!]!
    }
  }

  /** Reads a received bitfield. Too short throws; extra bytes and set spare bits are
   * tolerated (some clients pad) but dropped, so they never count as pieces. */
  static fromBytes(bytes: Uint8Array, length: number): Bitfield {
    return new Bitfield(length, bytes)
  }

  get(i: number): boolean {
    if (i < 0 || i >= this.length) return false
    return (this.#bytes[i >> 3]! & (0x80 >> (i & 7))) !== 0
  }

  set(i: number, v = true): void {
    if (!Number.isInteger(i) || i < 0 || i >= this.length) throw new RangeError(`bit ${i} out of range 0..${this.length - 1}`)
    const j = i >> 3, mask = 0x80 >> (i & 7)
    const byte = this.#bytes[j]!
    const was = (byte & mask) !== 0
    if (was === v) return
    this.#bytes[j] = v ? byte | mask : byte & ~mask
    this.#count += v ? 1 : -1
  }

  setAll(): void {
    this.#bytes.fill(0xff)
    this.#clearSpareBits()
    this.#count = this.length
  }

  count(): number { return this.#count }
  isFull(): boolean { return this.#count === this.length }
  isEmpty(): boolean { return this.#count === 0 }

  /** A copy in wire format, spare bits zero. */
  toBytes(): Uint8Array { return this.#bytes.slice() }

  #clearSpareBits(): void {
    const spare = this.#bytes.length * 8 - this.length
    if (spare > 0) this.#bytes[this.#bytes.length - 1]! &= (0xff << spare) & 0xff
  }
}
