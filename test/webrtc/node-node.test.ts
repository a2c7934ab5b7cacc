import { test } from 'node:test'
import assert from 'node:assert/strict'
import { MemoryStorage } from '../../src/storage/memory.js'
import { hybridClient, memoryTorrent, randomBytesOf, readAll, seedFromMemory, sha256, startWsTracker, whenDone } from './helpers.js'

test('Node to Node over WebRTC through our WebSocket tracker', { timeout: 60_000 }, async () => {
  const tracker = await startWsTracker()
  const seeder = hybridClient({ trackers: true, port: false })
  const leecher = hybridClient({ trackers: true, port: false })
  try {
    const data = randomBytesOf(1024 * 1024 + 777)
    const { metainfo } = await memoryTorrent(data, [tracker.url])
    const seed = await seedFromMemory(seeder.client, metainfo, data)
    let storage: MemoryStorage | undefined
    const leech = await leecher.client.add(metainfo, { createStorage: (layout) => (storage = new MemoryStorage(layout)) })
    const wires: string[] = []
    leech.on('wire', (_w, addr) => wires.push(addr.host))
    await whenDone(leech, 45_000, seeder, leecher)
    assert.ok(wires.length >= 1 && wires.every((h) => h.startsWith('webrtc:')), `WebRTC wires only: ${wires.join(',')}`)
    assert.equal(sha256(await readAll(storage!, metainfo)), sha256(data))
    assert.ok(seed.uploaded >= data.length, 'the seeder counted its upload')
  } finally {
    await Promise.all([seeder.client.destroy(), leecher.client.destroy()])
    await tracker.close()
  }
  assert.equal(seeder.signaling.socketCount, 0, `sockets close when the last torrent leaves (sessions ${seeder.signaling.sessions.size})`)
  assert.equal(leecher.signaling.socketCount, 0)
})
