/** The command line with web seeds: `create --web-seed` writes a url-list that `download`
 * uses by default, and `download --web-seed` adds one to a torrent that has none. */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { join } from 'node:path'
import { run, swarmstream } from '../peers/process.js'
import { startNginx, nginxMissing } from './nginx.js'
import { tempDir, treeDigest, writeAlbum } from './helpers.js'

test('create --web-seed, then download from the web seed alone; download --web-seed for a torrent without one', { timeout: 90_000, skip: nginxMissing }, async () => {
  const dir = await tempDir()
  const www = join(dir.path, 'www')
  await writeAlbum(www)
  const nginx = await startNginx(www)
  try {
    const withSeed = join(dir.path, 'with.torrent'), without = join(dir.path, 'without.torrent')
    assert.equal((await run(swarmstream(['create', join(www, 'album'), '--web-seed', `${nginx.url}/`, '-o', withSeed]), 30_000)).code, 0)
    assert.equal((await run(swarmstream(['create', join(www, 'album'), '-o', without]), 30_000)).code, 0)
    const a = await run(swarmstream(['download', withSeed, '-o', join(dir.path, 'a'), '--torrent-port', '0', '--timeout', '60', '--quiet']), 70_000)
    assert.equal(a.code, 0, a.stderr)
    assert.deepEqual(await treeDigest(join(dir.path, 'a', 'album')), await treeDigest(join(www, 'album')))
    const b = await run(swarmstream(['download', without, '-o', join(dir.path, 'b'), '--torrent-port', '0', '--timeout', '60', '--quiet', '--web-seed', nginx.url]), 70_000)
    assert.equal(b.code, 0, b.stderr)
    assert.deepEqual(await treeDigest(join(dir.path, 'b', 'album')), await treeDigest(join(www, 'album')))
  } finally {
    await nginx.stop()
    await dir.cleanup()
  }
})
