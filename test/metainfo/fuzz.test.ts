import { test } from 'node:test'
import assert from 'node:assert/strict'
import { encode } from '../../src/bencode/index.js'
import { MetainfoError, parseInfo, parseTorrent } from '../../src/metainfo/index.js'
import { utf8 } from '../../src/util/bytes.js'

const valid = encode({
  announce: 'http://t/ann',
  'announce-list': [['http://t/ann'], ['udp://u:1']],
  'url-list': ['http://w/'],
  info: {
    files: [{ length: 10, path: ['d', 'a'] }, { attr: 'p', length: 6, path: ['.pad', '6'] }, { length: 20, path: ['b'] }],
    name: 'n', 'piece length': 16, pieces: new Uint8Array(60), private: 1,
  },
})
const TOKENS = ['d', 'l', 'e', 'i', '0', '1', '9', ':', '-', '20:', 'i-1e', '4:path', '6:length', 'i99999999999999999999e']

/** Deterministic PRNG so a failure can be replayed. */
function rng(seed: number): (n: number) => number {
  let x = seed
  return (n) => { x = (Math.imul(x, 1664525) + 1013904223) >>> 0; return x % n }
}

function mutate(src: Uint8Array, rand: (n: number) => number): Uint8Array {
  let b = src.slice()
  for (let k = 1 + rand(4); k > 0; k--) {
    const pos = rand(b.length + 1)
    switch (rand(5)) {
      case 0: if (pos < b.length) b[pos] = rand(256); break
      case 1: b = b.slice(0, pos); break // truncate
      case 2: b = Uint8Array.from([...b.subarray(0, pos), ...utf8(TOKENS[rand(TOKENS.length)]!), ...b.subarray(pos)]); break
      case 3: b = Uint8Array.from([...b.subarray(0, pos), ...b.subarray(Math.min(b.length, pos + 1 + rand(8)))]); break
      default: if (pos < b.length) b[pos] = 0x30 + rand(10) // digit swap: lengths and ints
    }
  }
  return b
}

test('fuzz: mutated torrents parse or fail with MetainfoError only, quickly', () => {
  assert.equal(parseTorrent(valid).files.length, 3)
  const rand = rng(12345)
  const started = Date.now()
  let accepted = 0
  for (let i = 0; i < 4000; i++) {
    const input = mutate(valid, rand)
    try {
      const m = parseTorrent(input)
      accepted++
      assert.equal(m.pieceHashes.length, m.pieceCount * 20)
      assert.equal(m.files.reduce((s, f) => s + f.length, 0), m.length)
    } catch (err) {
      if (!(err instanceof MetainfoError)) assert.fail(`case ${i}: ${String(err)} for ${Buffer.from(input).toString('latin1')}`)
    }
  }
  assert.ok(Date.now() - started < 20000, 'fuzzing took too long')
  assert.ok(accepted > 0 && accepted < 4000, `accepted ${accepted}`)
})

test('fuzz: random garbage and truncations of the info dict', () => {
  const rand = rng(777)
  const info = parseTorrent(valid).infoBytes
  for (let cut = 0; cut < info.length; cut++) assert.throws(() => parseInfo(info.subarray(0, cut)), MetainfoError)
  for (let i = 0; i < 2000; i++) {
    const junk = Uint8Array.from({ length: rand(64) }, () => rand(256))
    assert.throws(() => parseTorrent(junk), MetainfoError)
  }
})

test('hostile sizes fail fast: huge declared string length, deep nesting, absurd piece count', () => {
  assert.throws(() => parseTorrent(utf8('d4:info99999999999:x')), MetainfoError)
  assert.throws(() => parseTorrent(utf8('d4:info' + 'l'.repeat(100000))), MetainfoError)
  const bigLength = encode({ info: { length: 2 ** 53 - 1, name: 'x', 'piece length': 1, pieces: new Uint8Array(20) } })
  assert.throws(() => parseTorrent(bigLength), /expected/)
})

test('hostile file lists stay fast: 50k identical names, long space runs, very deep paths', () => {
  const started = Date.now()
  const same = encode({ info: {
    files: Array.from({ length: 50000 }, () => ({ length: 1, path: ['same.txt'] })),
    name: 'n', 'piece length': 65536, pieces: new Uint8Array(20),
  } })
  const m = parseTorrent(same)
  assert.equal(new Set(m.files.map((f) => f.pathString.toLowerCase())).size, 50000)
  assert.equal(m.files[49999]!.pathString, 'n/same (49999).txt')
  const spaces = encode({ info: { length: 1, name: ' '.repeat(200000) + 'x', 'piece length': 1, pieces: new Uint8Array(20) } })
  assert.ok(parseTorrent(spaces).files[0]!.path[0]!.length <= 255)
  const deep = (n: number): Uint8Array => encode({ info: {
    files: [{ length: 1, path: Array.from({ length: n }, () => 'd') }], name: 'n', 'piece length': 1, pieces: new Uint8Array(20),
  } })
  assert.equal(parseTorrent(deep(1024)).files[0]!.path.length, 1025)
  assert.throws(() => parseTorrent(deep(200000)), /deeper than/)
  assert.ok(Date.now() - started < 15000, `took ${Date.now() - started} ms`)
})
