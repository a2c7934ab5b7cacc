/** The HTTP range server against a leecher whose only seeder is throttled, so requests are
 * answered while the torrent is incomplete. */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { randomData, tempDir } from '../integration/fixtures.js'
import { encode } from '../../src/bencode/index.js'
import { parseTorrent } from '../../src/metainfo/index.js'
import { Client } from '../../src/client/index.node.js'
import { httpRequest, slowSwarm } from './helpers.js'

const MiB = 1024 * 1024

test('a Range into the middle is answered with the right bytes before the file is complete', { timeout: 60_000 }, async () => {
  const data = randomData(2 * MiB)
  const swarm = await slowSwarm({ 'movie.mp4': data }, { rate: 256 * 1024, pieceLength: 32768 })
  const server = swarm.leecher.createServer()
  try {
    await server.listen()
    const url = server.urlOf(swarm.torrent, swarm.torrent.files[0] ?? (await readyFile(swarm.torrent)))
    const start = 1200 * 1000, end = start + 100_000 - 1
    const res = await httpRequest(url, { headers: { Range: `bytes=${start}-${end}` } })
    const progressThen = swarm.torrent.progress
    assert.equal(res.status, 206)
    assert.equal(res.headers['content-range'], `bytes ${start}-${end}/${data.length}`)
    assert.equal(res.headers['content-length'], String(end - start + 1))
    assert.equal(res.headers['content-type'], 'video/mp4')
    assert.equal(res.headers['accept-ranges'], 'bytes')
    assert.equal(res.headers['access-control-allow-origin'], undefined, 'no CORS unless asked')
    assert.ok(Buffer.from(data.subarray(start, end + 1)).equals(res.body), 'the bytes of that range')
    assert.ok(progressThen < 1, `answered before the whole file was there (progress ${progressThen})`)
  } finally {
    await server.close()
    await swarm.close()
  }
})

test('several readers at once, on a deselected file of a folder torrent, from a magnet link', { timeout: 60_000 }, async () => {
  const a = randomData(600_000), b = randomData(900_000)
  const swarm = await slowSwarm({ 'a.webm': a, 'sub/b.mkv': b }, { rate: 1024 * 1024, pieceLength: 16384, folder: 'clips', magnet: true, select: [] })
  const server = swarm.leecher.createServer({ cors: 'http://player.example' })
  try {
    await server.listen()
    // the URL is stable before the metadata is known: info hash and file index
    const base = `${server.origin}/${swarm.torrent.infoHashHex}`
    const reads = [
      httpRequest(`${base}/1/b.mkv`, { headers: { Range: 'bytes=500000-' } }),
      httpRequest(`${base}/0`, { headers: { Range: 'bytes=0-99999' } }),
      httpRequest(`${base}/1`, { headers: { Range: 'bytes=-1000' } }),
      httpRequest(`${base}/0/a.webm`),
    ]
    const [r1, r2, r3, r4] = await Promise.all(reads)
    assert.equal(r1!.status, 206); assert.ok(Buffer.from(b.subarray(500000)).equals(r1!.body))
    assert.equal(r1!.headers['content-type'], 'video/x-matroska')
    assert.equal(r1!.headers['access-control-allow-origin'], 'http://player.example')
    assert.equal(r2!.status, 206); assert.ok(Buffer.from(a.subarray(0, 100000)).equals(r2!.body))
    assert.equal(r3!.status, 206); assert.equal(r3!.headers['content-range'], `bytes ${b.length - 1000}-${b.length - 1}/${b.length}`)
    assert.ok(Buffer.from(b.subarray(b.length - 1000)).equals(r3!.body))
    assert.equal(r4!.status, 200); assert.equal(r4!.headers['content-type'], 'video/webm'); assert.ok(Buffer.from(a).equals(r4!.body))
    assert.equal(swarm.torrent.files[1]!.selected, false, 'the streamed file stays deselected')
  } finally {
    await server.close()
    await swarm.close()
  }
})

test('416 for bad ranges, HEAD without a body, 404 for unknown ids', { timeout: 60_000 }, async () => {
  const data = randomData(300_000)
  const swarm = await slowSwarm({ 'song.mp3': data }, { rate: 4 * MiB, pieceLength: 16384 })
  const server = swarm.leecher.createServer()
  try {
    await server.listen()
    await readyFile(swarm.torrent)
    const url = server.urlOf(swarm.torrent, swarm.torrent.files[0])
    for (const range of [`bytes=${data.length}-`, 'bytes=500-100', 'bytes=abc', 'bytes=-0', 'bytes=']) {
      const r = await httpRequest(url, { headers: { Range: range } })
      assert.equal(r.status, 416, range)
      assert.equal(r.headers['content-range'], `bytes */${data.length}`, range)
    }
    const head = await httpRequest(url, { method: 'HEAD', headers: { Range: 'bytes=10-19' } })
    assert.equal(head.status, 206); assert.equal(head.headers['content-length'], '10'); assert.equal(head.body.length, 0)
    assert.equal(head.headers['content-type'], 'audio/mpeg')
    const whole = await httpRequest(url, { method: 'HEAD' })
    assert.equal(whole.status, 200); assert.equal(whole.headers['content-length'], String(data.length))
    assert.equal((await httpRequest(`${server.origin}/${swarm.torrent.infoHashHex}/7`)).status, 404)
    assert.equal((await httpRequest(`${server.origin}/${'ab'.repeat(20)}/0`)).status, 404)
    assert.equal((await httpRequest(`${server.origin}/../../etc/passwd`)).status, 404)
    assert.equal((await httpRequest(`${server.origin}/${swarm.torrent.infoHashHex}/0/..%2f..%2fetc%2fpasswd`)).status, 200, 'the name part is decoration: still file 0')
    assert.equal((await httpRequest(url, { method: 'POST' })).status, 405)
  } finally {
    await server.close()
    await swarm.close()
  }
})

test('a request with a foreign Host is refused (DNS rebinding); localhost is fine', { timeout: 30_000 }, async () => {
  const client = new Client({ port: false, trackers: false })
  const server = client.createServer()
  try {
    const { port } = await server.listen()
    assert.equal(server.origin, `http://127.0.0.1:${port}`)
    for (const host of [`evil.example:${port}`, `127.0.0.1.evil.example:${port}`, 'localhost.evil.example', `192.168.1.5:${port}`]) {
      const r = await httpRequest(`${server.origin}/`, { headers: { Host: host } })
      assert.equal(r.status, 403, host)
      assert.doesNotMatch(r.body.toString(), /swarmstream/)
    }
    for (const host of [`localhost:${port}`, `127.0.0.1:${port}`, 'LOCALHOST']) {
      assert.equal((await httpRequest(`${server.origin}/`, { headers: { Host: host } })).status, 200, host)
    }
  } finally {
    await server.close()
    await client.destroy()
  }
})

test('names are escaped in the HTML index; JSON lists the same', { timeout: 30_000 }, async () => {
  const evil = '<script>alert("x")</script>'
  const info = { name: evil, 'piece length': 16384, pieces: new Uint8Array(20), files: [{ length: 10, path: [`it's & "quoted" \`x\`.mp4`] }] }
  const metainfo = parseTorrent(encode({ info }))
  const dir = await tempDir()
  const client = new Client({ port: false, trackers: false })
  const server = client.createServer()
  try {
    const torrent = await client.add(metainfo, { path: dir.path, verify: false }).whenReady()
    await server.listen()
    const index = (await httpRequest(`${server.origin}/`)).body.toString()
    assert.equal(torrent.name, evil, 'the torrent name really holds markup')
    assert.doesNotMatch(index, /<script>/)
    assert.match(index, /&#60;script&#62;alert\(&#34;x&#34;\)&#60;\/script&#62;/)
    assert.match(index, /it&#39;s &#38; _quoted_ &#96;x&#96;\.mp4/)
    const page = await httpRequest(server.urlOf(torrent))
    assert.equal(page.status, 200)
    assert.doesNotMatch(page.body.toString(), /<script>/)
    assert.match(String(page.headers['content-security-policy']), /default-src 'none'/)
    const json = JSON.parse((await httpRequest(`${server.origin}/index.json`)).body.toString()) as { name: string; files: { url: string }[] }[]
    assert.equal(json[0]!.name, evil)
    assert.equal(json[0]!.files[0]!.url, server.urlOf(torrent, torrent.files[0]))
  } finally {
    await server.close()
    await client.destroy()
    await dir.cleanup()
  }
})

async function readyFile(torrent: import('../../src/torrent/torrent.js').Torrent) {
  if (!torrent.ready) await new Promise<void>((resolve) => torrent.once('ready', () => resolve()))
  return torrent.files[0]!
}
