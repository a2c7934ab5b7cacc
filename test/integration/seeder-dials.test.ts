/** A seeder dials the leechers it learns of (issue 16): leechers that never dial us
 * (Transmission will not dial 127.x peers from a tracker; a libtorrent that dials no one)
 * learn of us, and we of them, only through the tracker. */
import { test, describe, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { join } from 'node:path'
import { mkdir } from 'node:fs/promises'
import { swarmstream, run, type Running } from '../peers/process.js'
import { hasLibtorrent, hasTransmission, libtorrentLeech, transmissionLeech } from '../peers/reference.js'
import { tempDir, writeRandomFile, freePort, fileDigest, startTracker } from './fixtures.js'

describe('our seeder dials the leechers the tracker tells it of', { timeout: 300_000 }, () => {
  let dir: Awaited<ReturnType<typeof tempDir>>
  let tracker: Awaited<ReturnType<typeof startTracker>>
  let source: string, torrentFile: string, digest: string
  let seeder: Running
  const running: Running[] = []

  before(async () => {
    dir = await tempDir()
    tracker = await startTracker()
    source = join(dir.path, 'src', 'clip.bin')
    await writeRandomFile(source, 6 * 1024 * 1024 + 321)
    digest = await fileDigest(source)
    torrentFile = join(dir.path, 'clip.torrent')
    const r = await run(swarmstream(['create', source, '--announce', tracker.http, '-o', torrentFile, '--piece-length', '262144']), 60_000)
    assert.equal(r.code, 0, r.stderr)
    // no --peer: everything it learns comes from the tracker, which it asks every 2 s
    seeder = swarmstream(['seed', source, '--torrent', torrentFile, '--torrent-port', String(await freePort()), '--host', '127.0.0.1', '--announce-every', '2'])
    running.push(seeder)
    await seeder.waitFor(/^READY/)
  })

  after(async () => {
    await Promise.all(running.map((r) => r.stop()))
    await tracker?.close()
    await dir?.cleanup()
  })

  test('a libtorrent leecher that dials no one', { skip: !hasLibtorrent && 'python3-libtorrent is not installed' }, async () => {
    const out = join(dir.path, 'lt-no-out')
    const lt = libtorrentLeech(torrentFile, out, await freePort(), ['--no-outgoing', '--timeout', '90'])
    running.push(lt)
    const r = await run(lt, 120_000)
    assert.equal(r.code, 0, r.stderr.slice(-1500))
    assert.equal(await fileDigest(join(out, 'clip.bin')), digest)
  })

  test('a libtorrent leecher with incoming connections disabled', { skip: !hasLibtorrent && 'python3-libtorrent is not installed' }, async () => {
    const out = join(dir.path, 'lt-no-in')
    const lt = libtorrentLeech(torrentFile, out, await freePort(), ['--no-incoming', '--timeout', '90'])
    running.push(lt)
    const r = await run(lt, 120_000)
    assert.equal(r.code, 0, r.stderr.slice(-1500))
    assert.equal(await fileDigest(join(out, 'clip.bin')), digest)
  })

  test('a Transmission leecher, which never dials 127.x peers it learns from a tracker', { skip: !hasTransmission && 'Transmission is not installed' }, async () => {
    const out = join(dir.path, 'tr')
    await mkdir(out, { recursive: true })
    const tr = transmissionLeech(torrentFile, out, await freePort(), dir.path)
    running.push(tr)
    const r = await run(tr, 180_000)
    assert.equal(r.code, 0, r.stderr.slice(-1500))
    assert.equal(await fileDigest(join(out, 'clip.bin')), digest)
  })
})
