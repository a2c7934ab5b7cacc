/** Bytes received during a handshake, kept until parsed. Chunks are copied in (transports
 * may reuse their read buffers); the total is bounded by the caller's limit, so a peer
 * cannot make us hold more than a handshake's worth. */
export class ByteQueue {
  #buf: Uint8Array
  #start = 0
  #end = 0

  constructor(initial = 1024) { this.#buf = new Uint8Array(initial) }

  get length(): number { return this.#end - this.#start }

  push(chunk: Uint8Array): void {
    if (this.#end + chunk.length > this.#buf.length) {
      const need = this.length + chunk.length
      // compact, growing when the bytes kept do not fit (set() copes with the overlap)
      const next = need > this.#buf.length ? new Uint8Array(Math.max(need, this.#buf.length * 2)) : this.#buf
      next.set(this.#buf.subarray(this.#start, this.#end), 0)
      this.#buf = next
      this.#end -= this.#start
      this.#start = 0
    }
    this.#buf.set(chunk, this.#end)
    this.#end += chunk.length
  }

  /** A view of the first `n` bytes (valid until the next push). */
  peek(n: number): Uint8Array { return this.#buf.subarray(this.#start, this.#start + n) }

  /** Removes and returns a copy of the first `n` bytes. */
  take(n: number): Uint8Array {
    const out = this.#buf.slice(this.#start, this.#start + n)
    this.#start += n
    return out
  }

  skip(n: number): void { this.#start += Math.min(n, this.length) }

  /** Position of `pattern` starting at most at `maxStart`, or -1. */
  indexOf(pattern: Uint8Array, maxStart: number): number {
    const b = this.#buf, base = this.#start
    const last = Math.min(maxStart, this.length - pattern.length)
    outer: for (let p = 0; p <= last; p++) {
      for (let k = 0; k < pattern.length; k++) if (b[base + p + k] !== pattern[k]) continue outer
      return p
    }
    return -1
  }
}
