/** Token buckets: `rate` tokens per second refill up to `burst`; each request takes one.
 * Keyed by address for HTTP/UDP. The map is bounded: buckets that have refilled completely
 * carry no information and are swept, and when the map is full the oldest key is evicted
 * (an attacker rotating addresses gains at most a fresh burst, never unbounded memory). */

export interface Bucket { tokens: number; at: number }

/** Takes one token from `b` at time `now` (ms). Returns false when the bucket is empty. */
export function take(b: Bucket, now: number, rate: number, burst: number): boolean {
  const elapsed = Math.max(0, now - b.at) / 1000
  b.tokens = Math.min(burst, b.tokens + elapsed * rate)
  b.at = now
  if (b.tokens < 1) return false
  b.tokens -= 1
  return true
}

export class RateLimiter {
  readonly #buckets = new Map<string, Bucket>()
  readonly #rate: number
  readonly #burst: number
  readonly #maxKeys: number

  /** `rate` 0 disables limiting. */
  constructor(opts: { rate: number; burst: number; maxKeys?: number }) {
    this.#rate = opts.rate
    this.#burst = Math.max(1, opts.burst)
    this.#maxKeys = opts.maxKeys ?? 100_000
  }

  allow(key: string, now: number): boolean {
    if (this.#rate <= 0) return true
    let b = this.#buckets.get(key)
    if (!b) {
      if (this.#buckets.size >= this.#maxKeys) {
        const oldest = this.#buckets.keys().next().value
        if (oldest !== undefined) this.#buckets.delete(oldest)
      }
      b = { tokens: this.#burst, at: now }
      this.#buckets.set(key, b)
    }
    return take(b, now, this.#rate, this.#burst)
  }

  /** Drops buckets that would be full by now. */
  sweep(now: number): void {
    const fullAfterMs = (this.#burst / this.#rate) * 1000
    for (const [k, b] of this.#buckets) if (now - b.at >= fullAfterMs) this.#buckets.delete(k)
  }

  get size(): number { return this.#buckets.size }
}
