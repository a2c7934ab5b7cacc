import { test } from 'node:test'
import assert from 'node:assert/strict'
import { MemoryStorage } from '../../src/storage/memory.js'
import { hybridClient, memoryTorrent, randomBytesOf, readAll, seedFromMemory, sha256, startNpmTracker, startWsTracker, whenDone } from './helpers.js'

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

test('the bittorrent-tracker npm server as signaling tracker, and one socket per URL shared by torrents', { timeout: 60_000 }, async () => {
  const npm = await startNpmTracker()
  const ours = await startWsTracker()
  const seeder = hybridClient({ port: false })
  const leecher = hybridClient({ port: false })
  try {
    const a = randomBytesOf(300 * 1024 + 1), b = randomBytesOf(200 * 1024 + 2)
    // torrent A only on the npm tracker; torrent B on both trackers
    const ta = await memoryTorrent(a, [npm.url], 'a.bin')
    const tb = await memoryTorrent(b, [npm.url, ours.url], 'b.bin')
    await seedFromMemory(seeder.client, ta.metainfo, a)
    await seedFromMemory(seeder.client, tb.metainfo, b)
    assert.equal(seeder.signaling.socketCount, 2, 'two tracker URLs, two sockets, for two torrents')
    const stores: MemoryStorage[] = []
    const la = await leecher.client.add(ta.metainfo, { createStorage: (l) => { const s = new MemoryStorage(l); stores[0] = s; return s } })
    const lb = await leecher.client.add(tb.metainfo, { createStorage: (l) => { const s = new MemoryStorage(l); stores[1] = s; return s } })
    await Promise.all([whenDone(la, 45_000, seeder, leecher), whenDone(lb, 45_000, seeder, leecher)])
    assert.equal(sha256(await readAll(stores[0]!, ta.metainfo)), sha256(a))
    assert.equal(sha256(await readAll(stores[1]!, tb.metainfo)), sha256(b))
    assert.equal(leecher.signaling.socketCount, 2)
  } finally {
    await Promise.all([seeder.client.destroy(), leecher.client.destroy()])
    await ours.close()
    await npm.close()
  }
  assert.equal(seeder.signaling.socketCount, 0)
})
