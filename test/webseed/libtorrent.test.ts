/** Web seeds with libtorrent, an implementation nobody here wrote: libtorrent downloads a
 * multi-file torrent made by our `create --web-seed` from nginx alone (it reads our url-list
 * and joins URLs as we do), and we download a torrent whose url-list libtorrent wrote. */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { parseTorrent } from '../../src/metainfo/index.js'
import { hasLibtorrent, libtorrentLeech } from '../peers/reference.js'
import { run, start } from '../peers/process.js'
import { freePort } from '../integration/fixtures.js'
import { startNginx, nginxMissing } from './nginx.js'
import { leecher, tempDir, treeDigest, whenDone, writeAlbum } from './helpers.js'

const skip = !hasLibtorrent ? 'python3-libtorrent is not installed' : nginxMissing

test('libtorrent downloads our create --web-seed torrent from nginx alone, and we download libtorrent\'s', { timeout: 120_000, skip }, async () => {
  const dir = await tempDir()
  const www = join(dir.path, 'www')
  await writeAlbum(www)
  const nginx = await startNginx(www)
  const client = leecher()
  try {
    const ours = join(dir.path, 'ours.torrent')
    const created = await run(start(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'create', join(www, 'album'), '--web-seed', `${nginx.url}/`, '--piece-length', '32768', '-o', ours]), 30_000)
    assert.equal(created.code, 0, created.stderr)
    const lt = await run(libtorrentLeech(ours, join(dir.path, 'lt-out'), await freePort(), ['--timeout', '60']), 90_000)
    assert.equal(lt.code, 0, `libtorrent: ${lt.stdout}\n${lt.stderr.slice(-2000)}`)
    assert.deepEqual(await treeDigest(join(dir.path, 'lt-out', 'album')), await treeDigest(join(www, 'album')))
    assert.ok((await nginx.accessLog()).some((l) => l.startsWith('206 ') && l.includes('/album/sub/b%232%20%25.bin')), 'libtorrent fetched the escaped name')

    const theirs = join(dir.path, 'theirs.torrent')
    const py = `import libtorrent as lt, sys
fs = lt.file_storage(); lt.add_files(fs, sys.argv[1])
ct = lt.create_torrent(fs, 65536, flags=lt.create_torrent.v1_only)
ct.add_url_seed(sys.argv[3])
lt.set_piece_hashes(ct, sys.argv[4])
open(sys.argv[2], 'wb').write(lt.bencode(ct.generate()))`
    const made = await run(start('/usr/bin/python3', ['-c', py, join(www, 'album'), theirs, `${nginx.url}/`, www]), 30_000)
    assert.equal(made.code, 0, made.stderr)
    const metainfo = parseTorrent(new Uint8Array(await readFile(theirs)))
    assert.deepEqual(metainfo.urlList, [`${nginx.url}/`])
    const t = await client.add(metainfo, { path: join(dir.path, 'our-out') })
    await whenDone(t, 45_000)
    assert.deepEqual(await treeDigest(join(dir.path, 'our-out', 'album')), await treeDigest(join(www, 'album')))
  } finally {
    await client.destroy()
    await nginx.stop()
    await dir.cleanup()
  }
})
