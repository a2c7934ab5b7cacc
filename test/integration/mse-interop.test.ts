import { test, describe, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { join } from 'node:path'
import { swarmstream, run, start, ROOT, type Running } from '../peers/process.js'
import { hasLibtorrent, libtorrentSeed, libtorrentLeech } from '../peers/reference.js'
import { hasAria2, aria2Leech, aria2Seed } from '../peers/aria2.js'
import { tempDir, writeRandomFile, freePort, fileDigest, startTracker } from './fixtures.js'

// MSE/PE against peers nobody here wrote: libtorrent with pe_forced, webtorrent with secure 1
// (its default) and 2, aria2 with and without --bt-require-crypto. Each direction moves a
// 6 MiB file and compares its SHA-256. A peer set to require encryption refuses plaintext,
// so its transfers prove the MSE path; libtorrent with pe_disabled proves our fallback.
// Everything on 127.0.0.1 (scripts/test.mjs runs the suite in a loopback-only namespace).
const WT = join(ROOT, 'test/peers/wt.mjs')
const wtSeed = (torrent: string, dir: string, port: number, secure: number) => start(process.execPath, [WT, 'seed', torrent, dir, '--port', String(port), '--secure', String(secure), '--quiet'])
const wtLeech = (torrent: string, dir: string, port: number, peer: number, secure: number) =>
  start(process.execPath, [WT, 'leech', torrent, dir, '--port', String(port), '--peer', String(peer), '--secure', String(secure), '--timeout', '60', '--quiet'])

describe('MSE/PE interoperability', { timeout: 300_000 }, () => {
  let dir: { path: string; cleanup(): Promise<void> }
  let tracker: Awaited<ReturnType<typeof startTracker>>
  let source: string, srcDir: string, torrentFile: string, digest: string
  const running: Running[] = []
  const track = <T extends Running>(r: T) => { running.push(r); return r }

  before(async () => {
    dir = await tempDir()
    tracker = await startTracker()
    srcDir = join(dir.path, 'src')
    source = join(srcDir, 'clip.bin')
    await writeRandomFile(source, 6 * 1024 * 1024 + 4321)
    digest = await fileDigest(source)
    torrentFile = join(dir.path, 'clip.torrent')
    const r = await run(swarmstream(['create', source, '--announce', tracker.http, '-o', torrentFile, '--piece-length', '262144']), 60_000)
    assert.equal(r.code, 0, r.stderr)
  })

  after(async () => {
    await Promise.all(running.map((r) => r.stop()))
    await tracker?.close()
    await dir?.cleanup()
  })

  async function oursSeed(encryption: string): Promise<{ port: number; proc: Running }> {
    const port = await freePort()
    const proc = track(swarmstream(['seed', source, '--torrent', torrentFile, '--torrent-port', String(port), '--host', '127.0.0.1', '--encryption', encryption]))
    await proc.waitFor(/^READY/)
    return { port, proc }
  }

  async function oursDownload(name: string, peerPort: number, encryption: string, timeoutS = 60): Promise<{ code: number; stderr: string; out: string }> {
    const out = join(dir.path, name)
    const r = await run(track(swarmstream(['download', torrentFile, '-o', out, '--torrent-port', String(await freePort()), '--host', '127.0.0.1', '--quiet',
      '--timeout', String(timeoutS), '--no-trackers', '--peer', `127.0.0.1:${peerPort}`, '--encryption', encryption])), (timeoutS + 30) * 1000)
    return { ...r, out }
  }

  const lt = { skip: !hasLibtorrent && 'python3-libtorrent is not installed' }
  const aria = { skip: !hasAria2 && 'aria2 is not installed (scripts/setup.sh)' }

  for (const ours of ['enabled', 'forced']) {
    test(`libtorrent pe_forced seeds, ours (${ours}) downloads`, lt, async () => {
      const port = await freePort()
      const seed = track(libtorrentSeed(torrentFile, srcDir, port, ['--enc-forced']))
      await seed.waitFor(/^READY/)
      const r = await oursDownload(`lt-forced-${ours}`, port, ours)
      assert.equal(r.code, 0, r.stderr)
      assert.equal(await fileDigest(join(r.out, 'clip.bin')), digest)
      await seed.stop()
    })
  }

  test('ours (forced) seeds, libtorrent pe_forced downloads', lt, async () => {
    const seeder = await oursSeed('forced')
    const out = join(dir.path, 'lt-leech-forced')
    const r = await run(track(libtorrentLeech(torrentFile, out, await freePort(), ['--enc-forced', '--peer', String(seeder.port), '--timeout', '60'])), 90_000)
    assert.equal(r.code, 0, r.stderr)
    assert.equal(await fileDigest(join(out, 'clip.bin')), digest)
    await seeder.proc.stop()
  })

  test('libtorrent pe_disabled drops our MSE handshake: ours (enabled) falls back to plaintext', lt, async () => {
    const port = await freePort()
    const seed = track(libtorrentSeed(torrentFile, srcDir, port))
    await seed.waitFor(/^READY/)
    const r = await oursDownload('lt-plain-fallback', port, 'enabled')
    assert.equal(r.code, 0, r.stderr)
    assert.equal(await fileDigest(join(r.out, 'clip.bin')), digest)
    await seed.stop()
  })

  test('ours with encryption disabled gets nothing from libtorrent pe_forced (it refuses plaintext)', lt, async () => {
    const port = await freePort()
    const seed = track(libtorrentSeed(torrentFile, srcDir, port, ['--enc-forced']))
    await seed.waitFor(/^READY/)
    const r = await oursDownload('lt-forced-vs-disabled', port, 'disabled', 6)
    assert.notEqual(r.code, 0)
    await seed.stop()
  })

  for (const [secure, ours] of [[1, 'enabled'], [2, 'enabled'], [2, 'forced']] as const) {
    test(`webtorrent (secure: ${secure}) downloads from ours (${ours}) over TCP, from a .torrent file`, async () => {
      const seeder = await oursSeed(ours)
      const out = join(dir.path, `wt-leech-${secure}-${ours}`)
      const r = await run(track(wtLeech(torrentFile, out, await freePort(), seeder.port, secure)), 90_000)
      assert.equal(r.code, 0, r.stderr)
      assert.equal(await fileDigest(join(out, 'clip.bin')), digest)
      await seeder.proc.stop()
    })
  }

  test('webtorrent (secure: 1) downloads from ours from a magnet link (metadata over MSE too)', async () => {
    const seeder = await oursSeed('enabled')
    const magnet = await seeder.proc.waitFor(/^magnet:/)
    const out = join(dir.path, 'wt-leech-magnet')
    const r = await run(track(wtLeech(magnet, out, await freePort(), seeder.port, 1)), 90_000)
    assert.equal(r.code, 0, r.stderr)
    assert.equal(await fileDigest(join(out, 'clip.bin')), digest)
    await seeder.proc.stop()
  })

  for (const [secure, ours] of [[1, 'enabled'], [2, 'forced']] as const) {
    test(`webtorrent (secure: ${secure}) seeds, ours (${ours}) downloads`, async () => {
      const port = await freePort()
      const seed = track(wtSeed(torrentFile, srcDir, port, secure))
      await seed.waitFor(/^READY/)
      const r = await oursDownload(`wt-seed-${secure}-${ours}`, port, ours)
      assert.equal(r.code, 0, r.stderr)
      assert.equal(await fileDigest(join(r.out, 'clip.bin')), digest)
      await seed.stop()
    })
  }

  for (const [requireCrypto, ours] of [[false, 'enabled'], [true, 'forced']] as const) {
    test(`aria2 (--bt-require-crypto=${requireCrypto}) downloads from ours (${ours}) through our tracker`, aria, async () => {
      const seeder = await oursSeed(ours)
      const out = join(dir.path, `aria2-leech-${requireCrypto}`)
      const r = await run(track(aria2Leech(torrentFile, out, await freePort(), requireCrypto)), 90_000)
      assert.equal(r.code, 0, r.stderr + r.stdout.slice(-2000))
      assert.equal(await fileDigest(join(out, 'clip.bin')), digest)
      await seeder.proc.stop()
    })

    test(`aria2 (--bt-require-crypto=${requireCrypto}) seeds, ours (${ours}) downloads`, aria, async () => {
      const port = await freePort()
      const seed = track(aria2Seed(torrentFile, srcDir, port, requireCrypto))
      await seed.waitFor(/listening on TCP port/)
      const r = await oursDownload(`aria2-seed-${requireCrypto}`, port, ours)
      assert.equal(r.code, 0, r.stderr)
      assert.equal(await fileDigest(join(r.out, 'clip.bin')), digest)
      await seed.stop()
    })
  }
})
