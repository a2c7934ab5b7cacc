/** A leecher that connects while our seeder still checks its data learns every piece once
 * it is checked (issue 9): libtorrent, dialing in at once, while a slow disk keeps our
 * check of 64 MiB going for a few seconds. */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { join } from 'node:path'
import { writeFile } from 'node:fs/promises'
import { Client } from '../../src/client/index.node.js'
import { FsStorage } from '../../src/storage/fs.node.js'
import { createTorrentFromPath } from '../../src/metainfo/index.node.js'
import { run } from '../peers/process.js'
import { hasLibtorrent, libtorrentLeech } from '../peers/reference.js'
import { fileDigest, freePort, tempDir, writeRandomFile } from './fixtures.js'

test('libtorrent connecting while our seeder checks 64 MiB gets every piece', { skip: !hasLibtorrent && 'python3-libtorrent is not installed', timeout: 180_000 }, async () => {
  const dir = await tempDir()
  const file = join(dir.path, 'seed', 'big.bin')
  await writeRandomFile(file, 64 * 1024 * 1024)
  const { torrent: torrentFile, metainfo } = await createTorrentFromPath(file, { pieceLength: 262144 })
  const torrentPath = join(dir.path, 'big.torrent')
  await writeFile(torrentPath, torrentFile)
  const seeder = new Client({ port: 0, host: '127.0.0.1', trackers: false })
  try {
    await seeder.ready()
    const statesAtConnect: string[] = []
    seeder.on('add', (t) => t.on('wire', () => statesAtConnect.push(t.state)))
    // a slow disk: every read of the check waits 40 ms (256 pieces, 3 at a time: ~3.5 s)
    const adding = seeder.add(metainfo, {
      path: join(dir.path, 'seed'),
      createStorage: (layout) => {
        const fs = new FsStorage(join(dir.path, 'seed'), layout)
        const read = fs.read.bind(fs)
        let checking = true
        fs.read = async (i, o, l) => { if (checking) await new Promise((r) => setTimeout(r, 40)); return read(i, o, l) }
        void adding.whenReady().then(() => { checking = false })
        return fs
      },
    })
    const lt = libtorrentLeech(torrentPath, join(dir.path, 'out'), await freePort(), ['--peer', String(seeder.port), '--timeout', '90'])
    const r = await run(lt, 120_000)
    assert.equal(r.code, 0, `libtorrent: ${r.stderr.slice(-1500)}`)
    assert.equal(statesAtConnect[0], 'checking', `libtorrent met us while we checked (states: ${statesAtConnect.join(', ')})`)
    assert.equal(await fileDigest(join(dir.path, 'out', 'big.bin')), await fileDigest(file))
    await adding.whenReady()
  } finally {
    await seeder.destroy()
    await dir.cleanup()
  }
})
