import { test } from 'node:test'
import assert from 'node:assert/strict'
import { MemoryStorage } from '../../src/storage/memory.js'
import { sampleLayout, storageSuite } from './storage-suite.js'

storageSuite('MemoryStorage', async (layout) => new MemoryStorage(layout))

test('MemoryStorage: partly written piece reads zeros elsewhere, byteSize counts pieces', async () => {
  const s = new MemoryStorage(sampleLayout())
  await s.write(2, 4, Uint8Array.of(1, 2))
  assert.deepEqual(await s.read(2, 0, 8), Uint8Array.of(0, 0, 0, 0, 1, 2, 0, 0))
  assert.equal(s.byteSize, 16)
  const copy = await s.read(2, 4, 1)
  copy[0] = 99
  assert.deepEqual(await s.read(2, 4, 1), Uint8Array.of(1))
})

test('MemoryStorage: destroy drops every piece', async () => {
  const s = new MemoryStorage(sampleLayout())
  await s.write(0, 0, new Uint8Array(16).fill(7))
  assert.equal(s.byteSize, 16)
  await s.destroy()
  assert.equal(s.byteSize, 0)
})
