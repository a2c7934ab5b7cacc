/** Figures of a torrent that are sums over its pieces and files. */
import type { Bitfield } from '../util/bitfield.js'
import type { Metainfo } from '../metainfo/index.js'
import type { TorrentFile } from './files.js'

/** Bytes of verified pieces in the whole torrent (the last piece may be short). */
export function verifiedLength(have: Bitfield | undefined, m: Metainfo | undefined): number {
  if (!have || !m) return 0
  return have.count() * m.pieceLength - (have.get(m.pieceCount - 1) ? m.pieceLength - m.lastPieceLength : 0)
}

/** Verified bytes of the selected files, and how many are wanted. */
export function wantedBytes(files: readonly TorrentFile[], verified: (f: TorrentFile) => number): { have: number; total: number } {
  let have = 0, total = 0
  for (const f of files) {
    if (!f.selected || f.padding) continue
    total += f.length
    have += verified(f)
  }
  return { have, total }
}

/** Milliseconds left at `rate` bytes/s (Infinity while nothing comes). */
export function remainingMs(left: number, rate: number): number {
  if (left <= 0) return 0
  return rate === 0 ? Infinity : (left / rate) * 1000
}
