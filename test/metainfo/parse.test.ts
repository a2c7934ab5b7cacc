import { test } from 'node:test'
import assert from 'node:assert/strict'
import { createHash } from 'node:crypto'
import { encode, type Encodable } from '../../src/bencode/index.js'
import { MetainfoError, parseInfo, parseTorrent } from '../../src/metainfo/index.js'
import { concat, toHex, utf8 } from '../../src/util/bytes.js'

const sha1Hex = (b: Uint8Array): string => createHash('sha1').update(b).digest('hex')
const hashes = (n: number): Uint8Array => Uint8Array.from({ length: 20 * n }, (_, i) => i & 0xff)
const single = (extra: Record<string, Encodable> = {}): Record<string, Encodable> =>
  ({ length: 100, name: 'f', 'piece length': 64, pieces: hashes(2), ...extra })
const withInfo = (info: Encodable, top: Record<string, Encodable> = {}): Uint8Array => encode({ ...top, info })

function assertRejects(bytes: Uint8Array, pattern: RegExp): void {
  assert.throws(() => parseTorrent(bytes), (err: unknown) => err instanceof MetainfoError && pattern.test(err.message))
}

test('single-file torrent: every field', () => {
  const info = { length: 70000, name: 'movie.mkv', 'piece length': 32768, pieces: hashes(3) }
  const infoBytes = encode(info)
  const bytes = withInfo(info, {
    announce: 'http://t.example/announce', comment: 'hi', 'created by': 'me', 'creation date': 1700000000,
  })
  const m = parseTorrent(bytes)
  assert.equal(m.infoHashHex, sha1Hex(infoBytes))
  assert.equal(toHex(m.infoHash), m.infoHashHex)
  assert.deepEqual(m.infoBytes, infoBytes)
  assert.equal(m.name, 'movie.mkv')
  assert.equal(m.pieceLength, 32768)
  assert.equal(m.pieceCount, 3)
  assert.equal(m.lastPieceLength, 70000 - 2 * 32768)
  assert.deepEqual(m.pieceHashes, hashes(3))
  assert.equal(m.length, 70000)
  assert.deepEqual(m.files, [{
    path: ['movie.mkv'], pathString: 'movie.mkv', rawPath: ['movie.mkv'], length: 70000, offset: 0, padding: false,
  }])
  assert.equal(m.private, false)
  assert.deepEqual(m.announce, [['http://t.example/announce']])
  assert.deepEqual(m.urlList, [])
  assert.equal(m.comment, 'hi')
  assert.equal(m.createdBy, 'me')
  assert.equal(m.creationDate, 1700000000)
})

test('hand-written bytes: multi-file offsets, private flag, BEP 47 pad file', () => {
  const info = concat([
    utf8('d5:filesl'),
    utf8('d6:lengthi10e4:pathl3:cd15:a.mp3ee'),
    utf8('d4:attr1:p6:lengthi6e4:pathl4:.pad1:6ee'),
    utf8('d6:lengthi20e4:pathl1:bee'),
    utf8('e4:name5:album12:piece lengthi16e6:pieces60:'), hashes(3),
    utf8('7:privatei1ee'),
  ])
  const m = parseTorrent(concat([utf8('d4:info'), info, utf8('e')]))
  assert.equal(m.infoHashHex, sha1Hex(info))
  assert.deepEqual(m.infoBytes, info)
  assert.equal(m.private, true)
  assert.equal(m.name, 'album')
  assert.equal(m.length, 36)
  assert.equal(m.pieceCount, 3)
  assert.equal(m.lastPieceLength, 4)
  assert.deepEqual(m.files.map((f) => [f.pathString, f.length, f.offset, f.padding]), [
    ['album/cd1/a.mp3', 10, 0, false],
    ['album/.pad/6', 6, 10, true],
    ['album/b', 20, 16, false],
  ])
  assert.deepEqual(m.files[0]!.path, ['album', 'cd1', 'a.mp3'])
  assert.deepEqual(m.announce, [])
})

test('pad file without a path gets the BEP 47 default', () => {
  const info = {
    files: [{ length: 5, path: ['a'] }, { attr: 'p', length: 59 }, { length: 1, path: ['b'] }],
    name: 'x', 'piece length': 64, pieces: hashes(2),
  }
  const m = parseTorrent(withInfo(info))
  assert.deepEqual(m.files.map((f) => f.pathString), ['x/a', 'x/.pad/59', 'x/b'])
  assert.equal(m.files[2]!.offset, 64)
})

test('name.utf-8 and path.utf-8 win over the legacy fields', () => {
  const info = {
    files: [{ length: 100, path: ['caf\xe9'], 'path.utf-8': ['café.txt'] }],
    name: 'legacy', 'name.utf-8': 'Übersicht', 'piece length': 64, pieces: hashes(2),
  }
  const m = parseTorrent(withInfo(info))
  assert.equal(m.name, 'Übersicht')
  assert.deepEqual(m.files[0]!.path, ['Übersicht', 'café.txt'])
})

test('announce-list tiers (BEP 12) win over announce; blanks and repeats dropped', () => {
  const m = parseTorrent(withInfo(single(), {
    announce: 'http://a/ann',
    'announce-list': [['http://a/ann', 'udp://b:1'], [], ['', 'http://c/ann', 'udp://b:1'], 'not-a-tier'.length],
  }))
  assert.deepEqual(m.announce, [['http://a/ann', 'udp://b:1'], ['http://c/ann']])
  const onlyAnnounce = parseTorrent(withInfo(single(), { announce: 'http://a/ann', 'announce-list': [[]] }))
  assert.deepEqual(onlyAnnounce.announce, [['http://a/ann']])
})

test('url-list (BEP 19) as a string or as a list', () => {
  assert.deepEqual(parseTorrent(withInfo(single(), { 'url-list': 'http://m/f' })).urlList, ['http://m/f'])
  assert.deepEqual(parseTorrent(withInfo(single(), { 'url-list': ['http://m/', 'http://n/', ''] })).urlList, ['http://m/', 'http://n/'])
  assert.deepEqual(parseTorrent(withInfo(single(), { 'url-list': 7 })).urlList, [])
})

test('non-canonical info dict keeps the hash of its raw bytes', () => {
  // keys out of order: canonical re-encoding would hash differently
  const info = concat([utf8('d4:name1:f6:lengthi100e6:pieces40:'), hashes(2), utf8('12:piece lengthi64ee')])
  const m = parseTorrent(concat([utf8('d8:announce8:http://x4:info'), info, utf8('e')]))
  assert.equal(m.infoHashHex, sha1Hex(info))
  assert.notEqual(m.infoHashHex, sha1Hex(encode(single())))
  assert.equal(m.length, 100)
})

test('parseInfo: bare info dict from ut_metadata with extras', () => {
  const infoBytes = encode(single({ private: 1 }))
  const m = parseInfo(infoBytes, { announce: [['udp://t:1'], ['udp://t:1', 'http://u']], urlList: ['http://w/'] })
  assert.equal(m.infoHashHex, sha1Hex(infoBytes))
  assert.equal(m.private, true)
  assert.deepEqual(m.announce, [['udp://t:1'], ['http://u']])
  assert.deepEqual(m.urlList, ['http://w/'])
  assert.throws(() => parseInfo(utf8('li1ee')), MetainfoError)
})

test('hostile names are sanitized and colliding paths renamed', () => {
  const info = {
    files: [
      { length: 10, path: ['..', '..', 'etc', 'passwd'] },
      { length: 10, path: ['a', 'CON.txt'] },
      { length: 10, path: ['A', 'con.txt'] },
      { length: 10, path: ['x/y'] },
      { length: 10, path: ['x_y'] },
    ],
    name: '/abs', 'piece length': 64, pieces: hashes(1),
  }
  const m = parseTorrent(withInfo(info))
  assert.deepEqual(m.files.map((f) => f.pathString), [
    '_abs/_/_/etc/passwd', '_abs/a/_CON.txt', '_abs/a/_con (1).txt', '_abs/x_y', '_abs/x_y (1)',
  ])
  assert.deepEqual(m.files[0]!.rawPath, ['/abs', '..', '..', 'etc', 'passwd'])
})

test('validation errors are MetainfoError with a clear message', () => {
  assertRejects(utf8('i1e'), /not a dictionary/)
  assertRejects(encode({ announce: 'x' }), /no info dictionary/)
  assertRejects(withInfo('str'), /no info dictionary/)
  assertRejects(withInfo(single({ name: 5 })), /name/)
  assertRejects(withInfo(single({ 'piece length': 0 })), /piece length/)
  assertRejects(withInfo(single({ 'piece length': -64 })), /piece length/)
  assertRejects(withInfo(single({ 'piece length': 2 ** 40 })), /piece length/)
  assertRejects(withInfo(single({ pieces: hashes(2).subarray(1) })), /multiple of 20/)
  assertRejects(withInfo(single({ pieces: hashes(3) })), /expected 2/)
  assertRejects(withInfo(single({ length: -1 })), /negative/)
  assertRejects(withInfo(single({ length: 0, pieces: new Uint8Array(0) })), /no data/)
  assertRejects(withInfo(single({ files: [] })), /exactly one of/)
  const multi = (files: Encodable): Uint8Array => withInfo({ files, name: 'n', 'piece length': 64, pieces: hashes(1) })
  assertRejects(multi([]), /empty/)
  assertRejects(multi('x'), /not a list/)
  assertRejects(multi([5]), /files\[0\] is not a dictionary/)
  assertRejects(multi([{ length: 1, path: [] }]), /path/)
  assertRejects(multi([{ length: 1, path: [1] }]), /path/)
  assertRejects(multi([{ path: ['a'] }]), /length/)
  assertRejects(multi([{ length: 2 ** 52, path: ['a'] }, { length: 2 ** 52, path: ['b'] }]), /too large/)
  assertRejects(utf8('d4:infod4:name'), /invalid bencode/)
  assertRejects(concat([withInfo(single()), utf8('x')]), /trailing/)
})

test('decode limits: deep nesting outside info is refused', () => {
  const deep = utf8('d1:x' + 'l'.repeat(40) + 'e'.repeat(40) + '4:info' + new TextDecoder().decode(encode(single())) + 'e')
  assertRejects(deep, /too deep/)
})
