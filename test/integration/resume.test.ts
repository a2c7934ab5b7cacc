import { test } from 'node:test'
import assert from 'node:assert/strict'
import { join } from 'node:path'
import { open, mkdir, readFile } from 'node:fs/promises'
import { Client } from '../../src/client/index.node.js'
import { MemoryStorage } from '../../src/storage/index.js'
import { tempDir, writeRandomFile, fileDigest, whenDone } from './fixtures.js'


test('a restarted download verifies what is on disk and fetches only the rest', { timeout: 60_000 }, async () => {
  const dir = await tempDir()
  const seeder = new Client({ port: 0, host: '127.0.0.1', trackers: false })
  const leecher = new Client({ port: 0, host: '127.0.0.1', trackers: false })
  try {
    const source = join(dir.path, 'seed', 'video.bin')
    const size = 4 * 1024 * 1024
    const data = await writeRandomFile(source, size)
    const metainfo = (await seeder.seed(source, { pieceLength: 65536 }).whenReady()).metainfo!
    // A previous run left the first 2.5 MiB on disk, and one corrupted byte in piece 3.
    const out = join(dir.path, 'out')
    await mkdir(out)
    const partial = await open(join(out, 'video.bin'), 'w')
    const kept = data.slice(0, 2.5 * 1024 * 1024)
    kept[3 * 65536 + 10] = (kept[3 * 65536 + 10] ?? 0) ^ 0xff
    await partial.write(kept, 0, kept.length, 0)
    await partial.close()

    const t = await leecher.add(metainfo, { path: out, peers: [{ host: '127.0.0.1', port: seeder.port }] })
    await new Promise<void>((r) => (t.ready ? r() : t.once('ready', () => r())))
    const piecesOnDisk = (2.5 * 1024 * 1024) / 65536
    assert.equal(t.have?.count(), piecesOnDisk - 1, 'every intact piece on disk was recognised')
    assert.equal(t.have?.get(3), false, 'the corrupted piece was not')
    await whenDone(t, 30_000)
    assert.equal(t.received, size - (piecesOnDisk - 1) * 65536, 'only the missing pieces were downloaded')
    assert.equal(await fileDigest(join(out, 'video.bin')), await fileDigest(source))
  } finally {
    await leecher.destroy(); await seeder.destroy(); await dir.cleanup()
  }
})

test('a memory store downloads without touching the disk', { timeout: 60_000 }, async () => {
  const dir = await tempDir()
  const seeder = new Client({ port: 0, host: '127.0.0.1', trackers: false })
  const leecher = new Client({ port: 0, host: '127.0.0.1', trackers: false })
  try {
    const source = join(dir.path, 'seed', 'song.bin')
    const data = await writeRandomFile(source, 1_234_567)
    const metainfo = (await seeder.seed(source).whenReady()).metainfo!
    let store: MemoryStorage | undefined
    const t = await leecher.add(metainfo, {
      path: join(dir.path, 'never-created'),
      createStorage: (layout) => (store = new MemoryStorage(layout)),
      peers: [{ host: '127.0.0.1', port: seeder.port }],
    })
    await whenDone(t, 30_000)
    const pieces: Uint8Array[] = []
    for (let i = 0; i < metainfo.pieceCount; i++) pieces.push(await store!.read(i, 0, Math.min(metainfo.pieceLength, metainfo.length - i * metainfo.pieceLength)))
    assert.deepEqual(Buffer.concat(pieces), Buffer.from(data))
    await assert.rejects(readFile(join(dir.path, 'never-created', 'song.bin')))
  } finally {
    await leecher.destroy(); await seeder.destroy(); await dir.cleanup()
  }
})
