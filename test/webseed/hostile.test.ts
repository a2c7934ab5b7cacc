/** Web seeds against Node's own http server (a second HTTP implementation besides nginx),
 * well-behaved and hostile: cut bodies, lies about the range, more bytes than asked, 200
 * with the whole file, a body that trickles (slow loris). Each hostile seed is dropped with
 * the reason, memory and time stay bounded, and a peer finishes the download. */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { createTorrentFromPath } from '../../src/metainfo/index.node.js'
import { rangedGet, WebSeedError } from '../../src/discovery/web-seed-get.js'
import { systemClock } from '../../src/util/clock.js'
import { startRangeServer, type Misbehaviour } from './range-server.js'
import { leecher, QUICK_RETRY, randomData, seeder, tempDir, treeDigest, whenDone, whenDropped, writeAlbum } from './helpers.js'

const PIECE = 64 * 1024

test('a multi-file torrent downloads from Node\'s http server alone, through a same-host redirect', { timeout: 60_000 }, async () => {
  const dir = await tempDir()
  const www = join(dir.path, 'www')
  const files = await writeAlbum(www)
  const server = await startRangeServer(Object.fromEntries(Object.entries(files).map(([p, d]) => [`/${p}`, d])), { misbehave: 'redirect-same' })
  const client = leecher()
  try {
    const { metainfo } = await createTorrentFromPath(join(www, 'album'), { pieceLength: PIECE, urlList: [`${server.url}/`] })
    const t = await client.add(metainfo, { path: join(dir.path, 'out') })
    await whenDone(t, 45_000)
    assert.deepEqual(await treeDigest(join(dir.path, 'out', 'album')), await treeDigest(join(www, 'album')))
    assert.ok(server.requests.some((p) => p.startsWith('/moved/album/')), 'the redirect was followed')
  } finally {
    await client.destroy()
    await server.close()
    await dir.cleanup()
  }
})

const HOSTILE: [Misbehaviour, RegExp][] = [
  ['cut', /ended after|unreachable|terminated/],
  ['lie-range', /Content-Range/],
  ['extra-bytes', /more than/],
  ['ignore-range', /ignores Range/],
]
for (const [mode, expect] of HOSTILE) {
  test(`a web seed that misbehaves (${mode}) is dropped, and a peer finishes the download`, { timeout: 60_000 }, async () => {
    const dir = await tempDir()
    const data = randomData(2 * 1024 * 1024 + 5)
    await writeFile(join(dir.path, 'file.bin'), data)
    const server = await startRangeServer({ '/file.bin': data }, { misbehave: mode })
    const peer = seeder(), client = leecher()
    try {
      const metainfo = (await peer.seed(join(dir.path, 'file.bin'), { pieceLength: PIECE }).whenReady()).metainfo!
      const t = await client.add(metainfo, { path: join(dir.path, 'out'), webSeeds: [`${server.url}/`], webSeedOptions: QUICK_RETRY })
      const { why } = await whenDropped(t, 30_000)
      assert.match(why.message, expect)
      t.addPeer({ host: '127.0.0.1', port: peer.port })
      await whenDone(t, 30_000)
      assert.deepEqual(await readFile(join(dir.path, 'out', 'file.bin')), Buffer.from(data))
    } finally {
      await client.destroy()
      await peer.destroy()
      await server.close()
      await dir.cleanup()
    }
  })
}

test('a slow-loris web seed is dropped when its GETs overrun their time', { timeout: 60_000 }, async () => {
  const dir = await tempDir()
  const data = randomData(300_000)
  await writeFile(join(dir.path, 'file.bin'), data)
  const server = await startRangeServer({ '/file.bin': data }, { misbehave: 'slow' })
  const peer = seeder(), client = leecher()
  try {
    const metainfo = (await peer.seed(join(dir.path, 'file.bin'), { pieceLength: PIECE }).whenReady()).metainfo!
    // every GET may take 100 ms plus 1 s per 10 MB; the server sends 20 bytes a second
    const webSeedOptions = { ...QUICK_RETRY, peer: { limits: { graceMs: 100, minBytesPerSecond: 10_000_000, idleMs: 5000 } } }
    const t = await client.add(metainfo, { path: join(dir.path, 'out'), webSeeds: [`${server.url}/`], webSeedOptions })
    const { why } = await whenDropped(t, 30_000)
    assert.match(why.message, /took longer/)
    t.addPeer({ host: '127.0.0.1', port: peer.port })
    await whenDone(t, 30_000)
  } finally {
    await client.destroy()
    await peer.destroy()
    await server.close()
    await dir.cleanup()
  }
})

test('a 200 with a whole large file answers a range from 0 with its prefix and reads no further', { timeout: 30_000 }, async () => {
  const big = randomData(64 * 1024 * 1024)
  const server = await startRangeServer({ '/big.bin': big }, { misbehave: 'ignore-range' })
  try {
    const chunks: Uint8Array[] = []
    await rangedGet({ url: `${server.url}/big.bin`, start: 0, length: 40_000, fileLength: big.length }, (c) => chunks.push(c.slice()), { clock: systemClock })
    assert.deepEqual(Buffer.concat(chunks), Buffer.from(big.subarray(0, 40_000)))
    await assert.rejects(
      rangedGet({ url: `${server.url}/big.bin`, start: 16384, length: 16384, fileLength: big.length }, () => undefined, { clock: systemClock }),
      (e: Error) => e instanceof WebSeedError && /ignores Range/.test(e.message))
    await assert.rejects(
      rangedGet({ url: `${server.url}/big.bin`, start: 0, length: 16384, fileLength: big.length + 1 }, () => undefined, { clock: systemClock }),
      /bytes on the server/, 'a file of another length is not ours')
  } finally {
    await server.close()
  }
})

test('URLs a web seed must not fetch are refused before any request', { timeout: 30_000 }, async () => {
  const server = await startRangeServer({ '/f': randomData(10) })
  try {
    const url = new URL(server.url)
    for (const bad of [`http://user:pw@${url.host}/f`, `ftp://${url.host}/f`, 'not a url']) {
      await assert.rejects(rangedGet({ url: bad, start: 0, length: 10, fileLength: 10 }, () => undefined, { clock: systemClock }), WebSeedError)
    }
    assert.equal(server.requests.length, 0)
  } finally {
    await server.close()
  }
})
