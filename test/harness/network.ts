/** An in-memory network for the swarm harness: listeners by port, dials that connect two
 * in-memory Duplex ends, and links that can be slowed (bytes per second on the fake clock)
 * or cut. Everything is delivered by microtask or by the fake clock: deterministic. */
import { Emitter } from '../../src/util/emitter.js'
import type { Duplex, PeerAddress } from '../../src/transport/types.js'
import type { FakeClock } from './fake-clock.js'

type Events = { data: [Uint8Array]; drain: []; close: []; error: [Error] }

export interface LinkOptions {
  /** bytes per second from the listener to the dialer (default: unlimited) */
  downRate?: number
}

/** One end of an in-memory connection. Writes are copied (the writer may reuse buffers). */
export class MemoryEnd extends Emitter<Events> implements Duplex {
  other!: MemoryEnd
  closed = false
  written = 0
  /** bytes per second this end sends at, on `clock`; undefined: at once (next microtask) */
  rate: number | undefined
  clock: FakeClock | undefined
  #queue: Uint8Array[] = []
  #pumping = false

  write(chunk: Uint8Array): boolean {
    if (this.closed) return false
    this.written += chunk.length
    const copy = chunk.slice()
    if (this.rate === undefined) {
      // like TCP, what was written before a close still arrives
      queueMicrotask(() => { if (!this.other.closed) this.other.emit('data', copy) })
      return true
    }
    this.#queue.push(copy)
    this.#pump()
    return true
  }

  destroy(): void {
    if (this.closed) return
    this.closed = true
    this.#queue = []
    queueMicrotask(() => { this.emit('close'); if (!this.other.closed) this.other.destroy() })
  }

  /** Sends queued bytes at `rate`: 10 ms slices on the fake clock. */
  #pump(): void {
    if (this.#pumping || !this.clock || this.rate === undefined) return
    this.#pumping = true
    const budget = Math.max(1, Math.floor(this.rate / 100))
    this.clock.setTimeout(() => {
      this.#pumping = false
      let left = budget
      while (left > 0 && this.#queue.length > 0 && !this.closed) {
        const head = this.#queue[0]!
        const n = Math.min(left, head.length)
        if (!this.other.closed) this.other.emit('data', head.subarray(0, n))
        if (n === head.length) this.#queue.shift(); else this.#queue[0] = head.subarray(n)
        left -= n
      }
      if (this.#queue.length > 0) this.#pump()
    }, 10)
  }
}

export function memoryPair(): [MemoryEnd, MemoryEnd] {
  const a = new MemoryEnd(), b = new MemoryEnd()
  a.other = b; b.other = a
  return [a, b]
}

export class MemoryNetwork {
  readonly #listeners = new Map<number, (conn: Duplex, from: PeerAddress) => void>()
  readonly #links = new Map<number, LinkOptions>()
  #nextPort = 20_000
  /** every connection made, dialer's end first */
  readonly connections: { from: number; to: number; dialer: MemoryEnd; listener: MemoryEnd }[] = []

  constructor(readonly clock: FakeClock) {}

  /** A free port; `listen` binds it. */
  port(): number { return this.#nextPort++ }

  listen(port: number, onConnection: (conn: Duplex, from: PeerAddress) => void): () => void {
    this.#listeners.set(port, onConnection)
    return () => { this.#listeners.delete(port) }
  }

  /** Slows what the listener on `port` sends to whoever dials it. */
  shape(port: number, opts: LinkOptions): void { this.#links.set(port, opts) }

  async connect(from: number, addr: PeerAddress): Promise<Duplex> {
    await Promise.resolve()
    const accept = this.#listeners.get(addr.port)
    if (!accept) throw new Error(`connection refused: ${addr.host}:${addr.port}`)
    const [dialer, listener] = memoryPair()
    const link = this.#links.get(addr.port)
    if (link?.downRate !== undefined) { listener.rate = link.downRate; listener.clock = this.clock }
    this.connections.push({ from, to: addr.port, dialer, listener })
    queueMicrotask(() => accept(listener, { host: '127.0.0.1', port: from }))
    return dialer
  }
}
