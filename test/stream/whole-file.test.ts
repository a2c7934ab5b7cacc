import { test } from 'node:test'
import assert from 'node:assert/strict'
import { join } from 'node:path'
import '../../src/stream/index.js'
import { Client } from '../../src/client/index.node.js'
import { tempDir, writeRandomFile } from '../integration/fixtures.js'

test('file.arrayBuffer() and file.blob() give the whole file, fetched on demand', { timeout: 60_000 }, async () => {
  const dir = await tempDir()
  const seeder = new Client({ port: 0, host: '127.0.0.1', trackers: false })
  const leecher = new Client({ port: 0, host: '127.0.0.1', trackers: false })
  try {
    const source = join(dir.path, 'seed', 'clip.webm')
    const data = await writeRandomFile(source, 777_777)
    const metainfo = (await seeder.seed(source, { pieceLength: 65536 }).whenReady()).metainfo!
    const t = await leecher.add(metainfo, { path: join(dir.path, 'out'), peers: [{ host: '127.0.0.1', port: seeder.port }] })
    if (!t.ready) await new Promise<void>((r) => t.once('ready', () => r()))
    const file = t.files[0]!
    const [buf, blob] = await Promise.all([file.arrayBuffer(), file.blob()])
    assert.deepEqual(new Uint8Array(buf), data)
    assert.equal(blob.type, 'video/webm')
    assert.equal(blob.size, data.length)
    assert.deepEqual(new Uint8Array(await blob.arrayBuffer()), data)
  } finally {
    await leecher.destroy(); await seeder.destroy(); await dir.cleanup()
  }
})
