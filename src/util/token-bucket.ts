/** A token bucket for rate limits: `take(n)` resolves once n bytes may go out at `rate`
 * bytes/s (bursts up to one second's worth). Platform-neutral; the clock is injected.
 *
 * A bucket may have a parent (a client's limit shared by its torrents): bytes taken from
 * a child are taken from its parent too, so both limits hold. The rate can change at any
 * time (`setRate`); Infinity means no limit. */
import { delay, systemClock, type Clock } from './clock.js'

export class TokenBucket {
  #rate: number
  #tokens: number
  #last: number

  constructor(rate = Infinity, private readonly clock: Clock = systemClock, readonly parent?: TokenBucket) {
    this.#rate = checkRate(rate)
    this.#tokens = this.#rate
    this.#last = clock.now()
  }

  /** bytes per second (Infinity: no limit) */
  get rate(): number { return this.#rate }

  /** this bucket or a parent limits anything */
  get limited(): boolean { return this.#rate !== Infinity || (this.parent?.limited ?? false) }

  setRate(rate: number): void {
    this.#refill()
    this.#rate = checkRate(rate)
    // a new limit starts with one second of burst, never more than what was there
    this.#tokens = Math.min(this.#rate, this.#tokens === Infinity ? this.#rate : this.#tokens)
  }

  /** Milliseconds to wait before `n` bytes fit (0 when they fit now); takes them. */
  reserve(n: number): number {
    const own = this.#reserveOwn(n)
    const parent = this.parent?.reserve(n) ?? 0
    return Math.max(own, parent)
  }

  async take(n: number): Promise<void> {
    const wait = this.reserve(n)
    if (wait > 0) await delay(this.clock, wait)
  }

  /** Bytes that may go now without waiting (Infinity without a limit). */
  available(): number {
    this.#refill()
    const own = this.#rate === Infinity ? Infinity : Math.max(0, this.#tokens)
    return Math.min(own, this.parent?.available() ?? Infinity)
  }

  /** Takes `n` bytes now, whether they fit or not: a balance below zero is paid back
   * before anything more is available. */
  spend(n: number): void {
    this.#reserveOwn(n)
    this.parent?.spend(n)
  }

  #reserveOwn(n: number): number {
    if (this.#rate === Infinity) return 0
    this.#refill()
    this.#tokens -= n
    return this.#tokens >= 0 ? 0 : (-this.#tokens / this.#rate) * 1000
  }

  #refill(): void {
    const t = this.clock.now()
    if (this.#rate !== Infinity) this.#tokens = Math.min(this.#rate, this.#tokens + ((t - this.#last) / 1000) * this.#rate)
    this.#last = t
  }
}

function checkRate(rate: number): number {
  if (!(rate > 0)) throw new RangeError(`a rate limit must be more than 0 bytes/s (or Infinity), not ${rate}`)
  return rate
}

/** A rate as WebTorrent's throttle calls take it: bytes/s above 0, or -1 / Infinity for
 * no limit. Anything else (0, NaN, other negatives) is undefined: refused. */
export function limitFrom(rate: number): number | undefined {
  if (rate === -1 || rate === Infinity) return Infinity
  return Number.isFinite(rate) && rate > 0 ? rate : undefined
}
