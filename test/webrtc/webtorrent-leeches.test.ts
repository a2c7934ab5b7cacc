import { test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtemp, rm, readFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { hybridClient, memoryTorrent, randomBytesOf, seedFromMemory, sha256, startWsTracker } from './helpers.js'
import { toBuffer, webtorrentClient, wtDestroy, wtDone } from './webtorrent-peer.js'

// One direction per file (so per process): webtorrent's webrtc-polyfill calls node-datachannel's
// global cleanup() when its last peer connection closes, which would also end the next test's.

test('webtorrent downloads from us over WebRTC through our tracker', { timeout: 80_000 }, async () => {
  const tracker = await startWsTracker()
  const dir = await mkdtemp(join(tmpdir(), 'ss-wt-'))
  const ours = hybridClient({ port: false })
  const wt = await webtorrentClient()
  try {
    const data = randomBytesOf(768 * 1024 + 5)
    const { metainfo, torrent } = await memoryTorrent(data, [tracker.url])
    await seedFromMemory(ours.client, metainfo, data)
    const t = wt.add(toBuffer(torrent), { path: dir, announce: [] })
    await wtDone(t, 60_000)
    assert.equal(sha256(new Uint8Array(await readFile(join(dir, 'file.bin')))), sha256(data))
  } finally {
    await Promise.all([ours.client.destroy(), wtDestroy(wt)])
    await tracker.close()
    await rm(dir, { recursive: true, force: true })
  }
})
