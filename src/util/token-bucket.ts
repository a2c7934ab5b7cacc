/** A token bucket for rate limits: `take(n)` resolves once n bytes may go out at `rate`
 * bytes/s (bursts up to one second's worth). Platform-neutral; the clock is injectable. */
export class TokenBucket {
  #tokens: number
  #last: number

  constructor(private readonly rate: number, private readonly now: () => number = Date.now) {
    this.#tokens = rate
    this.#last = now()
  }

  /** Milliseconds to wait before `n` bytes fit (0 when they fit now); takes them. */
  reserve(n: number): number {
    const t = this.now()
    this.#tokens = Math.min(this.rate, this.#tokens + ((t - this.#last) / 1000) * this.rate)
    this.#last = t
    this.#tokens -= n
    return this.#tokens >= 0 ? 0 : (-this.#tokens / this.rate) * 1000
  }

  async take(n: number): Promise<void> {
    const wait = this.reserve(n)
    if (wait > 0) await new Promise((r) => setTimeout(r, wait))
  }
}
