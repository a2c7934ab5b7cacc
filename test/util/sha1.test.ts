import { test } from 'node:test'
import assert from 'node:assert/strict'
import { createHash } from 'node:crypto'
import { sha1 } from '../../src/util/sha1.js'
import { toHex, utf8, fromBase32, toBase32, randomBytes } from '../../src/util/bytes.js'

test('sha1 matches node:crypto at every padding boundary', () => {
  for (const n of [0, 1, 55, 56, 63, 64, 65, 119, 120, 1000, 100_000]) {
    const data = randomBytes(n)
    assert.equal(toHex(sha1(data)), createHash('sha1').update(data).digest('hex'), `length ${n}`)
  }
  assert.equal(toHex(sha1(utf8('abc'))), 'a9993e364706816aba3e25717850c26c9cd0d89d')
})

test('base32 round trip', () => {
  const d = randomBytes(20)
  assert.deepEqual(fromBase32(toBase32(d)), d)
})
