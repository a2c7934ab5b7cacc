import { test } from 'node:test'
import assert from 'node:assert/strict'
import { MemoryStorage } from '../../src/storage/memory.js'
import { hybridClient, memoryTorrent, randomBytesOf, readAll, seedFromMemory, sha256, startWsTracker, whenDone } from './helpers.js'
import { startTurn, turnSkipReason } from './turn.js'

test('Node to Node through a TURN relay only (iceTransportPolicy relay)', { timeout: 80_000, skip: turnSkipReason }, async () => {
  const turn = await startTurn()
  const tracker = await startWsTracker()
  const webrtc = { extraConfig: { bindAddress: '127.0.0.1' }, iceServers: turn.iceServers, iceTransportPolicy: 'relay' as const }
  const seeder = hybridClient({ port: false }, { webrtc })
  const leecher = hybridClient({ port: false }, { webrtc })
  try {
    const data = randomBytesOf(512 * 1024 + 9)
    const { metainfo } = await memoryTorrent(data, [tracker.url])
    await seedFromMemory(seeder.client, metainfo, data)
    let storage: MemoryStorage | undefined
    const leech = await leecher.client.add(metainfo, { createStorage: (l) => (storage = new MemoryStorage(l)) })
    await whenDone(leech, 60_000, seeder, leecher)
    assert.equal(sha256(await readAll(storage!, metainfo)), sha256(data))
    assert.ok(turn.log().some((l) => /(CREATE_PERMISSION|CHANNEL_BIND) processed, success/.test(l)), 'the peers talked through the relay')
  } finally {
    await Promise.all([seeder.client.destroy(), leecher.client.destroy()])
    await tracker.close()
    await turn.stop()
  }
})
