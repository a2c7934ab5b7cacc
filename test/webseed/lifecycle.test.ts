/** Web seeds follow the torrent's lifecycle: added with torrent.addWebSeed, let go while
 * paused and connected again on resume, and nothing left running when it is removed. */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { createTorrentFromPath } from '../../src/metainfo/index.node.js'
import { join } from 'node:path'
import { writeFile } from 'node:fs/promises'
import { startRangeServer } from './range-server.js'
import { leecher, randomData, tempDir, whenDone } from './helpers.js'

async function until(ok: () => boolean, ms: number, what: string): Promise<void> {
  const deadline = Date.now() + ms
  while (!ok()) {
    if (Date.now() > deadline) throw new Error(`${what}: not within ${ms} ms`)
    await new Promise((r) => setTimeout(r, 10))
  }
}

test('addWebSeed; pause lets the web seed go, resume brings it back, destroy stops it', { timeout: 60_000 }, async () => {
  const dir = await tempDir()
  const data = randomData(4 * 1024 * 1024)
  await writeFile(join(dir.path, 'f.bin'), data)
  const server = await startRangeServer({ '/f.bin': data })
  const client = leecher()
  try {
    const { metainfo } = await createTorrentFromPath(join(dir.path, 'f.bin'), { pieceLength: 16384 })
    const t = await client.add(metainfo, { path: join(dir.path, 'out') })
    assert.deepEqual(t.webSeeds.list(), [])
    t.addWebSeed(`${server.url}/f.bin`)
    t.addWebSeed(`${server.url}/f.bin`)
    t.addWebSeed('ftp://example.invalid/f.bin') // BEP 19: a protocol we do not speak is ignored
    assert.equal(t.webSeeds.list().length, 1)
    await new Promise<void>((r) => t.once('piece', () => r()))
    await t.pause()
    await until(() => t.numPeers === 0, 10_000, 'the web seed leaves on pause')
    assert.equal(t.webSeeds.list()[0]!.state, 'waiting')
    assert.ok(!t.done)
    t.resume()
    await whenDone(t, 30_000)
    assert.equal(t.webSeeds.list()[0]!.failures, 0)

    // a second torrent removed while its GETs run: no error, no reconnect
    const other = randomData(2 * 1024 * 1024)
    await writeFile(join(dir.path, 'g.bin'), other)
    const slow = await startRangeServer({ '/g.bin': other }, { misbehave: 'slow' })
    try {
      const g = await createTorrentFromPath(join(dir.path, 'g.bin'), { pieceLength: 65536, urlList: [`${slow.url}/g.bin`] })
      const t2 = await client.add(g.metainfo, { path: join(dir.path, 'out') })
      await until(() => slow.requests.length > 0, 10_000, 'a GET started')
      await t2.destroy()
      assert.equal(t2.webSeeds.list()[0]!.state, 'waiting', 'let go, not failed')
      assert.equal(t2.webSeeds.list()[0]!.failures, 0)
      assert.equal(t2.numPeers, 0)
    } finally {
      await slow.close()
    }
  } finally {
    await client.destroy()
    await server.close()
    await dir.cleanup()
  }
})
