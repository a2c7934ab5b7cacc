/** Bookkeeping behind the piece picker: each piece's state, priority and availability, and
 * the structures derived from them (rarest-first buckets, pieces in progress, per-priority
 * counts, index-order cursors), kept consistent by routing every change through one place. */
import { PickerBuckets } from './picker-buckets.js'
import { PieceProgress } from './picker-progress.js'

export const POOL = 0 // wanted or not, nothing requested or received
export const PARTIAL = 1 // some blocks requested or received
export const COMPLETE = 2 // all blocks received, waiting for verification
export const HAVE = 3 // verified
export type PieceState = typeof POOL | typeof PARTIAL | typeof COMPLETE | typeof HAVE

export const PRIORITY_SKIP = 0
export const PRIORITY_NORMAL = 1
export const PRIORITY_CRITICAL = 7

export class PieceStates {
  readonly state: Uint8Array
  readonly prio: Uint8Array
  /** peers with a bitfield or `have` for the piece; have_all peers are counted apart */
  readonly avail: Int32Array
  /** POOL pieces with priority > 0 */
  readonly pool: PickerBuckets
  /** PARTIAL pieces, oldest first */
  readonly progress = new Map<number, PieceProgress>()
  private readonly partialByPrio = new Int32Array(PRIORITY_CRITICAL + 1)
  /** per priority: no POOL or PARTIAL piece of that priority lies below this index */
  private readonly cursor = new Int32Array(PRIORITY_CRITICAL + 1)
  /** pieces with priority > 0 not yet HAVE */
  wantedMissing: number

  constructor(readonly pieceCount: number, random: () => number) {
    this.state = new Uint8Array(pieceCount)
    this.prio = new Uint8Array(pieceCount).fill(PRIORITY_NORMAL)
    this.avail = new Int32Array(pieceCount)
    this.pool = new PickerBuckets(pieceCount, PRIORITY_CRITICAL, random)
    for (let i = 0; i < pieceCount; i++) this.pool.insert(i, PRIORITY_NORMAL, 0)
    this.wantedMissing = pieceCount
  }

  /** POOL and PARTIAL pieces of priority p. */
  candidates(p: number): number {
    return this.pool.count(p) + this.partialByPrio[p]!
  }

  partials(p: number): number {
    return this.partialByPrio[p]!
  }

  isCandidate(i: number, p: number): boolean {
    const s = this.state[i]
    return this.prio[i] === p && (s === POOL || s === PARTIAL)
  }

  /** Lowest index that may be a candidate of priority p (moves the cursor past the rest). */
  firstCandidate(p: number): number {
    let i = this.cursor[p]!
    while (i < this.pieceCount && !this.isCandidate(i, p)) i++
    this.cursor[p] = i
    return i
  }

  /** Moves piece i to a new state; PARTIAL gets fresh block progress, others drop theirs. */
  setState(i: number, s: PieceState, blocks = 0): PieceProgress | undefined {
    this.unplace(i)
    this.state[i] = s
    let prog: PieceProgress | undefined
    if (s === PARTIAL) this.progress.set(i, prog = new PieceProgress(blocks))
    else this.progress.delete(i)
    this.place(i)
    return prog
  }

  setPriority(i: number, p: number): void {
    if (this.prio[i] === p) return
    this.unplace(i)
    this.prio[i] = p
    this.place(i)
  }

  changeAvailability(i: number, delta: number): void {
    const a = this.avail[i]! + delta
    if (a < 0) return
    this.avail[i] = a
    if (this.pool.has(i)) this.pool.insert(i, this.prio[i]!, a)
  }

  private unplace(i: number): void {
    const s = this.state[i]!
    const p = this.prio[i]!
    if (s === POOL) this.pool.remove(i)
    else if (s === PARTIAL) this.partialByPrio[p]!--
    if (s !== HAVE && p > PRIORITY_SKIP) this.wantedMissing--
  }

  private place(i: number): void {
    const s = this.state[i]!
    const p = this.prio[i]!
    if (s === POOL && p > PRIORITY_SKIP) this.pool.insert(i, p, this.avail[i]!)
    else if (s === PARTIAL) this.partialByPrio[p]!++
    if (s !== HAVE && p > PRIORITY_SKIP) this.wantedMissing++
    if ((s === POOL || s === PARTIAL) && i < this.cursor[p]!) this.cursor[p] = i
  }
}
