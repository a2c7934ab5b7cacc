import { after, test } from 'node:test'
import assert from 'node:assert/strict'
import { existsSync } from 'node:fs'
import { mkdtemp, readdir, readFile, readlink, rm, stat, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { FsStorage, fileSizesOnDisk } from '../../src/storage/fs.node.js'
import { pieceCount, pieceSize } from '../../src/storage/file-span.js'
import { StorageError, type StorageLayout } from '../../src/storage/types.js'
import { pieceOf, sampleContent, sampleLayout, storageSuite } from './storage-suite.js'

const base = await mkdtemp(join(tmpdir(), 'swarmstream-fs-'))
let dirs = 0
const freshDir = () => join(base, `d${dirs++}`)
after(() => rm(base, { recursive: true, force: true }))

storageSuite('FsStorage', async (layout) => new FsStorage(freshDir(), layout))

test('FsStorage: files hold the right bytes; pad files are never created', async () => {
  const layout = sampleLayout()
  const content = sampleContent(layout)
  const root = freshDir()
  const s = new FsStorage(root, layout, { maxOpenFiles: 1 }) // force LRU eviction on every switch
  await Promise.all(Array.from({ length: pieceCount(layout) }, (_, i) => s.write(i, 0, pieceOf(layout, content, i))))
  await s.close()
  for (const f of layout.files) {
    const p = join(root, ...f.path)
    if (f.padding === true) {
      await assert.rejects(stat(p))
    } else if (f.length > 0) {
      assert.deepEqual(new Uint8Array(await readFile(p)), content.slice(f.offset, f.offset + f.length))
    }
  }
  // empty files are created on request only, then exist with size 0
  await assert.rejects(stat(join(root, 'multi', 'empty.txt')))
  const again = new FsStorage(root, layout)
  await again.ensureEmptyFiles()
  assert.equal((await stat(join(root, 'multi', 'empty.txt'))).size, 0)
  // data persists across instances; reads after LRU churn still right
  for (let i = 0; i < pieceCount(layout); i++) assert.deepEqual(await again.read(i, 0, pieceSize(layout, i)), pieceOf(layout, content, i))
  await again.close()
})

test('FsStorage: sparse and lazy: unwritten tail reads zeros, untouched files do not exist', async () => {
  const layout = sampleLayout()
  const root = freshDir()
  const s = new FsStorage(root, layout)
  await s.write(2, 0, Uint8Array.of(9, 9)) // b.bin bytes 22..23
  assert.deepEqual(await s.read(2, 0, 4), Uint8Array.of(9, 9, 0, 0)) // bytes 24..25 past EOF
  await assert.rejects(s.read(0, 0, 10), (e) => e instanceof StorageError && e.code === 'missing') // a.bin missing
  assert.deepEqual(await readdir(join(root, 'multi')), ['sub'])
  assert.deepEqual(await fileSizesOnDisk(root, layout), [-1, -1, 24, 13, -1])
  await s.close()
})

test('FsStorage: paths leaving the root are refused, nothing written outside', async () => {
  const root = freshDir()
  const outside = join(base, 'escaped.bin')
  for (const path of [['..', 'escaped.bin'], ['a', '..', '..', 'escaped.bin'], [outside], ['ok', ''], []]) {
    const layout: StorageLayout = { pieceLength: 4, length: 4, files: [{ path, length: 4, offset: 0 }] }
    const s = new FsStorage(root, layout)
    await assert.rejects(s.write(0, 0, Uint8Array.of(1, 2, 3, 4)), (e) => e instanceof StorageError && e.code === 'escape', JSON.stringify(path))
    await assert.rejects(s.read(0, 0, 4), (e) => e instanceof StorageError && e.code === 'escape')
    await s.close()
  }
  await assert.rejects(stat(outside))
  assert.deepEqual(await fileSizesOnDisk(root, { pieceLength: 4, length: 4, files: [{ path: ['..', 'x'], length: 4, offset: 0 }] }), [-1])
})

test('FsStorage: a deselected file is never created; a piece it shares is kept whole in the parts folder', async () => {
  const layout = sampleLayout()
  const content = sampleContent(layout)
  const root = freshDir()
  const s = new FsStorage(root, layout, { partsId: 'abc' })
  await s.setSelection((i) => i !== 0)
  await s.write(0, 0, pieceOf(layout, content, 0)) // a.bin (deselected) + b.bin's head
  await assert.rejects(stat(join(root, 'multi', 'a.bin')))
  assert.deepEqual(new Uint8Array(await readFile(join(root, 'multi', 'sub', 'b.bin'))), content.slice(10, 16))
  assert.deepEqual(await s.read(0, 0, 16), pieceOf(layout, content, 0), 'read back whole')
  assert.deepEqual(await readdir(join(root, '.swarmstream.parts', 'abc')), ['0'])
  assert.ok((await s.possiblyPresent())(0))
  await s.close()
  // a restart finds it again, and selecting the file moves its bytes into place
  const again = new FsStorage(root, layout, { partsId: 'abc' })
  assert.deepEqual(await again.read(0, 0, 16), pieceOf(layout, content, 0))
  await again.setSelection(() => true)
  assert.deepEqual(new Uint8Array(await readFile(join(root, 'multi', 'a.bin'))), content.slice(0, 10))
  assert.deepEqual((await readdir(root)).sort(), ['multi'], 'the parts folder is gone once empty')
  assert.deepEqual(await again.read(0, 0, 16), pieceOf(layout, content, 0))
  await again.close()
})

test('FsStorage: destroy deletes the files and the folders it made, not the root or strangers', async () => {
  const layout = sampleLayout()
  const content = sampleContent(layout)
  const root = freshDir()
  const s = new FsStorage(root, layout)
  for (let i = 0; i < pieceCount(layout); i++) await s.write(i, 0, pieceOf(layout, content, i))
  await writeFile(join(root, 'keep.txt'), 'mine')
  await s.destroy()
  assert.deepEqual(await readdir(root), ['keep.txt'])
})

test('FsStorage: LRU of 3 handles under concurrent reads and writes over 12 files, no leaked descriptors', async () => {
  const root = freshDir()
  /** descriptors of this process open on files under root (Linux; empty elsewhere) */
  const openUnderRoot = async () => {
    const fds = await readdir('/proc/self/fd').catch(() => [])
    const targets = await Promise.all(fds.map((fd) => readlink(`/proc/self/fd/${fd}`).catch(() => '')))
    return targets.filter((t) => t.startsWith(root)).length
  }
  const files = Array.from({ length: 12 }, (_, i) => ({ path: [`f${i}`], length: 1000 + i * 37, offset: 0 }))
  let offset = 0
  for (const f of files) { f.offset = offset; offset += f.length }
  const layout: StorageLayout = { pieceLength: 700, length: offset, files }
  const content = sampleContent(layout)
  const s = new FsStorage(root, layout, { maxOpenFiles: 3 })
  const n = pieceCount(layout)
  const order = Array.from({ length: n }, (_, i) => (i * 5) % n) // a permutation: 5 is coprime with n
  assert.equal(new Set(order).size, n)
  await Promise.all(order.map((i) => s.write(i, 0, pieceOf(layout, content, i))))
  const back = await Promise.all(order.map((i) => s.read(i, 0, pieceSize(layout, i))))
  back.forEach((b, k) => assert.deepEqual(b, pieceOf(layout, content, order[k]!)))
  assert.ok(await openUnderRoot() <= 3 || !existsSync('/proc/self/fd'))
  const hint = await s.possiblyPresent()
  assert.ok(order.every(hint))
  await s.close()
  await new Promise((r) => setTimeout(r, 20)) // closes run in the background of the LRU
  assert.equal(await openUnderRoot(), 0)
})
