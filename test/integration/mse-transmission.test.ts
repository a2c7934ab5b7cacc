import { test, describe, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { join } from 'node:path'
import { mkdir } from 'node:fs/promises'
import { swarmstream, run, type Running } from '../peers/process.js'
import { hasTransmission, transmissionLeech, transmissionSeed } from '../peers/reference.js'
import { tempDir, writeRandomFile, freePort, fileDigest } from './fixtures.js'

// Transmission with `encryption: 2` (required: MSE only) both ways. It is slow (it unchokes
// ~10 s after our interested), so one small file, in its own file so it runs beside the others.
// Transmission never dials 127.x peers, so in both directions our side is the MSE initiator.
describe('MSE/PE with Transmission (encryption required)', { timeout: 240_000, skip: !hasTransmission && 'Transmission is not installed' }, () => {
  let dir: { path: string; cleanup(): Promise<void> }
  let source: string, torrentFile: string, digest: string
  const running: Running[] = []
  const track = <T extends Running>(r: T) => { running.push(r); return r }

  before(async () => {
    dir = await tempDir()
    source = join(dir.path, 'src', 'small.bin')
    await writeRandomFile(source, 4 * 1024 * 1024 + 99)
    digest = await fileDigest(source)
    torrentFile = join(dir.path, 'small.torrent')
    const r = await run(swarmstream(['create', source, '-o', torrentFile, '--piece-length', '262144']), 60_000)
    assert.equal(r.code, 0, r.stderr)
  })

  after(async () => {
    await Promise.all(running.map((r) => r.stop()))
    await dir?.cleanup()
  })

  test('Transmission (required) seeds, ours (enabled) downloads', async () => {
    const trPort = await freePort()
    const tr = track(await transmissionSeed(torrentFile, join(dir.path, 'src'), trPort, dir.path, 2))
    const out = join(dir.path, 'ours-from-tr')
    const r = await run(track(swarmstream(['download', torrentFile, '-o', out, '--torrent-port', String(await freePort()), '--host', '127.0.0.1', '--quiet',
      '--timeout', '90', '--no-trackers', '--peer', `127.0.0.1:${trPort}`])), 120_000)
    assert.equal(r.code, 0, r.stderr)
    assert.equal(await fileDigest(join(out, 'small.bin')), digest)
    await tr.stop()
  })

  test('ours (forced) seeds, Transmission (required) downloads', async () => {
    const trPort = await freePort()
    const out = join(dir.path, 'tr-leech')
    await mkdir(out, { recursive: true })
    const tr = track(transmissionLeech(torrentFile, out, trPort, dir.path, 2))
    const seeder = track(swarmstream(['seed', source, '--torrent', torrentFile, '--torrent-port', String(await freePort()), '--host', '127.0.0.1',
      '--no-trackers', '--peer', `127.0.0.1:${trPort}`, '--encryption', 'forced']))
    await seeder.waitFor(/^READY/)
    const r = await run(tr, 150_000)
    assert.equal(r.code, 0, r.stderr)
    assert.equal(await fileDigest(join(out, 'small.bin')), digest)
    await seeder.stop()
  })
})
