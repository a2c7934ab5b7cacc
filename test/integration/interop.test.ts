import { test, describe, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { join } from 'node:path'
import { mkdir } from 'node:fs/promises'
import { swarmstream, run, type Running } from '../peers/process.js'
import { hasLibtorrent, hasTransmission, libtorrentSeed, libtorrentLeech, transmissionSeed, transmissionLeech } from '../peers/reference.js'
import { tempDir, writeRandomFile, freePort, fileDigest, treeDigest, startTracker } from './fixtures.js'

// Every peer here runs on 127.0.0.1 with DHT, LSD, UPnP/NAT-PMP and PEX off; the only
// tracker is ours, in this process. scripts/test.mjs runs the suite in a loopback-only namespace.
describe('interoperability with libtorrent and Transmission', { timeout: 600_000 }, () => {
  let dir: { path: string; cleanup(): Promise<void> }
  let tracker: Awaited<ReturnType<typeof startTracker>>
  let source: string, torrentFile: string, digest: string
  const running: Running[] = []
  const track = <T extends Running>(r: T) => { running.push(r); return r }

  before(async () => {
    dir = await tempDir()
    tracker = await startTracker()
    source = join(dir.path, 'src', 'movie.bin')
    await writeRandomFile(source, 24 * 1024 * 1024 + 12345)
    digest = await fileDigest(source)
    torrentFile = join(dir.path, 'movie.torrent')
    const r = await run(swarmstream(['create', source, '--announce', tracker.http, '-o', torrentFile, '--piece-length', '262144']), 60_000)
    assert.equal(r.code, 0, r.stderr)
  })

  after(async () => {
    await Promise.all(running.map((r) => r.stop()))
    await tracker?.close()
    await dir?.cleanup()
  })

  test('ours seeds, libtorrent downloads', { skip: !hasLibtorrent && 'python3-libtorrent is not installed' }, async () => {
    const seeder = track(swarmstream(['seed', source, '--torrent', torrentFile, '--torrent-port', String(await freePort()), '--host', '127.0.0.1']))
    await seeder.waitFor(/^READY/)
    const out = join(dir.path, 'lt-leech')
    const lt = track(libtorrentLeech(torrentFile, out, await freePort(), ['--timeout', '120']))
    const r = await run(lt, 150_000)
    assert.equal(r.code, 0, r.stderr)
    assert.equal(await fileDigest(join(out, 'movie.bin')), digest)
    await seeder.stop()
  })

  test('libtorrent seeds, ours downloads', { skip: !hasLibtorrent && 'python3-libtorrent is not installed' }, async () => {
    const lt = track(libtorrentSeed(torrentFile, join(dir.path, 'src'), await freePort()))
    await lt.waitFor(/^READY/)
    const out = join(dir.path, 'ours-from-lt')
    const r = await run(swarmstream(['download', torrentFile, '-o', out, '--torrent-port', String(await freePort()), '--host', '127.0.0.1', '--quiet', '--timeout', '120']), 150_000)
    assert.equal(r.code, 0, r.stderr)
    assert.equal(await fileDigest(join(out, 'movie.bin')), digest)
    await lt.stop()
  })

  test('a magnet link with only the info hash and a tracker: metadata comes from libtorrent', { skip: !hasLibtorrent && 'python3-libtorrent is not installed' }, async () => {
    const lt = track(libtorrentSeed(torrentFile, join(dir.path, 'src'), await freePort()))
    await lt.waitFor(/^READY/)
    const info = await run(swarmstream(['info', torrentFile, '--json']), 30_000)
    const infoHash = (JSON.parse(info.stdout) as { infoHash: string }).infoHash
    const magnet = `magnet:?xt=urn:btih:${infoHash}&tr=${encodeURIComponent(tracker.http)}`
    const out = join(dir.path, 'ours-magnet')
    const r = await run(swarmstream(['download', magnet, '-o', out, '--torrent-port', String(await freePort()), '--host', '127.0.0.1', '--quiet', '--timeout', '120']), 150_000)
    assert.equal(r.code, 0, r.stderr)
    assert.equal(await fileDigest(join(out, 'movie.bin')), digest)
    await lt.stop()
  })

  test('Transmission seeds, ours downloads', { skip: !hasTransmission && 'Transmission is not installed' }, async () => {
    const tr = track(await transmissionSeed(torrentFile, join(dir.path, 'src'), await freePort(), dir.path))
    const out = join(dir.path, 'ours-from-tr')
    const r = await run(swarmstream(['download', torrentFile, '-o', out, '--torrent-port', String(await freePort()), '--host', '127.0.0.1', '--quiet', '--timeout', '150']), 180_000)
    assert.equal(r.code, 0, r.stderr)
    assert.equal(await fileDigest(join(out, 'movie.bin')), digest)
    await tr.stop()
  })

  test('ours seeds, Transmission downloads (our seeder dials it: it never dials 127.x peers)', { skip: !hasTransmission && 'Transmission is not installed' }, async () => {
    const trPort = await freePort()
    const out = join(dir.path, 'tr-leech')
    await mkdir(out, { recursive: true })
    const tr = track(transmissionLeech(torrentFile, out, trPort, dir.path))
    const seeder = track(swarmstream(['seed', source, '--torrent', torrentFile, '--torrent-port', String(await freePort()), '--host', '127.0.0.1', '--peer', `127.0.0.1:${trPort}`, '--announce-every', '2']))
    await seeder.waitFor(/^READY/)
    const r = await run(tr, 180_000)
    assert.equal(r.code, 0, r.stderr)
    assert.equal(await fileDigest(join(out, 'movie.bin')), digest)
    await seeder.stop()
  })

  test('ours to ours, a multi-file torrent, with one file deselected', async () => {
    const folder = join(dir.path, 'multi', 'album')
    await writeRandomFile(join(folder, 'a.bin'), 3 * 1024 * 1024 + 1)
    await writeRandomFile(join(folder, 'sub', 'b.bin'), 5 * 1024 * 1024)
    await writeRandomFile(join(folder, 'sub', 'c.bin'), 700_001)
    await writeRandomFile(join(folder, 'd.bin'), 2 * 1024 * 1024 + 77)
    const t = join(dir.path, 'album.torrent')
    assert.equal((await run(swarmstream(['create', folder, '--announce', tracker.udp, '-o', t, '--piece-length', '65536']), 60_000)).code, 0)
    const seeder = track(swarmstream(['seed', folder, '--torrent', t, '--torrent-port', String(await freePort()), '--host', '127.0.0.1']))
    await seeder.waitFor(/^READY/)
    const out = join(dir.path, 'ours-multi')
    const whole = await run(swarmstream(['download', t, '-o', out, '--torrent-port', String(await freePort()), '--host', '127.0.0.1', '--quiet', '--timeout', '60']), 90_000)
    assert.equal(whole.code, 0, whole.stderr)
    assert.deepEqual(await treeDigest(join(out, 'album')), await treeDigest(folder))
    // --select: file order is the torrent's (sorted paths): a.bin, d.bin, sub/b.bin, sub/c.bin
    const part = join(dir.path, 'ours-select')
    const sel = await run(swarmstream(['download', t, '-o', part, '--select', '0,3', '--torrent-port', String(await freePort()), '--host', '127.0.0.1', '--quiet', '--timeout', '60']), 90_000)
    assert.equal(sel.code, 0, sel.stderr)
    const got = await treeDigest(join(part, 'album'))
    const want = await treeDigest(folder)
    assert.equal(got['a.bin'], want['a.bin'])
    assert.equal(got['sub/c.bin'], want['sub/c.bin'])
    await seeder.stop()
  })
})
