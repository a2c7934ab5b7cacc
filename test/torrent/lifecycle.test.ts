/** The torrent's lifecycle and its readers in the harness: checking, storage failures,
 * streams that seek, read skipped files, and end. */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { Swarm, bytes, filled, sameBytes, storedBytes } from '../harness/swarm.js'
import { MemoryStorage } from '../../src/storage/memory.js'
import { StorageError } from '../../src/storage/types.js'
import { PRIORITY_CRITICAL, PRIORITY_NORMAL } from '../../src/engine/picker.js'
import { StreamError } from '../../src/torrent/readers.js'

async function readAll(chunks: AsyncGenerator<Uint8Array, void, undefined>): Promise<Uint8Array> {
  const parts: Uint8Array[] = []
  for await (const c of chunks) parts.push(c)
  return Buffer.concat(parts)
}

test('a peer that connects while the seeder checks its data learns every piece once checked', async () => {
  const swarm = new Swarm()
  const content = await swarm.content({ 'a.bin': bytes(32 * 16384) })
  const seeder = swarm.client({ hashDelayMs: 100 })
  const adding = seeder.add(content.metainfo, { createStorage: (layout) => filled(layout, content) }).whenReady()
  const leech = await swarm.leecher(content.metainfo, [(seeder as typeof seeder & { address: { host: string; port: number } }).address])
  await swarm.clock.advance(500)
  const seed = seeder.torrents[0]!
  assert.equal(seed.state, 'checking')
  assert.equal(leech.torrent.numPeers, 1, 'connected during the check')
  await swarm.run(adding)
  await swarm.until(() => leech.torrent.done, 'done')
  assert.ok(sameBytes(await storedBytes(leech.torrent), content.data))
  await swarm.destroy()
})

test('a storage write failure puts the torrent in the error state; nothing throws; another torrent goes on', async () => {
  const swarm = new Swarm()
  const a = await swarm.content({ 'a.bin': bytes(64 * 1024, 1) })
  const b = await swarm.content({ 'b.bin': bytes(64 * 1024, 2) })
  const seedA = await swarm.seeder(a)
  const seedB = await swarm.seeder(b)
  class FullDisk extends MemoryStorage {
    override async write(): Promise<void> { throw new StorageError('io', 'ENOSPC: no space left on device') }
  }
  const client = swarm.client()
  const broken = client.add(a.metainfo, { peers: [seedA.client.address], createStorage: (l) => new FullDisk(l) })
  const fine = client.add(b.metainfo, { peers: [seedB.client.address] })
  await swarm.until(() => broken.state === 'error' && fine.done, 'one failed, one done')
  assert.match(broken.error!.message, /no space left/)
  assert.equal(broken.numPeers, 0)
  await assert.rejects(readAll(broken.files[0]!.chunks()), /no space left/)
  await swarm.destroy()
})

test('a reader seeks to the middle: the pieces there are asked for first', async () => {
  const swarm = new Swarm()
  const content = await swarm.content({ 'video.mkv': bytes(64 * 16384) })
  const seed = await swarm.seeder(content)
  swarm.net.shape(seed.client.address.port, { downRate: 20_000 })
  const requests: number[] = []
  seed.torrent.on('wire', (w) => w.on('request', (i) => requests.push(i)))
  const leech = await swarm.leecher(content.metainfo, [seed.client.address])
  await swarm.until(() => requests.length > 0, 'first requests')
  const file = leech.torrent.files[0]!
  const before = requests.length
  const middle = 40 * 16384 + 100
  const chunks = file.chunks({ start: middle, end: middle + 2 * 16384 })
  const got = readAll(chunks)
  await swarm.clock.advance(0)
  const picker = leech.torrent.exchange!.picker
  assert.equal(picker.priority(40), PRIORITY_CRITICAL)
  for (const i of [40, 41, 42]) assert.equal(picker.inFlightPeers(i, 0).length, 1, `piece ${i} is asked for at once, the queue full or not`)
  assert.ok(requests.slice(before).every((i) => i >= 40 && i <= 42), 'and nothing else goes first')
  await swarm.until(() => leech.torrent.done, 'done')
  assert.ok(sameBytes(await got, content.data.subarray(middle, middle + 2 * 16384 + 1)))
  assert.equal(picker.priority(40), PRIORITY_NORMAL, 'the window goes when the reader ends')
  await swarm.destroy()
})

test('reading a skipped file fetches only what is read', async () => {
  const swarm = new Swarm()
  const content = await swarm.content({ 'one.bin': bytes(64 * 16384, 1), 'two.bin': bytes(64 * 16384, 2) })
  const seed = await swarm.seeder(content)
  const leech = await swarm.leecher(content.metainfo, [seed.client.address], { add: { select: [0] } })
  await swarm.until(() => leech.torrent.done, 'file one')
  const two = leech.torrent.files[1]!
  assert.equal(two.downloaded, 0)
  const bytesRead = await swarm.run(readAll(two.chunks({ start: 0, end: 16383 })))
  assert.ok(sameBytes(bytesRead, content.data.subarray(64 * 16384, 65 * 16384)))
  await swarm.clock.advance(5000)
  assert.ok(two.downloaded < 16 * 16384, `only the reader's window: ${two.downloaded} bytes`)
  assert.equal(leech.torrent.done, true, 'done again once the reader is gone')
  await swarm.destroy()
})

test('two readers at once each get their bytes', async () => {
  const swarm = new Swarm()
  const content = await swarm.content({ 'a.bin': bytes(48 * 16384, 4) })
  const seed = await swarm.seeder(content)
  swarm.net.shape(seed.client.address.port, { downRate: 100_000 })
  const leech = await swarm.leecher(content.metainfo, [seed.client.address])
  const file = leech.torrent.files[0]!
  const [x, y] = await swarm.run(Promise.all([readAll(file.chunks({ start: 1000, end: 99_999 })), readAll(file.chunks({ start: 500_000, end: 700_000 }))]))
  assert.ok(sameBytes(x, content.data.subarray(1000, 100_000)))
  assert.ok(sameBytes(y, content.data.subarray(500_000, 700_001)))
  await swarm.destroy()
})

test('removing a torrent ends its readers with a StreamError', async () => {
  const swarm = new Swarm()
  const content = await swarm.content({ 'a.bin': bytes(16 * 16384) })
  const leech = await swarm.leecher(content.metainfo, [])
  const reading = readAll(leech.torrent.files[0]!.chunks())
  reading.catch(() => undefined)
  await swarm.clock.advance(100)
  await swarm.run(leech.torrent.destroy())
  await assert.rejects(reading, StreamError)
  assert.equal(leech.torrent.state, 'destroyed')
  await swarm.destroy()
})

test('a reader aborted by its signal lets go of its window', async () => {
  const swarm = new Swarm()
  const content = await swarm.content({ 'a.bin': bytes(16 * 16384) })
  const leech = await swarm.leecher(content.metainfo, [])
  const abort = new AbortController()
  const reading = readAll(leech.torrent.files[0]!.chunks({ start: 5 * 16384, signal: abort.signal }))
  reading.catch(() => undefined)
  await swarm.clock.advance(10)
  const picker = leech.torrent.exchange!.picker
  assert.equal(picker.priority(5), PRIORITY_CRITICAL)
  abort.abort()
  await assert.rejects(reading)
  await swarm.clock.advance(0)
  assert.equal(picker.priority(5), PRIORITY_NORMAL)
  await swarm.destroy()
})
