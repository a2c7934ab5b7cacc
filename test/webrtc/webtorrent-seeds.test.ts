import { test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { MemoryStorage } from '../../src/storage/memory.js'
import { hybridClient, memoryTorrent, randomBytesOf, readAll, sha256, startWsTracker, whenDone } from './helpers.js'
import { toBuffer, webtorrentClient, wtDestroy, wtDone } from './webtorrent-peer.js'

// One direction per file (so per process): webtorrent's webrtc-polyfill calls node-datachannel's
// global cleanup() when its last peer connection closes, which would also end the next test's.

test('we download from webtorrent over WebRTC through our tracker', { timeout: 80_000 }, async () => {
  const tracker = await startWsTracker()
  const dir = await mkdtemp(join(tmpdir(), 'ss-wt-'))
  const ours = hybridClient({ port: false })
  const wt = await webtorrentClient()
  try {
    const data = randomBytesOf(768 * 1024 + 5)
    const { metainfo, torrent } = await memoryTorrent(data, [tracker.url])
    await writeFile(join(dir, 'file.bin'), data)
    const t = wt.add(toBuffer(torrent), { path: dir, announce: [] })
    await wtDone(t, 20_000) // verified what is on disk: seeding
    let storage: MemoryStorage | undefined
    const leech = await ours.client.add(metainfo, { createStorage: (l) => (storage = new MemoryStorage(l)) })
    await whenDone(leech, 60_000, ours)
    assert.equal(sha256(await readAll(storage!, metainfo)), sha256(data))
  } finally {
    await Promise.all([ours.client.destroy(), wtDestroy(wt)])
    await tracker.close()
    await rm(dir, { recursive: true, force: true })
  }
})
