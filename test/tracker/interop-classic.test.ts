/** libtorrent and Transmission find each other through our HTTP and our UDP tracker and a
 * transfer completes (byte-compared). Loopback only; every peer has DHT/LSD/PEX/UPnP off. */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtempSync, mkdirSync, writeFileSync, readFileSync, existsSync, rmSync } from 'node:fs'
import { randomBytes } from 'node:crypto'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { TrackerServer } from '../../src/tracker/index.js'
import { makeTorrent, libtorrent, transmission, missingPeers, type Peer } from '../peers/tracker-peers.js'

const skip = missingPeers()
const SIZE = 4 * 1024 * 1024

function scratch() {
  const dir = mkdtempSync(join(tmpdir(), 'trk-interop-'))
  const seedDir = join(dir, 'seed'), leechDir = join(dir, 'leech')
  mkdirSync(seedDir); mkdirSync(leechDir)
  const data = randomBytes(SIZE)
  writeFileSync(join(seedDir, 'data.bin'), data)
  return { dir, seedDir, leechDir, data }
}

async function waitForFile(path: string, want: Buffer, timeoutMs: number): Promise<boolean> {
  const end = Date.now() + timeoutMs
  while (Date.now() < end) {
    if (existsSync(path) && readFileSync(path).equals(want)) return true
    await new Promise((r) => setTimeout(r, 250))
  }
  return false
}

function clientsSeen(server: TrackerServer) {
  const seen = new Map<string, Set<string>>()
  server.on('announce', (a) => {
    const client = Buffer.from(a.peerId, 'hex').toString('latin1').slice(0, 3)
    if (!seen.has(a.kind)) seen.set(a.kind, new Set())
    seen.get(a.kind)!.add(client)
  })
  return seen
}

test('HTTP tracker: libtorrent seeds to Transmission', { skip, timeout: 90_000 }, async () => {
  const server = new TrackerServer({ udp: false, interval: 5 })
  const ports = await server.listen()
  const seen = clientsSeen(server)
  const s = scratch()
  const peers: Peer[] = []
  try {
    const torrent = join(s.dir, 't.torrent')
    makeTorrent(join(s.seedDir, 'data.bin'), torrent, `http://127.0.0.1:${ports.http}/announce`)
    // Transmission never dials 127.x peers from a tracker: the seeder re-announces every second,
    // learns the leecher and dials it.
    const seeder = libtorrent('seed', torrent, s.seedDir, 41_001, ['--announce-every', '1'])
    peers.push(seeder)
    assert.ok(await seeder.waitFor(/READY/, 30_000), `libtorrent seeding: ${seeder.output()}`)
    const leecher = transmission('leech', torrent, s.leechDir, 41_002, join(s.dir, 'tr-conf'))
    peers.push(leecher)
    assert.ok(await waitForFile(join(s.leechDir, 'data.bin'), s.data, 70_000),
      `Transmission completed the download\n${leecher.output().slice(-500)}\n${seeder.output().slice(-500)}`)
    assert.deepEqual([...(seen.get('http') ?? [])].sort(), ['-LT', '-TR'])
  } finally {
    for (const p of peers) await p.stop()
    await server.close()
    rmSync(s.dir, { recursive: true, force: true })
  }
})

test('UDP tracker: Transmission seeds to libtorrent', { skip, timeout: 90_000 }, async () => {
  const server = new TrackerServer({ http: false, ws: false, interval: 5 })
  const ports = await server.listen()
  const seen = clientsSeen(server)
  const s = scratch()
  const peers: Peer[] = []
  try {
    const torrent = join(s.dir, 't.torrent')
    makeTorrent(join(s.seedDir, 'data.bin'), torrent, `udp://127.0.0.1:${ports.udp}`)
    const seeder = transmission('seed', torrent, s.seedDir, 41_003, join(s.dir, 'tr-conf'))
    peers.push(seeder)
    assert.ok(await seeder.waitFor(/Seeding/, 30_000), `Transmission seeding: ${seeder.output().slice(-500)}`)
    const leecher = libtorrent('leech', torrent, s.leechDir, 41_004, ['--timeout', '60'])
    peers.push(leecher)
    const code = await Promise.race([leecher.exited, new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), 70_000).unref())])
    assert.equal(code, 0, `libtorrent finished: ${leecher.output().slice(-800)}\n${seeder.output().slice(-300)}`)
    assert.ok(readFileSync(join(s.leechDir, 'data.bin')).equals(s.data), 'identical bytes')
    assert.deepEqual([...(seen.get('udp') ?? [])].sort(), ['-LT', '-TR'])
  } finally {
    for (const p of peers) await p.stop()
    await server.close()
    rmSync(s.dir, { recursive: true, force: true })
  }
})
