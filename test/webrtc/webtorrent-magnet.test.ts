import { test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtemp, rm, readFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { formatMagnet } from '../../src/metainfo/index.js'
import { hybridClient, memoryTorrent, randomBytesOf, seedFromMemory, sha256, startWsTracker } from './helpers.js'
import { webtorrentClient, wtDestroy, wtDone } from './webtorrent-peer.js'

// One direction per file (so per process): see webtorrent-leeches.test.ts.

test('webtorrent starting from a magnet link downloads from us over WebRTC (metadata, then a late have_none)', { timeout: 80_000 }, async () => {
  const tracker = await startWsTracker()
  const dir = await mkdtemp(join(tmpdir(), 'ss-wt-'))
  const ours = hybridClient({ port: false })
  const wt = await webtorrentClient()
  try {
    const data = randomBytesOf(512 * 1024 + 77)
    const { metainfo } = await memoryTorrent(data, [tracker.url])
    await seedFromMemory(ours.client, metainfo, data)
    const magnet = formatMagnet({ infoHash: metainfo.infoHash, name: metainfo.name, trackers: [tracker.url] })
    const t = (wt as unknown as { add(m: string, o: object): Parameters<typeof wtDone>[0] }).add(magnet, { path: dir })
    await wtDone(t, 60_000)
    assert.equal(sha256(new Uint8Array(await readFile(join(dir, 'file.bin')))), sha256(data))
  } finally {
    await Promise.all([ours.client.destroy(), wtDestroy(wt)])
    await tracker.close()
    await rm(dir, { recursive: true, force: true })
  }
})
