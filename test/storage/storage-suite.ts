/** Behaviour every Storage backend must share; run by each backend's test file. */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { randomBytes } from '../../src/util/bytes.js'
import { pieceCount, pieceSize } from '../../src/storage/file-span.js'
import { StorageError, type Storage, type StorageLayout } from '../../src/storage/types.js'

/** 3 files + an empty one + a pad file, piece length 16: pieces span files, last piece short. */
export function sampleLayout(): StorageLayout {
  const files = [
    { path: ['multi', 'a.bin'], length: 10 },
    { path: ['multi', 'empty.txt'], length: 0 },
    { path: ['multi', 'sub', 'b.bin'], length: 25 },
    { path: ['multi', '.pad', '13'], length: 13, padding: true },
    { path: ['multi', 'sub', 'deeper', 'c.bin'], length: 19 },
  ]
  let offset = 0
  const withOffsets = files.map((f) => { const o = offset; offset += f.length; return { ...f, offset: o } })
  return { pieceLength: 16, length: offset, files: withOffsets }
}

/** The whole torrent's bytes, with zeros where the pad file is (BEP 47). */
export function sampleContent(layout: StorageLayout): Uint8Array {
  const data = randomBytes(layout.length)
  for (const f of layout.files) if (f.padding === true) data.fill(0, f.offset, f.offset + f.length)
  return data
}

export function pieceOf(layout: StorageLayout, content: Uint8Array, index: number): Uint8Array {
  const start = index * layout.pieceLength
  return content.slice(start, start + pieceSize(layout, index))
}

export function storageSuite(name: string, make: (layout: StorageLayout) => Promise<Storage>): void {
  test(`${name}: whole pieces round trip`, async () => {
    const layout = sampleLayout()
    const content = sampleContent(layout)
    const s = await make(layout)
    const n = pieceCount(layout)
    for (let i = n - 1; i >= 0; i--) await s.write(i, 0, pieceOf(layout, content, i))
    for (let i = 0; i < n; i++) assert.deepEqual(await s.read(i, 0, pieceSize(layout, i)), pieceOf(layout, content, i))
    assert.deepEqual(await s.read(1, 3, 20 - 7), content.slice(19, 32))
    await s.flush?.()
    await s.close()
  })

  test(`${name}: blocks written out of order, reused buffers`, async () => {
    const layout = sampleLayout()
    const content = sampleContent(layout)
    const s = await make(layout)
    const buf = new Uint8Array(5)
    for (const off of [10, 0, 5]) {
      buf.set(content.subarray(16 + off, 16 + off + 5))
      await s.write(1, off, buf) // caller reuses its buffer: storage must have copied or written it
    }
    buf.fill(0xff)
    assert.deepEqual(await s.read(1, 0, 15), content.slice(16, 31))
    await s.close()
  })

  test(`${name}: range errors, missing data, closed`, async () => {
    const layout = sampleLayout()
    const s = await make(layout)
    const n = pieceCount(layout)
    await assert.rejects(s.write(n, 0, new Uint8Array(1)), (e) => e instanceof StorageError && e.code === 'range')
    await assert.rejects(s.write(n - 1, 0, new Uint8Array(pieceSize(layout, n - 1) + 1)), StorageError)
    await assert.rejects(s.read(0, -1, 2), StorageError)
    await assert.rejects(s.read(4, 0, 3), (e) => e instanceof StorageError && e.code === 'missing')
    await s.close()
    await assert.rejects(s.read(0, 0, 1), (e) => e instanceof StorageError && e.code === 'closed')
    await assert.rejects(s.write(0, 0, new Uint8Array(1)), (e) => e instanceof StorageError && e.code === 'closed')
  })
}
