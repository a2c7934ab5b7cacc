import { test } from 'node:test'
import assert from 'node:assert/strict'
import {
  fileAt, pieceCount, pieceSize, piecesOfFile, piecesPossiblyPresent, spanPiece, spanRange, validateLayout,
} from '../../src/storage/file-span.js'
import { StorageError, type StorageLayout } from '../../src/storage/types.js'

/** Builds a contiguous layout from [name, length, padding?] entries. */
function layoutOf(pieceLength: number, files: [string, number, boolean?][]): StorageLayout {
  let offset = 0
  const out = files.map(([name, length, padding]) => {
    const f = { path: ['t', name], length, offset, padding }
    offset += length
    return f
  })
  return { pieceLength, length: offset, files: out }
}

const seg = (fileIndex: number, fileOffset: number, length: number, bufferOffset: number, padding = false) =>
  ({ fileIndex, fileOffset, length, bufferOffset, padding })

test('single file: pieces, last piece shorter', () => {
  const l = layoutOf(16, [['a', 40]])
  assert.equal(pieceCount(l), 3)
  assert.deepEqual([0, 1, 2, 3].map((i) => pieceSize(l, i)), [16, 16, 8, 0])
  assert.deepEqual(spanPiece(l, 2, 0, 8), [seg(0, 32, 8, 0)])
  assert.deepEqual(spanPiece(l, 1, 4, 10), [seg(0, 20, 10, 0)])
  assert.throws(() => spanPiece(l, 2, 0, 9), StorageError)
  assert.throws(() => spanPiece(l, 3, 0, 1), StorageError)
  assert.throws(() => spanPiece(l, -1, 0, 1), StorageError)
  assert.deepEqual(spanPiece(l, 0, 5, 0), [])
})

test('a piece spanning three files, with zero-length files between them', () => {
  const l = layoutOf(16, [['a', 5], ['empty1', 0], ['b', 3], ['empty2', 0], ['empty3', 0], ['c', 20], ['d', 0]])
  assert.deepEqual(spanPiece(l, 0, 0, 16), [seg(0, 0, 5, 0), seg(2, 0, 3, 5), seg(5, 0, 8, 8)])
  assert.deepEqual(spanPiece(l, 0, 4, 3), [seg(0, 4, 1, 0), seg(2, 0, 2, 1)])
  assert.deepEqual(spanPiece(l, 1, 0, 12), [seg(5, 8, 12, 0)])
  // binary search lands on the non-empty file at a shared offset
  assert.equal(fileAt(l, 5), 2)
  assert.equal(fileAt(l, 8), 5)
  assert.equal(fileAt(l, 27), 5)
  assert.deepEqual(piecesOfFile(l, 1), null)
  assert.deepEqual(piecesOfFile(l, 5), { first: 0, last: 1 })
  assert.deepEqual(piecesOfFile(l, 6), null)
})

test('pad files are marked so they are never written', () => {
  // BEP 47: pad file aligns the next file to a piece boundary
  const l = layoutOf(8, [['a', 5], ['.pad/3', 3, true], ['b', 10]])
  assert.deepEqual(spanPiece(l, 0, 0, 8), [seg(0, 0, 5, 0), seg(1, 0, 3, 5, true)])
  assert.deepEqual(spanPiece(l, 1, 0, 8), [seg(2, 0, 8, 0)])
  assert.deepEqual(spanPiece(l, 2, 0, 2), [seg(2, 8, 2, 0)])
})

test('many files: every byte maps to exactly one place', () => {
  const sizes = [0, 1, 7, 0, 16, 33, 2, 0, 64, 5]
  const l = layoutOf(16, sizes.map((n, i): [string, number] => [`f${i}`, n]))
  const seen = new Set<string>()
  for (let p = 0; p < pieceCount(l); p++) {
    const segs = spanPiece(l, p, 0, pieceSize(l, p))
    let expectBuf = 0
    for (const s of segs) {
      assert.equal(s.bufferOffset, expectBuf)
      assert.ok(s.length > 0)
      const f = l.files[s.fileIndex]!
      assert.ok(s.fileOffset + s.length <= f.length)
      for (let k = 0; k < s.length; k++) {
        const key = `${s.fileIndex}:${s.fileOffset + k}`
        assert.ok(!seen.has(key))
        seen.add(key)
        assert.equal(f.offset + s.fileOffset + k, p * 16 + s.bufferOffset + k)
      }
      expectBuf += s.length
    }
    assert.equal(expectBuf, pieceSize(l, p))
  }
  assert.equal(seen.size, l.length)
  assert.deepEqual(spanRange(l, 0, 0), [])
  assert.throws(() => spanRange(l, l.length - 1, 2), StorageError)
})

test('validateLayout rejects gaps, overlaps and wrong totals', () => {
  validateLayout(layoutOf(4, [['a', 3], ['b', 0], ['c', 9]]))
  const gap = layoutOf(4, [['a', 3], ['b', 5]])
  gap.files[1]!.offset = 4
  assert.throws(() => validateLayout(gap), StorageError)
  assert.throws(() => validateLayout({ ...layoutOf(4, [['a', 3]]), length: 4 }), StorageError)
  assert.throws(() => validateLayout({ ...layoutOf(4, [['a', 3]]), pieceLength: 0 }), StorageError)
})

test('piecesPossiblyPresent: missing or short files rule pieces out, pad files never do', () => {
  const l = layoutOf(8, [['a', 5], ['pad', 3, true], ['b', 12], ['c', 4]])
  // pieces: 0 = a + pad, 1 = b[0..8), 2 = b[8..12) + c
  const all = piecesPossiblyPresent(l, [5, -1, 12, 4])
  assert.deepEqual([0, 1, 2].map(all), [true, true, true])
  const noA = piecesPossiblyPresent(l, [-1, -1, 12, 4])
  assert.deepEqual([0, 1, 2].map(noA), [false, true, true])
  const shortB = piecesPossiblyPresent(l, [5, -1, 9, 4])
  assert.deepEqual([0, 1, 2].map(shortB), [true, true, false])
  const noC = piecesPossiblyPresent(l, [5, -1, 12, -1])
  assert.deepEqual([0, 1, 2].map(noC), [true, true, false])
})
