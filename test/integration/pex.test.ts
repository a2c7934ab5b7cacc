/** Peer exchange (BEP 11) with libtorrent's ut_pex, both ways: we meet peers a libtorrent
 * leecher tells us of, and a libtorrent leecher meets peers we tell it of. */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { join } from 'node:path'
import net from 'node:net'
import { writeFile } from 'node:fs/promises'
import { Client } from '../../src/client/index.node.js'
import { libtorrentLeech, libtorrentSeed, hasLibtorrent } from '../peers/reference.js'
import { run } from '../peers/process.js'
import { fileDigest, freePort, tempDir, whenDone, writeRandomFile } from './fixtures.js'

async function until(ok: () => boolean, ms: number, why: () => string): Promise<void> {
  const deadline = Date.now() + ms
  while (!ok()) {
    if (Date.now() > deadline) throw new Error(why())
    await new Promise((r) => setTimeout(r, 50))
  }
}

function untilListening(port: number, ms: number): Promise<void> {
  let up = false
  const probe = () => { const s = net.connect(port, '127.0.0.1', () => { up = true; s.destroy() }); s.on('error', () => undefined) }
  const timer = setInterval(probe, 50)
  return until(() => up, ms, () => `nothing listens on ${port}`).finally(() => clearInterval(timer))
}

const skip = !hasLibtorrent && 'python3-libtorrent is not installed'

test('we meet the peers a libtorrent leecher tells us of', { skip, timeout: 180_000 }, async () => {
  const dir = await tempDir()
  const ours = new Client({ port: 0, host: '127.0.0.1', trackers: false })
  const procs: { stop(): Promise<void> }[] = []
  try {
    const file = join(dir.path, 'seed', 'data.bin')
    // slow seeders keep the libtorrent leecher a leecher (connected to them) while it tells us
    await writeRandomFile(file, 1024 * 1024)
    const maker = new Client({ port: false, trackers: false })
    const made = await maker.seed(file, { pieceLength: 65536 }).whenReady()
    await maker.destroy()
    const torrentPath = join(dir.path, 'data.torrent')
    await writeFile(torrentPath, made.torrentFile!)
    // two slow libtorrent seeders (60 kB/s in all), and a libtorrent leecher with PEX that knows them
    const seedPorts = [await freePort(), await freePort()]
    for (const port of seedPorts) {
      const s = libtorrentSeed(torrentPath, join(dir.path, 'seed'), port, ['--pex', '--upload-limit', '30000'])
      procs.push(s)
      await s.waitFor(/^READY/)
    }
    const hubPort = await freePort()
    procs.push(libtorrentLeech(torrentPath, join(dir.path, 'hub'), hubPort, ['--pex', '--linger', '--timeout', '170', ...seedPorts.flatMap((p) => ['--peer', String(p)])]))
    // we know only the libtorrent leecher
    await untilListening(hubPort, 30_000) // a refused dial would wait for a retry
    const t = ours.add(torrentPath, { path: join(dir.path, 'ours'), peers: [{ host: '127.0.0.1', port: hubPort }] })
    await t.whenReady()
    await until(() => t.discovery.found.pex >= 2, 120_000, () => `no peers from PEX (found ${JSON.stringify(t.discovery.found)})`)
    await whenDone(t, 120_000)
    assert.equal(await fileDigest(join(dir.path, 'ours', 'data.bin')), await fileDigest(file))
  } finally {
    await ours.destroy()
    for (const p of procs) await p.stop()
    await dir.cleanup()
  }
})

test('a libtorrent leecher meets the peers we tell it of', { skip, timeout: 180_000 }, async () => {
  const dir = await tempDir()
  const clients: Client[] = []
  try {
    const file = join(dir.path, 'seed', 'data.bin')
    await writeRandomFile(file, 2 * 1024 * 1024)
    // two of our seeders, slow, and our hub leecher connected to both
    const seeders = []
    for (let i = 0; i < 2; i++) {
      const c = new Client({ port: 0, host: '127.0.0.1', trackers: false })
      clients.push(c)
      seeders.push(await c.seed(file, { pieceLength: 65536, uploadLimit: 100_000 }).whenReady())
    }
    const torrentPath = join(dir.path, 'data.torrent')
    await writeFile(torrentPath, seeders[0]!.torrentFile!)
    const hub = new Client({ port: 0, host: '127.0.0.1', trackers: false })
    clients.push(hub)
    const ht = hub.add(torrentPath, { path: join(dir.path, 'hub'), peers: clients.slice(0, 2).map((c) => ({ host: '127.0.0.1', port: c.port })) })
    await ht.whenReady()
    // libtorrent knows only the hub
    const r = await run(libtorrentLeech(torrentPath, join(dir.path, 'lt'), await freePort(), ['--pex', '--peer', String(hub.port), '--timeout', '150']), 170_000)
    assert.equal(r.code, 0, r.stderr.slice(-1500))
    const stats = JSON.parse(r.stdout.split('\n').at(-1)!) as { peers_seen: number }
    assert.ok(stats.peers_seen >= 3, `libtorrent knew ${stats.peers_seen} peers: the hub and the seeders it was told of`)
    assert.equal(await fileDigest(join(dir.path, 'lt', 'data.bin')), await fileDigest(file))
  } finally {
    for (const c of clients) await c.destroy()
    await dir.cleanup()
  }
})
