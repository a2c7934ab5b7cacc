/** Piece priorities as layers, combined into the one array the picker follows:
 * 1. selection: the files the user wants (1 normal, 0 skip);
 * 2. ranges: explicit `select(start, end, priority)` calls, raising pieces (even of skipped files);
 * 3. readers: each stream reader's window (critical at the reader, readahead behind it),
 *    raising pieces even of skipped files, since someone reads them.
 * A piece gets the highest priority any layer gives it. Changes of any layer are merged:
 * `onChange` runs once per microtask however many readers moved. */
import { ReaderWindows } from './reader-windows.js'
import { PRIORITY_CRITICAL, PRIORITY_SKIP } from './picker-state.js'

export interface PriorityRange {
  readonly start: number
  readonly end: number
  readonly priority: number
  /** Takes this range back. */
  remove(): void
}

export class PiecePriorities {
  readonly readers: ReaderWindows
  #selection: Uint8Array
  readonly #ranges = new Set<PriorityRange>()
  #scheduled = false

  constructor(readonly pieceCount: number, private readonly onChange: () => void) {
    this.#selection = new Uint8Array(pieceCount).fill(1)
    this.readers = new ReaderWindows(() => this.changed(), false)
  }

  /** The selection layer (one entry per piece). */
  setSelection(prio: Uint8Array): void {
    if (prio.length !== this.pieceCount) throw new RangeError(`selection of ${prio.length} pieces for ${this.pieceCount}`)
    this.#selection = prio
    this.changed()
  }

  /** Raises pieces start..end (inclusive) to `priority` (1..7) until removed. */
  addRange(start: number, end: number, priority: number): PriorityRange {
    if (!Number.isInteger(priority) || priority <= PRIORITY_SKIP || priority > PRIORITY_CRITICAL) throw new RangeError(`priority ${priority} not in 1..7`)
    if (!Number.isInteger(start) || !Number.isInteger(end) || start < 0 || end < start) throw new RangeError(`bad piece range ${start}..${end}`)
    const range: PriorityRange = {
      start, end: Math.min(end, this.pieceCount - 1), priority,
      remove: () => { if (this.#ranges.delete(range)) this.changed() },
    }
    this.#ranges.add(range)
    this.changed()
    return range
  }

  /** Every layer combined. */
  compute(): Uint8Array {
    const prio = this.#selection.slice()
    for (const r of this.#ranges) for (let i = r.start; i <= r.end; i++) if (prio[i]! < r.priority) prio[i] = r.priority
    this.readers.apply(prio)
    return prio
  }

  changed(): void {
    if (this.#scheduled) return
    this.#scheduled = true
    queueMicrotask(() => { this.#scheduled = false; this.onChange() })
  }
}

/** Hands `set` the runs of equal priority in `next` that differ from `current`. */
export function changedRuns(next: Uint8Array, current: Uint8Array, set: (start: number, end: number, priority: number) => void): void {
  for (let i = 0; i < next.length;) {
    if (next[i] === current[i]) { i++; continue }
    let j = i
    while (j + 1 < next.length && next[j + 1] === next[i] && next[j + 1] !== current[j + 1]) j++
    set(i, j, next[i]!)
    i = j + 1
  }
}
