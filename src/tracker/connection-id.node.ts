import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto'

/** UDP connection ids (BEP 15) that cost the server no memory and cannot be forged: the id is
 * a keyed hash of the client's address, port and the current time window. The server accepts
 * ids from the current and the previous window, so an id stays valid 1–2 windows (BEP 15 asks
 * clients to reuse one for at most a minute and servers to accept it for at least that long).
 * A client that never received an id from us (a spoofed source) cannot produce one. */
export class ConnectionIds {
  readonly #key: Buffer
  readonly #windowMs: number
  readonly #now: () => number

  constructor(opts: { windowMs?: number; now?: () => number; key?: Uint8Array } = {}) {
    this.#key = opts.key ? Buffer.from(opts.key) : randomBytes(32)
    this.#windowMs = opts.windowMs ?? 60_000
    this.#now = opts.now ?? Date.now
  }

  issue(ip: string, port: number): Uint8Array {
    return this.#id(ip, port, Math.floor(this.#now() / this.#windowMs))
  }

  verify(id: Uint8Array, ip: string, port: number): boolean {
    if (id.length !== 8) return false
    const w = Math.floor(this.#now() / this.#windowMs)
    return timingSafeEqual(id, this.#id(ip, port, w)) || timingSafeEqual(id, this.#id(ip, port, w - 1))
  }

  #id(ip: string, port: number, window: number): Uint8Array {
    return createHmac('sha256', this.#key).update(`${ip}|${port}|${window}`).digest().subarray(0, 8)
  }
}
