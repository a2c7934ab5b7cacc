/** Trackerless magnets over the DHT (issue 10): libtorrent nodes form a DHT on 127.0.0.1; a
 * libtorrent seeder announces only there and `swarmstream download <magnet>` finds it; and
 * the reverse, our seeder announcing only to the DHT and a libtorrent leecher with only the
 * magnet. Every node is on 127.0.0.1; the public routers are replaced by --dht-bootstrap. */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { join } from 'node:path'
import { mkdir } from 'node:fs/promises'
import { ROOT, run, start, swarmstream } from '../peers/process.js'
import { hasLibtorrent } from '../peers/reference.js'
import { fileDigest, freePort, tempDir, writeRandomFile } from './fixtures.js'

const LT_DHT = join(ROOT, 'test/peers/lt-dht.py')

test('a trackerless magnet found through a libtorrent DHT, both ways', { skip: !hasLibtorrent && 'python3-libtorrent is not installed', timeout: 180_000 }, async () => {
  const dir = await tempDir()
  const ports = [await freePort(), await freePort(), await freePort(), await freePort()]
  const lt = start('/usr/bin/python3', [LT_DHT, '--ports', ports.join(','), '--bootstrap', `127.0.0.1:${ports[3]}`, '--timeout', '170'], { stdin: true })
  const bootstrap = ['--dht-bootstrap', `127.0.0.1:${ports[0]}`, '--dht-bootstrap', `127.0.0.1:${ports[1]}`]
  try {
    await lt.waitFor(/^READY/, 30_000)
    // libtorrent seeds, we download from the magnet alone
    lt.proc.stdin!.write(`seed 2 ${join(dir.path, 'lt')}\n`)
    const [, hash] = (await lt.waitFor(/^SEEDING /, 30_000)).split(' ')
    const out = join(dir.path, 'ours')
    const r = await run(swarmstream(['download', `magnet:?xt=urn:btih:${hash}`, '-o', out, '--torrent-port', String(await freePort()), '--host', '127.0.0.1', ...bootstrap, '--quiet', '--timeout', '90']), 120_000)
    assert.equal(r.code, 0, r.stderr.slice(-2000))
    assert.equal(await fileDigest(join(out, 'lt-dht-2.bin')), await fileDigest(join(dir.path, 'lt', 'lt-dht-2.bin')))

    // we seed, announcing to the DHT only; a libtorrent session leeches from the magnet
    const file = join(dir.path, 'seed', 'ours.bin')
    await writeRandomFile(file, 1_500_000)
    const seeder = swarmstream(['seed', file, '--torrent-port', String(await freePort()), '--host', '127.0.0.1', ...bootstrap])
    try {
      const magnet = (await seeder.waitFor(/^magnet:/, 60_000)).trim()
      assert.doesNotMatch(magnet, /tr=/, 'no tracker')
      await seeder.waitFor(/^READY/)
      const into = join(dir.path, 'lt-leech')
      await mkdir(into, { recursive: true })
      lt.proc.stdin!.write(`leech 3 ${magnet} ${into}\n`)
      await lt.waitFor(/^DONE /, 120_000)
      assert.equal(await fileDigest(join(into, 'ours.bin')), await fileDigest(file))
    } finally {
      await seeder.stop()
    }
  } finally {
    await lt.stop()
    await dir.cleanup()
  }
})
