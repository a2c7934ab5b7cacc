/** Our external IPv4 address as other nodes report it (the `ip` field, BEP 42). One node
 * cannot be trusted, so reports are votes, one per reporting IP, and an address counts
 * once `quorum` distinct reporters agree on it. Bounded: the oldest voters are forgotten. */
const MAX_VOTERS = 64

export class ExternalIpVotes {
  readonly #votes = new Map<string, string>() // reporter IP -> address it saw
  #decided: string | undefined

  constructor(private readonly quorum = 4) {}

  get address(): string | undefined { return this.#decided }

  /** Records a report; returns the address when this vote makes it the decided one. */
  vote(reporterIp: string, seen: string): string | undefined {
    this.#votes.delete(reporterIp)
    this.#votes.set(reporterIp, seen)
    if (this.#votes.size > MAX_VOTERS) {
      const oldest = this.#votes.keys().next().value
      if (oldest !== undefined) this.#votes.delete(oldest)
    }
    let count = 0
    for (const v of this.#votes.values()) if (v === seen) count++
    if (count < this.quorum || count * 2 <= this.#votes.size || this.#decided === seen) return undefined
    this.#decided = seen
    return seen
  }
}
