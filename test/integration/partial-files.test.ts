/** Deselected files are not created (issue 9): the bytes of pieces they share with chosen
 * files wait in a parts folder, and selecting them later moves them into place. */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { readdir } from 'node:fs/promises'
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { Client } from '../../src/client/index.node.js'
import { fileDigest, tempDir, treeDigest, whenDone, writeRandomFile } from './fixtures.js'

const settled = () => new Promise<void>((r) => setImmediate(r))
async function until(ok: () => boolean, ms: number): Promise<void> {
  const deadline = Date.now() + ms
  while (!ok()) {
    if (Date.now() > deadline) throw new Error('condition not met in time')
    await new Promise((r) => setTimeout(r, 10))
  }
}

test('a download of one file of three creates only that file; selecting another later completes it', { timeout: 60_000 }, async () => {
  const dir = await tempDir()
  const seeder = new Client({ port: 0, host: '127.0.0.1', trackers: false })
  const leecher = new Client({ port: 0, host: '127.0.0.1', trackers: false })
  try {
    const folder = join(dir.path, 'src', 'album')
    // sizes that are not multiples of the piece length: pieces straddle the files
    await writeRandomFile(join(folder, 'a.flac'), 100_000)
    await writeRandomFile(join(folder, 'b.flac'), 150_001)
    await writeRandomFile(join(folder, 'c.flac'), 70_003)
    const metainfo = (await seeder.seed(folder, { pieceLength: 32768 }).whenReady()).metainfo!
    const out = join(dir.path, 'out')
    const t = leecher.add(metainfo, { path: out, select: [1], peers: [{ host: '127.0.0.1', port: seeder.port }] })
    await whenDone(t, 30_000)
    assert.deepEqual(await readdir(join(out, 'album')), ['b.flac'], 'only the chosen file')
    assert.equal(await fileDigest(join(out, 'album', 'b.flac')), await fileDigest(join(folder, 'b.flac')))
    assert.deepEqual((await readdir(join(out, '.swarmstream.parts', metainfo.infoHashHex))).sort(), ['3', '7'], 'the two pieces shared with a and c')

    t.files[0]!.select()
    await settled()
    assert.equal(t.done, false, 'wanting more again')
    await whenDone(t, 30_000)
    assert.deepEqual((await readdir(join(out, 'album'))).sort(), ['a.flac', 'b.flac'])
    assert.equal(await fileDigest(join(out, 'album', 'a.flac')), await fileDigest(join(folder, 'a.flac')))
    t.files[2]!.select()
    await settled()
    await whenDone(t, 30_000)
    await until(() => !existsSync(join(out, '.swarmstream.parts')), 10_000) // the last held piece moves
    assert.deepEqual(await treeDigest(join(out, 'album')), await treeDigest(folder))
    assert.deepEqual(await readdir(out), ['album'], 'the parts folder goes once nothing is held')
  } finally {
    await leecher.destroy()
    await seeder.destroy()
    await dir.cleanup()
  }
})
