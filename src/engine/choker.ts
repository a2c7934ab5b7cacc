/** Tit-for-tat choking (BEP 3 "choking and optimistic unchoking"): the peers that give us
 * the most (or, when seeding, take the most) get the regular slots; one more slot rotates
 * among the others so newcomers get a chance to prove themselves. Pure: no timers. */
export interface ChokeCandidate {
  id: string
  interested: boolean
  /** bytes/s: what they give us while downloading, what we give them while seeding */
  rate: number
}

export interface ChokerOptions {
  slots?: number
  optimisticEveryMs?: number
  now?: () => number
  random?: () => number
}

export class Choker {
  readonly slots: number
  #optimistic: string | undefined
  #optimisticSince = -Infinity
  readonly #every: number
  readonly #now: () => number
  readonly #random: () => number

  constructor(opts: ChokerOptions = {}) {
    this.slots = opts.slots ?? 4
    this.#every = opts.optimisticEveryMs ?? 30_000
    this.#now = opts.now ?? Date.now
    this.#random = opts.random ?? Math.random
  }

  /** Returns the ids of the peers to unchoke; everyone else is choked. */
  decide(peers: readonly ChokeCandidate[]): Set<string> {
    const interested = peers.filter((p) => p.interested).sort((a, b) => b.rate - a.rate)
    const unchoke = new Set(interested.slice(0, this.slots).map((p) => p.id))
    const rest = interested.filter((p) => !unchoke.has(p.id))
    const now = this.#now()
    const current = rest.find((p) => p.id === this.#optimistic)
    if (!current || now - this.#optimisticSince >= this.#every) {
      const pick = rest[Math.floor(this.#random() * rest.length)]
      this.#optimistic = pick?.id
      this.#optimisticSince = now
    }
    if (this.#optimistic !== undefined && rest.some((p) => p.id === this.#optimistic)) unchoke.add(this.#optimistic)
    return unchoke
  }
}
