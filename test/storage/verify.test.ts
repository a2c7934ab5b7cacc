import { after, test } from 'node:test'
import assert from 'node:assert/strict'
import { createHash } from 'node:crypto'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { nodeHasher } from '../../src/util/hasher.node.js'
import { concat } from '../../src/util/bytes.js'
import { FsStorage, fileSizesOnDisk } from '../../src/storage/fs.node.js'
import { MemoryStorage } from '../../src/storage/memory.js'
import { pieceCount, piecesPossiblyPresent } from '../../src/storage/file-span.js'
import { verifyStorage } from '../../src/storage/verify.js'
import type { Storage, StorageLayout } from '../../src/storage/types.js'
import { pieceOf, sampleContent, sampleLayout } from './storage-suite.js'

const base = await mkdtemp(join(tmpdir(), 'swarmstream-verify-'))
after(() => rm(base, { recursive: true, force: true }))

function withHashes(layout: StorageLayout, content: Uint8Array): StorageLayout & { pieceHashes: Uint8Array } {
  const hashes = Array.from({ length: pieceCount(layout) }, (_, i) =>
    new Uint8Array(createHash('sha1').update(pieceOf(layout, content, i)).digest()))
  return { ...layout, pieceHashes: concat(hashes) }
}

const setBits = (bf: { get(i: number): boolean }, n: number) => Array.from({ length: n }, (_, i) => i).filter((i) => bf.get(i))

/** Counts reads, to prove the size hint skips pieces without touching them. The wrapper hides
 * the backend's own possiblyPresent() unless asked to forward it. */
function counting(s: Storage, forwardHint = false): Storage & { reads: number[] } {
  const reads: number[] = []
  return {
    reads,
    write: (i, o, d) => s.write(i, o, d),
    read: (i, o, l) => { reads.push(i); return s.read(i, o, l) },
    close: () => s.close(),
    ...(forwardHint && s.possiblyPresent ? { possiblyPresent: () => s.possiblyPresent!() } : {}),
  }
}

test('verifyStorage (memory): exactly the pieces written correctly', async () => {
  const layout = sampleLayout()
  const content = sampleContent(layout)
  const meta = withHashes(layout, content)
  const s = new MemoryStorage(layout)
  for (const i of [0, 1, 3, 4]) await s.write(i, 0, pieceOf(layout, content, i))
  const bad = pieceOf(layout, content, 3)
  bad[5] = bad[5]! ^ 1
  await s.write(3, 0, bad)
  const progress: number[] = []
  const bf = await verifyStorage(s, meta, nodeHasher, { onProgress: (done, total) => progress.push(done * 100 + total) })
  assert.deepEqual(setBits(bf, 5), [0, 1, 4])
  assert.deepEqual(progress.sort((a, b) => a - b), [105, 205, 305, 405, 505])
  const onlyEven = await verifyStorage(s, meta, nodeHasher, { only: (i) => i % 2 === 0, concurrency: 1 })
  assert.deepEqual(setBits(onlyEven, 5), [0, 4])
})

test('verifyStorage (fs): corrupt byte on disk, missing file skipped without reading', async () => {
  const layout = sampleLayout()
  const content = sampleContent(layout)
  const meta = withHashes(layout, content)
  const root = join(base, 'fs1')
  const fs = new FsStorage(root, layout)
  for (let i = 0; i < pieceCount(layout); i++) await fs.write(i, 0, pieceOf(layout, content, i))
  await fs.close()
  // corrupt one byte of b.bin (torrent byte 20, piece 1) behind the storage's back
  const b = content.slice(10, 35)
  b[10] = b[10]! ^ 0xff
  await writeFile(join(root, 'multi', 'sub', 'b.bin'), b)
  await rm(join(root, 'multi', 'sub', 'deeper', 'c.bin'))

  const s = counting(new FsStorage(root, layout))
  const plain = await verifyStorage(s, meta, nodeHasher)
  assert.deepEqual(setBits(plain, 5), [0, 2]) // 1 corrupt; 3 and 4 touch the deleted c.bin
  assert.equal(s.reads.length, 5)

  s.reads.length = 0
  const hint = piecesPossiblyPresent(layout, await fileSizesOnDisk(root, layout))
  const fast = await verifyStorage(s, meta, nodeHasher, { possiblyPresent: hint })
  assert.deepEqual(setBits(fast, 5), [0, 2])
  assert.deepEqual(s.reads.sort(), [0, 1, 2])
  await s.close()

  const auto = counting(new FsStorage(root, layout), true) // the backend's own hint, used by default
  assert.deepEqual(setBits(await verifyStorage(auto, meta, nodeHasher), 5), [0, 2])
  assert.deepEqual(auto.reads.sort(), [0, 1, 2])
  await auto.close()
})

test('verifyStorage: abort stops early and rejects', async () => {
  const layout = sampleLayout()
  const content = sampleContent(layout)
  const meta = withHashes(layout, content)
  const s = new MemoryStorage(layout)
  const ac = new AbortController()
  let seen = 0
  await assert.rejects(
    verifyStorage(s, meta, nodeHasher, { signal: ac.signal, concurrency: 1, onProgress: (done) => { seen = done; if (done === 2) ac.abort() } }),
    (e) => e instanceof Error && e.name === 'AbortError',
  )
  assert.equal(seen, 2)
  await assert.rejects(verifyStorage(s, { ...meta, pieceHashes: meta.pieceHashes.subarray(20) }, nodeHasher), RangeError)
})
