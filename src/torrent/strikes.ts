/** Who sent bad data. A piece that fails its hash gives a strike to every peer that sent part
 * of it, two when it was the only source; at three the peer is banned. Keyed by address, so
 * reconnecting does not wipe the slate. */
export class Strikes {
  readonly #counts = new Map<string, number>()

  constructor(private readonly limit = 3) {}

  /** Records a failed piece; returns the keys that reached the limit. */
  record(contributorKeys: readonly string[]): string[] {
    const weight = contributorKeys.length === 1 ? 2 : 1
    const banned: string[] = []
    for (const key of contributorKeys) {
      const n = (this.#counts.get(key) ?? 0) + weight
      this.#counts.set(key, n)
      if (n >= this.limit) banned.push(key)
    }
    return banned
  }
}
