/** A token bucket for rate limits: `take(n)` resolves once n bytes may go out at `rate`
 * bytes/s (bursts up to one second's worth). Platform-neutral; the clock is injected. */
import { delay, systemClock, type Clock } from './clock.js'

export class TokenBucket {
  #tokens: number
  #last: number

  constructor(private readonly rate: number, private readonly clock: Clock = systemClock) {
    this.#tokens = rate
    this.#last = clock.now()
  }

  /** Milliseconds to wait before `n` bytes fit (0 when they fit now); takes them. */
  reserve(n: number): number {
    const t = this.clock.now()
    this.#tokens = Math.min(this.rate, this.#tokens + ((t - this.#last) / 1000) * this.rate)
    this.#last = t
    this.#tokens -= n
    return this.#tokens >= 0 ? 0 : (-this.#tokens / this.rate) * 1000
  }

  async take(n: number): Promise<void> {
    const wait = this.reserve(n)
    if (wait > 0) await delay(this.clock, wait)
  }
}
