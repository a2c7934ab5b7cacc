/** Block-level state of one piece being downloaded: which blocks arrived and which peers have
 * each block requested. A block normally has one requester; in endgame a few more. */
export class PieceProgress {
  readonly received: Uint8Array
  receivedCount = 0
  /** Blocks not yet received that have at least one outstanding request. */
  requestedCount = 0
  private readonly requesters: (string[] | undefined)[]

  constructor(readonly blocks: number) {
    this.received = new Uint8Array(blocks)
    this.requesters = new Array<string[] | undefined>(blocks)
  }

  /** Blocks neither received nor requested from anyone. */
  get free(): number {
    return this.blocks - this.receivedCount - this.requestedCount
  }

  requestCount(block: number): number {
    return this.requesters[block]?.length ?? 0
  }

  peersOf(block: number): string[] {
    return [...(this.requesters[block] ?? [])]
  }

  isRequestedBy(block: number, peerId: string): boolean {
    return this.requesters[block]?.includes(peerId) ?? false
  }

  addRequest(block: number, peerId: string): void {
    let list = this.requesters[block]
    if (list === undefined) this.requesters[block] = list = []
    if (list.includes(peerId)) return
    if (list.length === 0 && this.received[block] === 0) this.requestedCount++
    list.push(peerId)
  }

  /** Returns true if the peer had the block requested. */
  dropRequest(block: number, peerId: string): boolean {
    const list = this.requesters[block]
    const at = list?.indexOf(peerId) ?? -1
    if (list === undefined || at < 0) return false
    list.splice(at, 1)
    if (list.length === 0 && this.received[block] === 0) this.requestedCount--
    return true
  }

  /** Marks the block received; returns the peers that had it requested (now to be cancelled,
   * sender included), or null if it was already received. */
  receive(block: number): string[] | null {
    if (this.received[block] === 1) return null
    const list = this.requesters[block] ?? []
    if (list.length > 0) this.requestedCount--
    this.requesters[block] = undefined
    this.received[block] = 1
    this.receivedCount++
    return list
  }
}
