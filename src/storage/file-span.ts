/** Pure mapping from piece coordinates to file coordinates. A piece may span several files
 * (BEP 3: pieces are cut from the concatenation of all files), skip zero-length files, and
 * cover BEP 47 pad files, which exist only in the layout and are never written. */
import { StorageError, type StorageLayout } from './types.js'

export interface FileSegment {
  fileIndex: number
  /** Offset within the file. */
  fileOffset: number
  length: number
  /** Offset of this segment within the caller's buffer (0 for the first segment). */
  bufferOffset: number
  /** BEP 47 pad file: write nothing, read zeros. */
  padding: boolean
}

export function pieceCount(layout: StorageLayout): number {
  return Math.ceil(layout.length / layout.pieceLength)
}

/** Length of piece `index`; the last piece is usually shorter. */
export function pieceSize(layout: StorageLayout, index: number): number {
  const start = index * layout.pieceLength
  return Math.max(0, Math.min(layout.pieceLength, layout.length - start))
}

/** Throws StorageError('range') unless files are in order, contiguous and sum to `length`. */
export function validateLayout(layout: StorageLayout): void {
  if (!(Number.isSafeInteger(layout.pieceLength) && layout.pieceLength > 0)) {
    throw new StorageError('range', `bad piece length ${layout.pieceLength}`)
  }
  let offset = 0
  for (const [i, f] of layout.files.entries()) {
    if (!Number.isSafeInteger(f.length) || f.length < 0 || f.offset !== offset) {
      throw new StorageError('range', `file ${i} is not contiguous (offset ${f.offset}, expected ${offset})`)
    }
    offset += f.length
  }
  if (offset !== layout.length) throw new StorageError('range', `files sum to ${offset}, layout says ${layout.length}`)
}

/** Index of the file holding torrent byte `pos` (0 <= pos < length), by binary search for
 * the last file starting at or before `pos`. Zero-length files share their offset with the
 * next file, so "last" always lands on the non-empty file that really holds the byte. */
export function fileAt(layout: StorageLayout, pos: number): number {
  const files = layout.files
  let lo = 0
  let hi = files.length - 1
  while (lo < hi) {
    const mid = (lo + hi + 1) >>> 1
    if (files[mid]!.offset <= pos) lo = mid
    else hi = mid - 1
  }
  return lo
}

/** Segments covering torrent bytes [start, start + length), in order, zero-length files left out. */
export function spanRange(layout: StorageLayout, start: number, length: number): FileSegment[] {
  if (length === 0) return []
  if (start < 0 || length < 0 || start + length > layout.length) {
    throw new StorageError('range', `bytes ${start}+${length} outside torrent of ${layout.length}`)
  }
  const out: FileSegment[] = []
  let pos = start
  let bufferOffset = 0
  let i = fileAt(layout, pos)
  while (bufferOffset < length) {
    const f = layout.files[i++]
    if (f === undefined) throw new StorageError('range', 'layout files do not cover the torrent')
    if (f.length === 0) continue
    const fileOffset = pos - f.offset
    const n = Math.min(f.length - fileOffset, length - bufferOffset)
    out.push({ fileIndex: i - 1, fileOffset, length: n, bufferOffset, padding: f.padding === true })
    pos += n
    bufferOffset += n
  }
  return out
}

/** Segments for `length` bytes at `offset` within piece `index`. */
export function spanPiece(layout: StorageLayout, index: number, offset: number, length: number): FileSegment[] {
  const size = pieceSize(layout, index)
  if (!Number.isInteger(index) || index < 0 || offset < 0 || length < 0 || offset + length > size || size === 0) {
    throw new StorageError('range', `piece ${index} bytes ${offset}+${length} outside piece of ${size}`)
  }
  return spanRange(layout, index * layout.pieceLength + offset, length)
}

/** Inclusive range of pieces touching file `fileIndex`, or null for a zero-length file. */
export function piecesOfFile(layout: StorageLayout, fileIndex: number): { first: number; last: number } | null {
  const f = layout.files[fileIndex]
  if (f === undefined || f.length === 0) return null
  return {
    first: Math.floor(f.offset / layout.pieceLength),
    last: Math.floor((f.offset + f.length - 1) / layout.pieceLength),
  }
}

/** Given file sizes on disk (-1 = missing), says which pieces could possibly be complete: a
 * piece is impossible if any non-pad file it touches is missing or shorter than the end of its
 * segment (a real write always extends the file that far). Lets verification skip reading
 * pieces of files that were never downloaded. */
export function piecesPossiblyPresent(layout: StorageLayout, sizes: readonly number[]): (index: number) => boolean {
  return (index) => {
    const size = pieceSize(layout, index)
    if (size === 0) return false
    for (const s of spanPiece(layout, index, 0, size)) {
      if (s.padding) continue
      if ((sizes[s.fileIndex] ?? -1) < s.fileOffset + s.length) return false
    }
    return true
  }
}
