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

  /** Ids computed lately, by `ip|port`: a client connects, then announces at once, so the
   * hash is computed once per connect rather than once per packet. Only a cache (bounded,
   * cleared when full): verification never depends on it. */
  readonly #recent = new Map<string, { window: number; hi: number; lo: number }>()

  issue(ip: string, port: number): Uint8Array {
    const w = Math.floor(this.#now() / this.#windowMs)
    const id = this.#id(ip, port, w)
    this.#remember(`${ip}|${port}`, w, id)
    return id
  }

  verify(id: Uint8Array, ip: string, port: number): boolean {
    if (id.length !== 8) return false
    const w = Math.floor(this.#now() / this.#windowMs)
    const key = `${ip}|${port}`
    const hit = this.#recent.get(key)
    if (hit && (hit.window === w || hit.window === w - 1)) {
      if (u32(id, 0) === hit.hi && u32(id, 4) === hit.lo) return true
    }
    for (const win of [w, w - 1]) {
      const expected = this.#id(ip, port, win)
      if (timingSafeEqual(id, expected)) { this.#remember(key, win, expected); return true }
    }
    return false
  }

  #remember(key: string, window: number, id: Uint8Array): void {
    if (this.#recent.size >= 65_536) this.#recent.clear()
    this.#recent.set(key, { window, hi: u32(id, 0), lo: u32(id, 4) })
  }

  #id(ip: string, port: number, window: number): Uint8Array {
    return createHmac('sha256', this.#key).update(`${ip}|${port}|${window}`).digest().subarray(0, 8)
  }
}

const u32 = (b: Uint8Array, o: number): number => ((b[o]! << 24) | (b[o + 1]! << 16) | (b[o + 2]! << 8) | b[o + 3]!) >>> 0
