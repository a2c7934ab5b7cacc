/** Piece priorities wanted by stream readers. Pure bookkeeping: each reader owns a window
 * (critical pieces at its position, readahead behind them) and the torrent asks for the
 * max over all windows on top of its file selection. */
import { PRIORITY_CRITICAL } from './picker-state.js'

/** Readahead pieces are high priority (2..6): after every reader's critical pieces, before
 * normal order. */
export const PRIORITY_READAHEAD = 5

export interface WindowSize {
  /** pieces at the reader's position requested at once, in index order */
  critical: number
  /** pieces after those, high priority */
  readahead: number
}

/** Window sizes for a piece length: about 256 KiB critical (at least 2 pieces, so the next
 * piece is on its way while the reader drains this one) and `readaheadBytes` behind it. */
export function windowSize(pieceLength: number, readaheadBytes = 8 * 1024 * 1024): WindowSize {
  return {
    critical: Math.max(2, Math.ceil((256 * 1024) / pieceLength)),
    readahead: Math.max(1, Math.ceil(readaheadBytes / pieceLength)),
  }
}

export class ReaderWindow {
  /** the piece the reader is at; -1 before it started */
  position = -1
  constructor(
    private readonly owner: ReaderWindows,
    /** last piece this reader will ever need (end of its range) */
    readonly lastPiece: number,
    readonly size: WindowSize,
  ) {}

  /** The reader is at `piece` (after a seek, or moving on): moves the window there. */
  moveTo(piece: number): void {
    if (piece === this.position) return
    this.position = piece
    this.owner.changed()
  }

  /** The reader ended or was destroyed: its pieces go back to normal order. */
  remove(): void { this.owner.delete(this) }

  /** Raises `prio` for this window's pieces. */
  apply(prio: Uint8Array): void {
    if (this.position < 0) return
    const critEnd = Math.min(this.lastPiece, this.position + this.size.critical - 1, prio.length - 1)
    for (let i = this.position; i <= critEnd; i++) prio[i] = PRIORITY_CRITICAL
    const aheadEnd = Math.min(this.lastPiece, critEnd + this.size.readahead, prio.length - 1)
    for (let i = critEnd + 1; i <= aheadEnd; i++) if (prio[i]! < PRIORITY_READAHEAD) prio[i] = PRIORITY_READAHEAD
  }
}

/** All reader windows of one torrent. `onChange` runs once per batch of changes (a
 * microtask later), so several readers moving at once cost one recomputation; with
 * `batch` false it runs at once (the owner batches, as PiecePriorities does). */
export class ReaderWindows {
  readonly #windows = new Set<ReaderWindow>()
  #scheduled = false

  constructor(private readonly onChange: () => void, private readonly batch = true) {}

  get size(): number { return this.#windows.size }

  add(lastPiece: number, size: WindowSize): ReaderWindow {
    const w = new ReaderWindow(this, lastPiece, size)
    this.#windows.add(w)
    return w
  }

  delete(w: ReaderWindow): void {
    if (this.#windows.delete(w) && w.position >= 0) this.changed()
  }

  /** Writes max(current, window) into `prio` for every window. */
  apply(prio: Uint8Array): void {
    for (const w of this.#windows) w.apply(prio)
  }

  changed(): void {
    if (!this.batch) { this.onChange(); return }
    if (this.#scheduled) return
    this.#scheduled = true
    queueMicrotask(() => { this.#scheduled = false; this.onChange() })
  }
}
