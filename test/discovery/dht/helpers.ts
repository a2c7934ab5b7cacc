/** Test doubles for the DHT: a fake clock whose timers run only when a test advances it,
 * and an in-memory datagram network on it (delivery takes `latencyMs` of fake time). */
import { Dht, type DhtOptions } from '../../../src/discovery/dht/index.js'
import type { DatagramChannel, DhtTimers, PeerAddress } from '../../../src/discovery/dht/types.js'

interface Timer { at: number; seq: number; fn: () => void }

const yieldToIo = () => new Promise<void>((r) => setImmediate(r))

export class FakeClock implements DhtTimers {
  #t = 1_700_000_000_000
  #seq = 0
  /** a binary min-heap by (at, seq); cancelled timers are skipped when they surface */
  #heap: Timer[] = []
  #live = new Map<number, Timer>()
  readonly now = (): number => this.#t

  setTimeout = (fn: () => void, ms: number): unknown => {
    const t: Timer = { at: this.#t + Math.max(0, ms), seq: ++this.#seq, fn }
    this.#live.set(t.seq, t)
    this.#push(t)
    return t.seq
  }

  clearTimeout = (h: unknown): void => { this.#live.delete(h as number) }

  get pending(): number { return this.#live.size }

  /** Moves time forward by `ms`, running each timer due on the way (and the promise
   * callbacks they cause) in order. */
  async advance(ms: number): Promise<void> {
    const end = this.#t + ms
    await yieldToIo()
    while (await this.#runNext(end)) { /* next */ }
    this.#t = end
  }

  /** Runs timers until `p` settles; fails if fake time passes `maxMs` first. */
  async settle<T>(p: Promise<T>, maxMs = 3_600_000): Promise<T> {
    let done = false
    const watched = p.finally(() => { done = true })
    watched.catch(() => undefined)
    const end = this.#t + maxMs
    await yieldToIo()
    while (!done) {
      if (!await this.#runNext(end)) throw new Error(`did not settle within ${maxMs} ms of fake time`)
    }
    return watched
  }

  /** Runs every timer due at the earliest time (up to `end`), then lets promises run. */
  async #runNext(end: number): Promise<boolean> {
    this.#dropCancelled()
    const first = this.#heap[0]
    if (!first || first.at > end) return false
    this.#t = first.at
    while (this.#heap[0] && this.#heap[0].at === first.at) {
      const t = this.#pop()!
      if (this.#live.delete(t.seq)) t.fn()
    }
    await yieldToIo()
    return true
  }

  #dropCancelled(): void {
    while (this.#heap[0] && !this.#live.has(this.#heap[0].seq)) this.#pop()
  }

  #less(a: Timer, b: Timer): boolean { return a.at < b.at || (a.at === b.at && a.seq < b.seq) }

  #push(t: Timer): void {
    const h = this.#heap
    h.push(t)
    for (let i = h.length - 1; i > 0;) {
      const p = (i - 1) >> 1
      if (!this.#less(h[i]!, h[p]!)) break
      ;[h[i], h[p]] = [h[p]!, h[i]!]
      i = p
    }
  }

  #pop(): Timer | undefined {
    const h = this.#heap
    const top = h[0]
    const last = h.pop()
    if (h.length > 0 && last) {
      h[0] = last
      for (let i = 0; ;) {
        const l = 2 * i + 1, r = l + 1
        let m = i
        if (l < h.length && this.#less(h[l]!, h[m]!)) m = l
        if (r < h.length && this.#less(h[r]!, h[m]!)) m = r
        if (m === i) break
        ;[h[i], h[m]] = [h[m]!, h[i]!]
        i = m
      }
    }
    return top
  }
}

export interface MemoryChannel extends DatagramChannel {
  readonly host: string
  close(): void
}

/** Datagrams between channels in memory. Every destination is recorded, so tests can
 * assert that nothing was ever addressed outside 127.0.0.1. */
export class MemoryNetwork {
  readonly #nodes = new Map<string, (data: Uint8Array, from: PeerAddress) => void>()
  readonly destinations = new Set<string>()
  sent = 0

  constructor(private readonly clock: FakeClock, private readonly latencyMs = 5) {}

  channel(host: string, port: number): MemoryChannel {
    const key = `${host}:${port}`
    let handler: (data: Uint8Array, from: PeerAddress) => void = () => undefined
    this.#nodes.set(key, (d, f) => handler(d, f))
    return {
      host, port,
      send: (data, to) => {
        this.sent++
        this.destinations.add(to.host)
        const copy = data.slice()
        this.clock.setTimeout(() => this.#nodes.get(`${to.host}:${to.port}`)?.(copy, { host, port }), this.latencyMs)
      },
      onMessage: (h) => { handler = h },
      close: () => { this.#nodes.delete(key) },
    }
  }

  /** A raw endpoint for hostile tests: sends what it is told, records what it gets. */
  raw(host: string, port: number): MemoryChannel & { received: { data: Uint8Array; from: PeerAddress }[] } {
    const ch = this.channel(host, port)
    const received: { data: Uint8Array; from: PeerAddress }[] = []
    ch.onMessage((data, from) => received.push({ data, from }))
    return Object.assign(ch, { received })
  }
}

export const LOOPBACK = '127.0.0.1'

/** A DHT on the memory network at 127.0.0.1:`port`, on the fake clock. */
export function memoryDht(net: MemoryNetwork, clock: FakeClock, port: number, opts: Partial<DhtOptions> = {}): Dht {
  return new Dht({
    channel: net.channel(LOOPBACK, port), now: clock.now, timers: clock, bootstrap: [],
    ...opts,
    // many nodes share 127.0.0.1 here: the per-IP query limit would count them as one
    limits: { queriesPerSecondPerIp: 0, ...opts.limits },
  })
}

export const bytes20 = (fill: number): Uint8Array => new Uint8Array(20).fill(fill)

/** A deterministic byte source (xorshift) for reproducible ids. */
export function seededRandom(seed: number): (n: number) => Uint8Array {
  let s = seed >>> 0 || 1
  return (n) => {
    const out = new Uint8Array(n)
    for (let i = 0; i < n; i++) { s ^= s << 13; s >>>= 0; s ^= s >>> 17; s ^= s << 5; s >>>= 0; out[i] = s & 0xff }
    return out
  }
}
