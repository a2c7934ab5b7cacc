import { test } from 'node:test'
import assert from 'node:assert/strict'
import { createHash } from 'node:crypto'
import { mkdtemp, mkdir, rm, symlink, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { decode, isDict } from '../../src/bencode/index.js'
import { choosePieceLength, createTorrent, MetainfoError, parseTorrent } from '../../src/metainfo/index.js'
import { createTorrentFromPath } from '../../src/metainfo/create-from-path.node.js'
import { nodeHasher } from '../../src/util/hasher.node.js'
import { concat, toHex } from '../../src/util/bytes.js'

const sha1 = (b: Uint8Array): Uint8Array => new Uint8Array(createHash('sha1').update(b).digest())
/** deterministic pseudo-random content */
function content(n: number, seed: number): Uint8Array {
  const b = new Uint8Array(n)
  let x = seed >>> 0 || 1
  for (let i = 0; i < n; i++) { x ^= x << 13; x ^= x >>> 17; x ^= x << 5; b[i] = x & 0xff }
  return b
}
/** reference piece hashes computed over the concatenated bytes */
function expectedPieces(data: Uint8Array, pieceLength: number): Uint8Array {
  const out: Uint8Array[] = []
  for (let i = 0; i < data.length; i += pieceLength) out.push(sha1(data.subarray(i, i + pieceLength)))
  return concat(out)
}

test('choosePieceLength: powers of two from 16 KiB to 16 MiB, ~1000-2000 pieces', () => {
  assert.equal(choosePieceLength(1), 16384)
  assert.equal(choosePieceLength(10 * 2 ** 20), 16384)
  for (const size of [2 ** 30, 700 * 2 ** 20, 4.7e9, 2 ** 34]) {
    const p = choosePieceLength(size)
    assert.equal(p & (p - 1), 0)
    const count = Math.ceil(size / p)
    assert.ok(count > 1000 && count <= 2000, `${size} -> ${p} gives ${count} pieces`)
  }
  assert.equal(choosePieceLength(2 ** 45), 16 * 2 ** 20)
})

test('multi-file create -> parse round trip; pieces span file boundaries', async () => {
  const files = [content(40000, 1), content(0, 2), content(1, 3), content(100000, 4)]
  const reads: number[] = []
  const progress: number[] = []
  const { torrent, metainfo } = await createTorrent({
    name: 'set',
    files: [
      { path: ['a.bin'], length: 40000 }, { path: ['empty'], length: 0 },
      { path: ['sub', 'one'], length: 1 }, { path: ['sub', 'big.bin'], length: 100000 },
    ],
    read: async (i, offset, length) => { reads.push(length); return files[i]!.slice(offset, offset + length) },
    hasher: nodeHasher,
    pieceLength: 16384,
    announce: [['http://a/ann'], ['udp://b:1', 'udp://c:2']],
    urlList: ['http://seed/'],
    private: true,
    comment: 'c',
    creationDate: 1234,
    onProgress: (done) => progress.push(done),
  })
  const all = concat(files)
  assert.deepEqual(metainfo.pieceHashes, expectedPieces(all, 16384))
  assert.deepEqual(parseTorrent(torrent), metainfo)
  assert.equal(metainfo.infoHashHex, toHex(sha1(metainfo.infoBytes)))
  assert.deepEqual(metainfo.files.map((f) => [f.pathString, f.offset]),
    [['set/a.bin', 0], ['set/empty', 40000], ['set/sub/one', 40000], ['set/sub/big.bin', 40001]])
  assert.equal(metainfo.private, true)
  assert.deepEqual(metainfo.announce, [['http://a/ann'], ['udp://b:1', 'udp://c:2']])
  assert.deepEqual(metainfo.urlList, ['http://seed/'])
  assert.equal(metainfo.createdBy, 'swarmstream/0.1')
  assert.equal(metainfo.creationDate, 1234)
  assert.equal(progress.at(-1), all.length)
  assert.ok(reads.every((n) => n > 0))
  const root = decode(torrent)
  assert.ok(isDict(root))
  assert.equal(new TextDecoder().decode(root.get('announce') as Uint8Array), 'http://a/ann')
})

test('single-file create with odd piece length and big reads', async () => {
  const data = content(5 * 2 ** 20 + 7, 9)
  let calls = 0
  const { metainfo } = await createTorrent({
    name: 'one.bin', files: [{ path: ['one.bin'], length: data.length }], pieceLength: 100000,
    read: async (_i, o, n) => { calls++; return data.slice(o, o + n) }, hasher: nodeHasher,
  })
  assert.deepEqual(metainfo.pieceHashes, expectedPieces(data, 100000))
  assert.deepEqual(metainfo.files.map((f) => f.path), [['one.bin']])
  assert.ok(calls <= 3, `expected a few large reads, got ${calls}`)
  assert.deepEqual(metainfo.announce, [])
})

test('create rejects bad input with MetainfoError', async () => {
  const read = async (): Promise<Uint8Array> => new Uint8Array(0)
  const base = { name: 'x', read, hasher: nodeHasher }
  await assert.rejects(createTorrent({ ...base, files: [] }), MetainfoError)
  await assert.rejects(createTorrent({ ...base, files: [{ path: ['a'], length: 0 }] }), /no data/)
  await assert.rejects(createTorrent({ ...base, files: [{ path: ['a'], length: -1 }] }), MetainfoError)
  await assert.rejects(createTorrent({ ...base, files: [{ path: [], length: 1 }] }), MetainfoError)
  await assert.rejects(createTorrent({ ...base, files: [{ path: ['a', '..', 'b'], length: 1 }] }), /path component/)
  await assert.rejects(createTorrent({ ...base, files: [{ path: ['a/b'], length: 1 }] }), /path component/)
  await assert.rejects(createTorrent({ ...base, files: [{ path: ['a'], length: 10 }] }), /changed while hashing/)
})

test('createTorrentFromPath: directory walk is sorted, skips symlinks and empty dirs, keeps hidden files', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'ss-meta-'))
  try {
    const root = join(dir, 'My Album')
    await mkdir(join(root, 'b', 'empty'), { recursive: true })
    await mkdir(join(root, 'a'))
    const parts: [string, Uint8Array][] = [
      ['.hidden', content(10, 5)], ['a/z.bin', content(30000, 6)], ['b/c.bin', content(20000, 7)], ['top.txt', content(5, 8)],
    ]
    for (const [p, data] of parts) await writeFile(join(root, p), data)
    await symlink(join(root, 'top.txt'), join(root, 'link.txt'))
    const { torrent, metainfo } = await createTorrentFromPath(root, { pieceLength: 16384, creationDate: 1 })
    assert.equal(metainfo.name, 'My Album')
    assert.deepEqual(metainfo.files.map((f) => f.pathString), parts.map(([p]) => `My Album/${p}`))
    assert.deepEqual(metainfo.pieceHashes, expectedPieces(concat(parts.map(([, d]) => d)), 16384))
    assert.deepEqual(parseTorrent(torrent).infoHashHex, metainfo.infoHashHex)

    const single = await createTorrentFromPath(join(root, 'a', 'z.bin'), { name: 'renamed.bin' })
    assert.deepEqual(single.metainfo.files.map((f) => f.path), [['renamed.bin']])
    assert.deepEqual(single.metainfo.pieceHashes, expectedPieces(parts[1]![1], single.metainfo.pieceLength))

    await mkdir(join(dir, 'nothing'))
    await assert.rejects(createTorrentFromPath(join(dir, 'nothing')), MetainfoError)
  } finally {
    await rm(dir, { recursive: true, force: true })
  }
})
