/** Per-source-IP token buckets for incoming queries: `rate` per second up to `burst`. The
 * map is bounded; when full, the oldest entry goes (an attacker rotating addresses gains a
 * fresh burst, never unbounded memory). */
interface Bucket { tokens: number; at: number }

export class IpRateLimiter {
  readonly #buckets = new Map<string, Bucket>()

  constructor(private readonly rate: number, private readonly burst: number, private readonly maxKeys: number) {}

  get size(): number { return this.#buckets.size }

  allow(ip: string, now: number): boolean {
    if (this.rate <= 0) return true
    let b = this.#buckets.get(ip)
    if (!b) {
      if (this.#buckets.size >= this.maxKeys) {
        const oldest = this.#buckets.keys().next().value
        if (oldest !== undefined) this.#buckets.delete(oldest)
      }
      b = { tokens: this.burst, at: now }
      this.#buckets.set(ip, b)
    }
    b.tokens = Math.min(this.burst, b.tokens + (Math.max(0, now - b.at) / 1000) * this.rate)
    b.at = now
    if (b.tokens < 1) return false
    b.tokens -= 1
    return true
  }

  /** Forgets buckets that have refilled: they hold no information. */
  sweep(now: number): void {
    const fullAfterMs = (this.burst / this.rate) * 1000
    for (const [k, b] of this.#buckets) if (now - b.at >= fullAfterMs) this.#buckets.delete(k)
  }
}
