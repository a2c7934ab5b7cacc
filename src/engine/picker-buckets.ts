/** Pieces waiting to be started, grouped in buckets by (priority, availability). Every
 * change is O(1): a piece whose availability changes by one (a `have` message) leaves its
 * bucket by swap-with-last and enters the next one at a random position. Random positions
 * break ties between equally rare pieces so that different clients (and different peers of
 * ours) spread over the swarm instead of all asking for the lowest index. Scanning in order
 * (high priority first, then rarest first) costs only the buckets and pieces visited. */
export class PickerBuckets {
  /** tiers[priority][availability] = piece indices in random order */
  private readonly tiers: number[][][] = []
  /** position of a piece in its bucket, -1 when not here */
  private readonly pos: Int32Array
  private readonly prioOf: Uint8Array
  private readonly availOf: Int32Array
  private readonly countByPrio: Int32Array
  private total = 0

  constructor(pieceCount: number, maxPriority: number, private readonly random: () => number) {
    this.pos = new Int32Array(pieceCount).fill(-1)
    this.prioOf = new Uint8Array(pieceCount)
    this.availOf = new Int32Array(pieceCount)
    this.countByPrio = new Int32Array(maxPriority + 1)
    for (let p = 0; p <= maxPriority; p++) this.tiers.push([])
  }

  get size(): number {
    return this.total
  }

  count(priority: number): number {
    return this.countByPrio[priority] ?? 0
  }

  has(index: number): boolean {
    return this.pos[index]! >= 0
  }

  /** Buckets of one priority, indexed by availability (entries may be undefined or empty).
   * Callers may remove pieces while iterating one bucket: the last piece moves into the hole. */
  tier(priority: number): readonly (number[] | undefined)[] {
    return this.tiers[priority] ?? []
  }

  insert(index: number, priority: number, availability: number): void {
    if (this.pos[index]! >= 0) this.remove(index)
    const tier = this.tiers[priority]!
    while (tier.length <= availability) tier.push([])
    const bucket = tier[availability]!
    // "inside-out" Fisher-Yates: a uniformly random slot, the piece there moves to the end
    const j = Math.floor(this.random() * (bucket.length + 1))
    const displaced = bucket[j]
    if (displaced === undefined) {
      bucket.push(index)
    } else {
      bucket.push(displaced)
      this.pos[displaced] = bucket.length - 1
      bucket[j] = index
    }
    this.pos[index] = displaced === undefined ? bucket.length - 1 : j
    this.prioOf[index] = priority
    this.availOf[index] = availability
    this.countByPrio[priority]!++
    this.total++
  }

  remove(index: number): void {
    const at = this.pos[index]!
    if (at < 0) return
    const priority = this.prioOf[index]!
    const bucket = this.tiers[priority]![this.availOf[index]!]!
    const last = bucket.pop()!
    if (last !== index) {
      bucket[at] = last
      this.pos[last] = at
    }
    this.pos[index] = -1
    this.countByPrio[priority]!--
    this.total--
  }
}
