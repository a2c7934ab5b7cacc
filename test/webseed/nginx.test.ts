/** Web seeds (BEP 19) against nginx, a real HTTP server nobody here wrote: web-seed-only
 * downloads (single- and multi-file), a web seed with a corrupted byte (banned; a peer
 * sends the piece), failing web seeds (dropped; a peer finishes), and peers and a web seed
 * sharing one download. */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { cp, readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { createTorrentFromPath } from '../../src/metainfo/index.node.js'
import { startNginx, nginxMissing } from './nginx.js'
import { leecher, QUICK_RETRY, randomData, seeder, tempDir, treeDigest, whenDone, whenDropped, writeAlbum } from './helpers.js'

const PIECE = 64 * 1024

test('a single-file torrent whose url-list names a folder downloads from nginx alone, several pieces per GET', { timeout: 60_000, skip: nginxMissing }, async () => {
  const dir = await tempDir()
  const data = randomData(3 * 1024 * 1024 + 1234)
  await writeFile(join(dir.path, 'movie.bin'), data)
  const nginx = await startNginx(dir.path)
  const client = leecher()
  try {
    const { metainfo } = await createTorrentFromPath(join(dir.path, 'movie.bin'), { pieceLength: PIECE, urlList: [`${nginx.url}/`] })
    const out = join(dir.path, 'out')
    // sequential: pieces are asked for in order, so contiguous ones share a GET
    const t = await client.add(metainfo, { path: out, sequential: true })
    await whenDone(t, 45_000)
    assert.deepEqual(await readFile(join(out, 'movie.bin')), Buffer.from(data))
    const log = await nginx.accessLog()
    assert.ok(log.length > 0 && log.every((l) => l.startsWith('206 ') && l.includes('GET /movie.bin ')), log.slice(0, 5).join('\n'))
    const biggest = Math.max(...log.map((l) => Number(l.split(' ')[1])))
    assert.ok(biggest > PIECE, `a GET carried several pieces (largest ${biggest} bytes)`)
    assert.ok(log.length < metainfo.pieceCount, `${log.length} GETs for ${metainfo.pieceCount} pieces`)
    assert.equal(t.numPeers, 0, 'the web seed was let go once done')
  } finally {
    await client.destroy()
    await nginx.stop()
    await dir.cleanup()
  }
})

test('a multi-file torrent downloads from nginx alone (BEP 19 URL joining, escaped names)', { timeout: 60_000, skip: nginxMissing }, async () => {
  const dir = await tempDir()
  const www = join(dir.path, 'www')
  await writeAlbum(www)
  const nginx = await startNginx(www)
  const client = leecher()
  try {
    // no trailing slash: BEP 19 multi-file URLs are folders, the slash is supplied
    const { metainfo } = await createTorrentFromPath(join(www, 'album'), { pieceLength: PIECE, urlList: [`${nginx.url}`] })
    const out = join(dir.path, 'out')
    const t = await client.add(metainfo, { path: out })
    await whenDone(t, 45_000)
    assert.deepEqual(await treeDigest(join(out, 'album')), await treeDigest(join(www, 'album')))
    const log = await nginx.accessLog()
    assert.ok(log.every((l) => l.startsWith('206 ')), log.filter((l) => !l.startsWith('206 ')).join('\n'))
    assert.ok(log.some((l) => l.includes('GET /album/sub/b%232%20%25.bin ')), 'names are percent-encoded')
    assert.ok(log.some((l) => l.includes('GET /album/01%20intro.bin ')))
  } finally {
    await client.destroy()
    await nginx.stop()
    await dir.cleanup()
  }
})

test('a web seed with one wrong byte is banned by the hash checks, and a peer sends the piece', { timeout: 60_000, skip: nginxMissing }, async () => {
  const dir = await tempDir()
  const good = join(dir.path, 'good'), bad = join(dir.path, 'bad')
  await writeAlbum(good)
  await cp(good, bad, { recursive: true })
  const victim = join(bad, 'album', 'sub', 'b#2 %.bin')
  const bytes = await readFile(victim)
  bytes[12_345] = bytes[12_345]! ^ 0x01
  await writeFile(victim, bytes)
  const nginx = await startNginx(bad)
  const peer = seeder(), client = leecher()
  try {
    const metainfo = (await peer.seed(join(good, 'album'), { pieceLength: PIECE }).whenReady()).metainfo!
    const out = join(dir.path, 'out')
    const t = await client.add(metainfo, { path: out, webSeeds: [`${nginx.url}/`] })
    const failures: string[] = []
    t.on('warning', (w) => { if (/failed its hash check/.test(w.message)) failures.push(w.message) })
    // the web seed alone: it fails the same piece twice and is banned (the torrent's strikes)
    const dropped = await whenDropped(t, 30_000)
    assert.match(dropped.why.message, /banned/)
    assert.equal(failures.length, 2)
    assert.equal(t.webSeeds.list()[0]!.state, 'banned')
    t.addPeer({ host: '127.0.0.1', port: peer.port })
    await whenDone(t, 30_000)
    assert.deepEqual(await treeDigest(join(out, 'album')), await treeDigest(join(good, 'album')))
    assert.ok([...t.peers.values()].every((p) => !p.address.host.startsWith('webseed:')), 'the banned web seed stays away')
  } finally {
    await client.destroy()
    await peer.destroy()
    await nginx.stop()
    await dir.cleanup()
  }
})

for (const [what, location, expect] of [
  ['404s', 'return 404;', /HTTP 404/],
  ['500s', 'return 500;', /HTTP 500/],
  ['redirects to another host', 'return 302 http://localhost:9$request_uri;', /another host/],
] as const) {
  test(`a web seed that ${what} is backed off, then dropped, and a peer finishes the download`, { timeout: 60_000, skip: nginxMissing }, async () => {
    const dir = await tempDir()
    const data = randomData(600_000)
    await writeFile(join(dir.path, 'file.bin'), data)
    const nginx = await startNginx(dir.path, { location })
    const peer = seeder(), client = leecher()
    try {
      const metainfo = (await peer.seed(join(dir.path, 'file.bin'), { pieceLength: PIECE }).whenReady()).metainfo!
      const t = await client.add(metainfo, { path: join(dir.path, 'out'), webSeeds: [`${nginx.url}/`], webSeedOptions: QUICK_RETRY })
      const { why } = await whenDropped(t, 30_000)
      assert.match(why.message, expect)
      const [seed] = t.webSeeds.list()
      assert.equal(seed!.state, 'dropped')
      assert.equal(seed!.failures, QUICK_RETRY.maxFailures)
      const gets = (await nginx.accessLog()).length
      assert.ok(gets >= QUICK_RETRY.maxFailures && gets <= 2 * QUICK_RETRY.maxFailures, `${gets} GETs: at most the two in flight per attempt`)
      t.addPeer({ host: '127.0.0.1', port: peer.port })
      await whenDone(t, 30_000)
      assert.deepEqual(await readFile(join(dir.path, 'out', 'file.bin')), Buffer.from(data))
      assert.equal((await nginx.accessLog()).length, gets, 'nothing asked of it after the drop')
    } finally {
      await client.destroy()
      await peer.destroy()
      await nginx.stop()
      await dir.cleanup()
    }
  })
}

test('a peer and a web seed share the work of one download', { timeout: 60_000, skip: nginxMissing }, async () => {
  const dir = await tempDir()
  const data = randomData(6 * 1024 * 1024)
  await writeFile(join(dir.path, 'file.bin'), data)
  // both sources at about 3 MB/s: neither can do it all before the other starts
  const nginx = await startNginx(dir.path, { location: 'limit_rate 3m;' })
  const peer = seeder(), client = leecher()
  try {
    const seeding = await peer.seed(join(dir.path, 'file.bin'), { pieceLength: PIECE, uploadLimit: 3_000_000 }).whenReady()
    const metainfo = seeding.metainfo!
    const t = await client.add(metainfo, { path: join(dir.path, 'out'), webSeeds: [`${nginx.url}/`], peers: [{ host: '127.0.0.1', port: peer.port }] })
    await whenDone(t, 45_000)
    assert.deepEqual(await readFile(join(dir.path, 'out', 'file.bin')), Buffer.from(data))
    const fromWebSeed = t.webSeeds.list()[0]!.bytes
    assert.ok(fromWebSeed > 0, 'the web seed sent something')
    assert.ok(seeding.uploaded > 0, 'the peer sent something')
    assert.ok(fromWebSeed + seeding.uploaded >= data.length)
  } finally {
    await client.destroy()
    await peer.destroy()
    await nginx.stop()
    await dir.cleanup()
  }
})
