import { test, describe, before, after } from 'node:test'
import assert from 'node:assert/strict'
import net from 'node:net'
import { join } from 'node:path'
import { readdir, writeFile, readFile, mkdir } from 'node:fs/promises'
import { Client } from '../../src/client/index.node.js'
import { Wire } from '../../src/wire/index.js'
import { encode } from '../../src/bencode/index.js'
import { sha1 } from '../../src/util/sha1.js'
import { randomBytes, utf8, fromHex } from '../../src/util/bytes.js'
import type { Duplex } from '../../src/transport/types.js'
import { tempDir, writeRandomFile, fileDigest, whenDone } from './fixtures.js'

/** A hostile peer: a real TCP listener on 127.0.0.1 that speaks our wire protocol and then
 * misbehaves in the way `behave` says. Returns its port and how many connections it saw. */
async function hostilePeer(behave: (wire: Wire, socket: net.Socket) => void, wireOptions: ConstructorParameters<typeof Wire>[1] = {}): Promise<{ port: number; connections: number; close(): Promise<void> }> {
  const sockets = new Set<net.Socket>()
  const state = { port: 0, connections: 0, close: async () => undefined as void }
  const server = net.createServer((socket) => {
    sockets.add(socket)
    state.connections++
    socket.on('error', () => undefined)
    const wire = new Wire(socket as net.Socket & Duplex, wireOptions)
    wire.on('error', () => undefined)
    behave(wire, socket)
  })
  await new Promise<void>((res) => server.listen(0, '127.0.0.1', () => res()))
  state.port = (server.address() as net.AddressInfo).port
  state.close = () => new Promise<void>((res) => { for (const s of sockets) s.destroy(); server.close(() => res()) })
  return state
}


describe('hostile input loses nothing', { timeout: 120_000 }, () => {
  let dir: Awaited<ReturnType<typeof tempDir>>
  let seeder: Client, leecher: Client
  let fileA: string, fileB: string

  before(async () => {
    dir = await tempDir()
    fileA = join(dir.path, 'seed', 'a.bin'); fileB = join(dir.path, 'seed', 'b.bin')
    await writeRandomFile(fileA, 2 * 1024 * 1024 + 500)
    await writeRandomFile(fileB, 3 * 1024 * 1024)
    seeder = new Client({ port: 0, host: '127.0.0.1', trackers: false })
    leecher = new Client({ port: 0, host: '127.0.0.1', trackers: false })
  })
  after(async () => {
    await leecher?.destroy()
    await seeder?.destroy()
    await dir?.cleanup()
  })

  test('a peer sending wrong piece data is banned; the piece comes from another peer; the other torrent goes on', async () => {
    const a = await seeder.seed(fileA, { pieceLength: 32768 }).whenReady()
    const b = await seeder.seed(fileB, { pieceLength: 65536 }).whenReady()
    let badPieces = 0
    const liar = await hostilePeer((wire) => {
      wire.once('handshake', () => {
        wire.handshake(a.infoHashBytes!, randomBytes(20), { fast: true, extended: true })
        wire.haveAll()
        wire.unchoke()
      })
      wire.on('request', (index, offset, length) => { badPieces++; wire.piece(index, offset, randomBytes(length)) })
    })
    // The liar comes first so it certainly gets requests before the honest seeder connects.
    const ta = leecher.add(a.metainfo!, { path: join(dir.path, 'out'), peers: [{ host: '127.0.0.1', port: liar.port }] })
    await new Promise((r) => setTimeout(r, 300))
    ta.addPeer({ host: '127.0.0.1', port: seeder.port })
    const tb = leecher.add(b.metainfo!, { path: join(dir.path, 'out'), peers: [{ host: '127.0.0.1', port: seeder.port }] })
    await Promise.all([whenDone(ta, 60_000), whenDone(tb, 60_000)])
    assert.ok(badPieces > 0, 'the liar was asked for data')
    assert.ok(ta.addresses.isBanned({ host: '127.0.0.1', port: liar.port }), 'the liar is banned')
    assert.equal([...ta.peers.values()].some((p) => p.address.port === liar.port), false, 'and disconnected')
    assert.equal(await fileDigest(join(dir.path, 'out', 'a.bin')), await fileDigest(fileA))
    assert.equal(await fileDigest(join(dir.path, 'out', 'b.bin')), await fileDigest(fileB))
    await liar.close()
    await ta.destroy(); await tb.destroy()
  })

  test('a peer claiming 2 GB of metadata is dropped; the metadata comes from an honest peer', async () => {
    const seeded = [...seeder.torrents.values()].find((t) => t.name === 'a.bin')!
    let claimed = 0
    const liar = await hostilePeer((wire) => {
      wire.once('handshake', () => {
        wire.handshake(seeded.infoHashBytes!, randomBytes(20), { fast: true, extended: true })
        claimed++
      })
    }, { extendedHandshake: () => ({ metadata_size: 2 * 1024 ** 3, m: { ut_metadata: 3 } }) })
    const magnet = `magnet:?xt=urn:btih:${seeded.infoHashHex}&x.pe=127.0.0.1:${liar.port}&x.pe=127.0.0.1:${seeder.port}`
    const t = await leecher.add(magnet, { path: join(dir.path, 'magnet-out') })
    await whenDone(t, 60_000)
    assert.ok(claimed > 0, 'the liar was connected')
    assert.equal([...t.peers.values()].some((p) => p.address.port === liar.port), false, 'the liar was dropped')
    assert.equal(await fileDigest(join(dir.path, 'magnet-out', 'a.bin')), await fileDigest(fileA))
    await liar.close()
    await t.destroy()
  })

  test('a message longer than the limit drops that peer only', async () => {
    const seeded = [...seeder.torrents.values()].find((t) => t.name === 'b.bin')!
    const liar = await hostilePeer((wire, socket) => {
      wire.once('handshake', () => {
        wire.handshake(seeded.infoHashBytes!, randomBytes(20), { fast: false, extended: false })
        const huge = new Uint8Array(5); new DataView(huge.buffer).setUint32(0, 0x7ffffff0); huge[4] = 7
        socket.write(huge)
      })
    })
    const t = await leecher.add(seeded.metainfo!, { path: join(dir.path, 'big-out'), peers: [{ host: '127.0.0.1', port: liar.port }, { host: '127.0.0.1', port: seeder.port }] })
    await whenDone(t, 60_000)
    assert.equal([...t.peers.values()].some((p) => p.address.port === liar.port), false)
    assert.equal(await fileDigest(join(dir.path, 'big-out', 'b.bin')), await fileDigest(fileB))
    await liar.close()
    await t.destroy()
  })

  test('file names with ../ never leave the download folder', async () => {
    // A hand-made torrent whose paths try to climb out; its data is seeded from where the
    // sanitized names point, and the download lands inside the output folder only.
    const content = randomBytes(40_000)
    const pieceLength = 16384
    const pieces: Uint8Array[] = []
    for (let o = 0; o < content.length; o += pieceLength) pieces.push(sha1(content.subarray(o, o + pieceLength)))
    const info = { name: 'evil', 'piece length': pieceLength, pieces: new Uint8Array(pieces.flatMap((p) => [...p])),
      files: [{ length: 20_000, path: ['..', '..', 'escaped.txt'] }, { length: 20_000, path: ['/etc', 'passwd'] }] }
    const torrentBytes = encode({ info })
    const torrentPath = join(dir.path, 'evil.torrent')
    await writeFile(torrentPath, torrentBytes)
    const seedClient = new Client({ port: 0, host: '127.0.0.1', trackers: false })
    try {
      const meta = (await import('../../src/metainfo/index.js')).parseTorrent(torrentBytes)
      const seedRoot = join(dir.path, 'evil-seed')
      for (const [i, f] of meta.files.entries()) {
        await mkdir(join(seedRoot, ...f.path.slice(0, -1)), { recursive: true })
        await writeFile(join(seedRoot, ...f.path), content.subarray(i * 20_000, (i + 1) * 20_000))
      }
      for (const f of meta.files) assert.ok(!f.path.includes('..') && !f.pathString.startsWith('/'), f.pathString)
      const st = await seedClient.add(meta, { path: seedRoot })
      await whenDone(st, 10_000)
      const out = join(dir.path, 'jail', 'inner')
      const t = await leecher.add(torrentPath, { path: out, peers: [{ host: '127.0.0.1', port: seedClient.port }] })
      await whenDone(t, 30_000)
      assert.deepEqual(await readdir(join(dir.path, 'jail')), ['inner'], 'nothing appeared beside the download folder')
      const got = Buffer.concat(await Promise.all(meta.files.map((f) => readFile(join(out, ...f.path)))))
      assert.deepEqual(new Uint8Array(got), content)
      await t.destroy()
    } finally { await seedClient.destroy() }
  })

  test('garbage and truncated .torrent files give a clear error', async () => {
    const { parseTorrent, MetainfoError } = await import('../../src/metainfo/index.js')
    const good = await readFile(join(dir.path, 'evil.torrent'))
    for (const bad of [new Uint8Array(0), utf8('garbage'), good.subarray(0, good.length - 10), fromHex('64656565')]) {
      assert.throws(() => parseTorrent(bad), MetainfoError)
      assert.throws(() => leecher.add(bad, { path: dir.path }), MetainfoError)
    }
  })
})
