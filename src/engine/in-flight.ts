/** The requests each peer has outstanding: the per-peer view of what the picker's piece
 * progress records per block. Kept by the picker alone (the single owner of in-flight
 * requests), so a choke, a timeout or a disconnect releases a block in exactly one place. */
import type { BlockRequest } from './block-request.js'

export interface InFlightRequest extends BlockRequest {
  /** when the request went out (the clock's milliseconds) */
  sentAt: number
}

export class InFlight {
  readonly #byPeer = new Map<string, Map<number, InFlightRequest>>()

  constructor(private readonly blocksPerPiece: number) {}

  #key(index: number, block: number): number { return index * this.blocksPerPiece + block }

  add(peerId: string, index: number, block: number, req: InFlightRequest): void {
    let map = this.#byPeer.get(peerId)
    if (!map) this.#byPeer.set(peerId, map = new Map())
    map.set(this.#key(index, block), req)
  }

  delete(peerId: string, index: number, block: number): boolean {
    const map = this.#byPeer.get(peerId)
    if (!map?.delete(this.#key(index, block))) return false
    if (map.size === 0) this.#byPeer.delete(peerId)
    return true
  }

  has(peerId: string, index: number, block: number): boolean {
    return this.#byPeer.get(peerId)?.has(this.#key(index, block)) ?? false
  }

  count(peerId: string): number { return this.#byPeer.get(peerId)?.size ?? 0 }

  /** the peer's requests, oldest first */
  of(peerId: string): IterableIterator<InFlightRequest> {
    return (this.#byPeer.get(peerId) ?? new Map<number, InFlightRequest>()).values()
  }

  /** Forgets every request of a peer; returns them. */
  take(peerId: string): InFlightRequest[] {
    const list = [...this.of(peerId)]
    this.#byPeer.delete(peerId)
    return list
  }

  peers(): IterableIterator<string> { return this.#byPeer.keys() }
}
