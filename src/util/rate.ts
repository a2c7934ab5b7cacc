/** Bytes per second over a sliding window of one-second buckets. */
export class RateMeter {
  readonly #buckets: number[]
  #last: number
  #total = 0
  readonly #start: number

  constructor(private readonly windowSeconds = 5, private readonly now: () => number = Date.now) {
    this.#buckets = new Array<number>(windowSeconds).fill(0)
    this.#last = Math.floor(now() / 1000)
    this.#start = now()
  }

  add(bytes: number): void {
    this.#advance()
    const i = this.#last % this.windowSeconds
    this.#buckets[i] = (this.#buckets[i] ?? 0) + bytes
    this.#total += bytes
  }

  get total(): number { return this.#total }

  /** bytes/s over the window; young meters divide by their age, not the whole window */
  rate(): number {
    this.#advance()
    let sum = 0
    for (const b of this.#buckets) sum += b
    const age = (this.now() - this.#start) / 1000
    return sum / Math.max(1, Math.min(this.windowSeconds, age))
  }

  #advance(): void {
    const sec = Math.floor(this.now() / 1000)
    const gap = Math.min(sec - this.#last, this.windowSeconds)
    for (let k = 1; k <= gap; k++) this.#buckets[(this.#last + k) % this.windowSeconds] = 0
    this.#last = sec
  }
}
