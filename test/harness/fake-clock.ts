/** A clock that only moves when told: timers fire in due order as `advance` passes them,
 * and everything the fired callbacks set off (promise chains, in-memory sockets that
 * deliver by microtask) settles before the next one fires. */
import type { Clock, Timer } from '../../src/util/clock.js'

interface Scheduled { at: number; seq: number; fn: () => void; every: number; live: boolean }

/** Lets every pending microtask and promise chain run (one macrotask turn, twice). */
export async function settle(): Promise<void> {
  for (let i = 0; i < 2; i++) await new Promise<void>((r) => setImmediate(r))
}

export class FakeClock implements Clock {
  #now: number
  #seq = 0
  #timers: Scheduled[] = []

  constructor(start = 1_700_000_000_000) { this.#now = start }

  now(): number { return this.#now }

  setTimeout(fn: () => void, ms: number): Timer { return this.#add(fn, ms, 0) }
  setInterval(fn: () => void, ms: number): Timer { return this.#add(fn, ms, Math.max(1, ms)) }

  /** timers still pending */
  get pending(): number { return this.#timers.filter((t) => t.live).length }

  /** Moves time forward by `ms`, firing every timer that falls due on the way. */
  async advance(ms: number): Promise<void> {
    const end = this.#now + ms
    await settle()
    for (;;) {
      const next = this.#next()
      if (!next || next.at > end) break
      this.#now = Math.max(this.#now, next.at)
      this.#fire(next)
      await settle()
    }
    this.#now = end
    await settle()
  }

  /** Advances in steps of `stepMs` until `done()` holds; fails after `maxMs` of fake time. */
  async until(done: () => boolean, { maxMs = 600_000, stepMs = 100, what = 'condition' } = {}): Promise<number> {
    const start = this.#now
    await settle()
    while (!done()) {
      if (this.#now - start >= maxMs) throw new Error(`${what} not reached after ${maxMs} ms of fake time`)
      await this.advance(stepMs)
    }
    return this.#now - start
  }

  #add(fn: () => void, ms: number, every: number): Timer {
    const t: Scheduled = { at: this.#now + Math.max(0, ms), seq: this.#seq++, fn, every, live: true }
    this.#timers.push(t)
    const timer: Timer = { cancel: () => { t.live = false }, unref: () => timer }
    return timer
  }

  #next(): Scheduled | undefined {
    this.#timers = this.#timers.filter((t) => t.live)
    let best: Scheduled | undefined
    for (const t of this.#timers) if (!best || t.at < best.at || (t.at === best.at && t.seq < best.seq)) best = t
    return best
  }

  #fire(t: Scheduled): void {
    if (t.every > 0) { t.at += t.every; t.seq = this.#seq++ } else t.live = false
    t.fn()
  }
}
