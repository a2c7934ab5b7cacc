import type { TorrentFileEntry } from '../metainfo/index.js'
import type { Torrent } from './torrent.js'

/** One file of a torrent as users see it. Selecting and deselecting changes which pieces
 * the torrent wants; the torrent recomputes piece priorities from all files at once. */
export class TorrentFile {
  selected = true
  /** the torrent this file belongs to; stream readers (src/stream) read through it */
  torrent: Torrent | undefined
  constructor(
    readonly index: number,
    readonly entry: TorrentFileEntry,
    readonly pieceLength: number,
    private readonly onChange: () => void,
    private readonly bytesHave: (file: TorrentFile) => number,
  ) {}

  get name(): string { return this.entry.path[this.entry.path.length - 1] ?? '' }
  get path(): string { return this.entry.pathString }
  get length(): number { return this.entry.length }
  get offset(): number { return this.entry.offset }
  get padding(): boolean { return this.entry.padding }

  /** inclusive piece range covering this file; empty files cover none */
  get firstPiece(): number { return Math.floor(this.offset / this.pieceLength) }
  get lastPiece(): number { return Math.floor((this.offset + Math.max(this.length, 1) - 1) / this.pieceLength) }

  /** fraction of this file's bytes verified, 0..1 */
  get progress(): number { return this.length === 0 ? 1 : this.bytesHave(this) / this.length }

  select(): void { if (!this.selected) { this.selected = true; this.onChange() } }
  deselect(): void { if (this.selected) { this.selected = false; this.onChange() } }
}

/** Piece priorities from file selection: a piece is wanted when any selected file touches it. */
export function piecePriorities(files: readonly TorrentFile[], pieceCount: number): Uint8Array {
  const prio = new Uint8Array(pieceCount)
  for (const f of files) {
    if (!f.selected || f.padding || f.length === 0) continue
    prio.fill(1, f.firstPiece, f.lastPiece + 1)
  }
  return prio
}

/** Verified bytes of a file, counting the partial first and last pieces exactly. */
export function verifiedBytesOf(file: TorrentFile, has: (index: number) => boolean, pieceLength: number): number {
  let n = 0
  const start = file.offset, end = file.offset + file.length
  for (let i = file.firstPiece; i <= file.lastPiece && file.length > 0; i++) {
    if (!has(i)) continue
    n += Math.min(end, (i + 1) * pieceLength) - Math.max(start, i * pieceLength)
  }
  return n
}
