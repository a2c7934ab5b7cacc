/** WebTorrent's piece selection calls over our priority layers (engine/piece-priorities.ts):
 *
 * - `select(start, end, priority)` wants pieces start..end (inclusive), even of skipped
 *   files. WebTorrent's priorities are any number, 0 by default, higher first; ours are
 *   1 (normal) to 4, so 0 → 1 and 3 or more → 4, below stream readahead (5) and critical (7).
 * - `deselect(start, end)` takes back the selections inside that range (the parts of wider
 *   ones outside it stay), and skips the files lying wholly inside it. A file reaching
 *   beyond the range keeps its pieces: the file selection, not piece ranges, says what a file
 *   needs. So `deselect(0, pieceCount - 1)`, WebTorrent's "select nothing", skips every file.
 * - `critical(start, end)` fetches those pieces first (a reader's critical priority).
 */
import { PRIORITY_CRITICAL } from '../engine/picker.js'
import type { PiecePriorities, PriorityRange } from '../engine/piece-priorities.js'
import type { TorrentFile } from './files.js'

const MAX_SELECT_PRIORITY = 4

export class Selections {
  readonly #ranges = new Set<PriorityRange>()

  constructor(private readonly priorities: PiecePriorities, private readonly files: readonly TorrentFile[]) {}

  select(start: number, end: number, priority = 0): void {
    this.#check(start, end)
    const p = Math.max(1, Math.min(MAX_SELECT_PRIORITY, 1 + Math.round(Number(priority) || 0)))
    this.#ranges.add(this.priorities.addRange(start, end, p))
  }

  deselect(start: number, end: number): void {
    this.#check(start, end)
    for (const r of [...this.#ranges]) {
      if (r.priority === PRIORITY_CRITICAL || r.end < start || r.start > end) continue
      this.#ranges.delete(r)
      r.remove()
      if (r.start < start) this.#ranges.add(this.priorities.addRange(r.start, start - 1, r.priority))
      if (r.end > end) this.#ranges.add(this.priorities.addRange(end + 1, r.end, r.priority))
    }
    for (const f of this.files) {
      if (!f.padding && f.length > 0 && f.firstPiece >= start && f.lastPiece <= end) f.deselect()
    }
  }

  critical(start: number, end: number): void {
    this.#check(start, end)
    this.#ranges.add(this.priorities.addRange(start, end, PRIORITY_CRITICAL))
  }

  #check(start: number, end: number): void {
    const last = this.priorities.pieceCount - 1
    if (!Number.isInteger(start) || !Number.isInteger(end) || start < 0 || end < start || end > last) {
      throw new RangeError(`invalid piece range ${start}..${end} (pieces are 0..${last})`)
    }
  }
}
