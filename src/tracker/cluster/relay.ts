import type { Swarm } from '../swarm-store.js'

/** Where the offers of one announce go when the swarm's WebSocket peers are spread over the
 * cluster: each offer picks a process at random, weighted by how many WebSocket peers it
 * holds, and no process gets more offers than it has peers. */
export function splitOffers<H>(swarm: Swarm<H>, n: number, announcerIsLocal: boolean, random: (n: number) => number): { local: number; remote: Map<string, number> } {
  let localLeft = Math.max(0, swarm.ws.size - (announcerIsLocal ? 1 : 0))
  const remoteLeft = new Map<string, number>()
  let total = localLeft
  for (const [origin, s] of swarm.summaries ?? []) if (s.ws > 0) { remoteLeft.set(origin, s.ws); total += s.ws }
  const out = { local: 0, remote: new Map<string, number>() }
  for (let k = 0; k < n && total > 0; k++) {
    let r = random(total)
    total--
    if (r < localLeft) { localLeft--; out.local++; continue }
    r -= localLeft
    for (const [origin, left] of remoteLeft) {
      if (r < left) {
        remoteLeft.set(origin, left - 1)
        out.remote.set(origin, (out.remote.get(origin) ?? 0) + 1)
        break
      }
      r -= left
    }
  }
  return out
}

/** Which process an offer came from, so the answer can go back there. Bounded (oldest first
 * out) and short-lived: offers expire on the offerer's side after ~50 s. */
export class OfferRoutes {
  readonly #routes = new Map<string, { origin: string; at: number }>()
  constructor(private readonly now: () => number, private readonly max = 100_000, private readonly ttlMs = 60_000) {}

  set(offerId: string, origin: string): void {
    this.#routes.delete(offerId)
    if (this.#routes.size >= this.max) this.#routes.delete(this.#routes.keys().next().value!)
    this.#routes.set(offerId, { origin, at: this.now() })
  }

  /** The origin, once: an offer is answered once. */
  take(offerId: string): string | undefined {
    const r = this.#routes.get(offerId)
    if (!r) return undefined
    this.#routes.delete(offerId)
    return this.now() - r.at <= this.ttlMs ? r.origin : undefined
  }

  get size(): number { return this.#routes.size }
}
